#!/usr/bin/env python3
"""A flow worker's side of stmgr's control socket, standard library only.

stmgr gives each replica of a flow a socket path in STMGR_FLOW_SOCKET (and SOCKET_PATH). The
worker listens there; the flow manager connects for each request and sends one frame: a
4-byte big-endian length, then UTF-8 JSON {"command": ..., "data": ..., "timestamp": ...}.
The worker answers with one frame of the same shape on the same connection.

Use it as a library:

    from flow_worker import serve_forever
    serve_forever({"echo": lambda data: data})

or run it as is (a demo worker): it answers `status`, `dump`, `stop` and `echo`, and prints
`ready` once it listens (a `log_line = "^ready"` readiness probe waits for that).
"""

import json
import os
import socket
import struct
import sys
import threading
import time
from datetime import datetime, timezone

MAX_FRAME = 16 * 1024 * 1024


def _now():
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def read_frame(conn):
    """Reads one frame; returns the decoded message (raises ValueError on a bad frame)."""
    header = _read_exact(conn, 4)
    (length,) = struct.unpack(">I", header)
    if length > MAX_FRAME:
        raise ValueError(f"frame of {length} bytes is over the limit")
    return json.loads(_read_exact(conn, length).decode("utf-8"))


def write_frame(conn, command, data):
    """Writes one frame {command, data, timestamp}."""
    body = json.dumps({"command": command, "data": data, "timestamp": _now()}).encode("utf-8")
    conn.sendall(struct.pack(">I", len(body)) + body)


def _read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed mid-frame")
        buf += chunk
    return buf


def serve_forever(handlers, path=None, on_ready=None):
    """Listens on the replica's socket and answers each request with handlers[command](data).

    `status` and `stop` have defaults (stop exits the process after answering); an unknown
    command gets {"command": "error", "data": {"error": "unknown command ..."}}.
    """
    path = path or os.environ.get("STMGR_FLOW_SOCKET") or os.environ.get("SOCKET_PATH")
    if not path:
        raise SystemExit("no STMGR_FLOW_SOCKET or SOCKET_PATH in the environment")
    started = time.time()
    handlers = dict(handlers)
    handlers.setdefault(
        "status",
        lambda _data: {"pid": os.getpid(), "uptime_secs": int(time.time() - started)},
    )
    stopping = threading.Event()

    def stop(_data):
        stopping.set()
        return {"stopping": True}

    handlers.setdefault("stop", stop)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(16)
    if on_ready:
        on_ready()
    try:
        while not stopping.is_set():
            conn, _ = server.accept()
            with conn:
                try:
                    msg = read_frame(conn)
                    command = msg.get("command", "")
                    handler = handlers.get(command)
                    if handler is None:
                        write_frame(conn, "error", {"error": f"unknown command {command!r}"})
                    else:
                        write_frame(conn, command, handler(msg.get("data")))
                except (ValueError, ConnectionError) as e:
                    try:
                        write_frame(conn, "error", {"error": str(e)})
                    except OSError:
                        pass
    finally:
        server.close()
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def main():
    worker = os.environ.get("STMGR_FLOW_WORKER", "worker")
    replica = os.environ.get("STMGR_FLOW_REPLICA", "0")
    dump = {"worker": worker, "replica": int(replica), "flow": os.environ.get("STMGR_FLOW")}
    serve_forever(
        {"echo": lambda data: data, "dump": lambda _data: dump},
        on_ready=lambda: print("ready", flush=True),
    )


if __name__ == "__main__":
    sys.exit(main())
