#!/usr/bin/env python3
"""A flow worker's side of stmgr's control socket, standard library only.

stmgr gives each replica of a flow a socket path in STMGR_FLOW_SOCKET (and SOCKET_PATH). The
worker listens there; the flow manager connects once the replica runs and keeps that
connection open (it reconnects if it drops). Both directions carry frames: a 4-byte big-endian
length, then UTF-8 JSON {"command": ..., "data": ..., "timestamp": ..., "id": ...}.

- A request from the manager carries an "id"; the worker answers with one frame of the same
  shape whose "id" is the request's (the manager may send the next request before the reply).
- The worker may also send frames of its own at any time, without an "id": send(command, data)
  writes one on the manager's connection; the manager records it as a `message_received`
  event.

Use it as a library:

    from flow_worker import serve_forever, send
    serve_forever({"echo": lambda data: data})
    # from any other thread, once the manager is connected:
    send("progress", {"done": 10})

or run it as is (a demo worker): it answers `status`, `dump`, `stop`, `echo` and `announce`
(which makes the worker send its data back as a message of its own), and prints `ready` once
it listens (a `log_line = "^ready"` readiness probe waits for that).
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

# The open connections (the manager's link; a one-off request's connection too), each with the
# lock its writers take, so that frames from several threads never interleave.
_connections = {}
_connections_changed = threading.Condition()


def _now():
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def read_frame(conn):
    """Reads one frame; returns the decoded message (raises ValueError on a bad frame)."""
    header = _read_exact(conn, 4)
    (length,) = struct.unpack(">I", header)
    if length > MAX_FRAME:
        raise ValueError(f"frame of {length} bytes is over the limit")
    msg = json.loads(_read_exact(conn, length).decode("utf-8"))
    if not isinstance(msg, dict) or not isinstance(msg.get("command"), str):
        raise ValueError("frame is not a message (no command)")
    return msg


def encode_frame(command, data, id=None):
    """The bytes of one frame {command, data, timestamp[, id]}."""
    msg = {"command": command, "data": data, "timestamp": _now()}
    if id is not None:
        msg["id"] = id
    body = json.dumps(msg).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise ValueError(f"frame of {len(body)} bytes is over the limit")
    return struct.pack(">I", len(body)) + body


def write_frame(conn, command, data, id=None):
    """Writes one frame {command, data, timestamp[, id]}."""
    conn.sendall(encode_frame(command, data, id))


def _read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed mid-frame" if buf else "connection closed")
        buf += chunk
    return buf


def send(command, data=None, timeout=10.0):
    """Sends a message of the worker's own ({command, data}, no id) to the manager.

    Writes it on every open connection (normally one: the manager's), waiting up to `timeout`
    seconds for the manager to connect. Thread-safe. Returns how many connections it went to;
    raises TimeoutError when none opened in time.
    """
    frame = encode_frame(command, data)
    deadline = time.monotonic() + timeout
    with _connections_changed:
        while not _connections:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the flow manager is not connected")
            _connections_changed.wait(left)
        targets = list(_connections.items())
    sent = 0
    for conn, lock in targets:
        try:
            with lock:
                conn.sendall(frame)
            sent += 1
        except OSError:
            pass
    return sent


def _serve_connection(conn, handlers, after_reply):
    lock = threading.Lock()
    with _connections_changed:
        _connections[conn] = lock
        _connections_changed.notify_all()
    try:
        while True:
            try:
                msg = read_frame(conn)
            except (ValueError, UnicodeDecodeError) as e:
                # Framing may be lost: say why and drop the connection (the manager reconnects).
                with lock:
                    write_frame(conn, "error", {"error": str(e)})
                return
            command = msg["command"]
            handler = handlers.get(command)
            try:
                if handler is None:
                    reply = ("error", {"error": f"unknown command {command!r}"})
                else:
                    reply = (command, handler(msg.get("data")))
            except Exception as e:  # a handler's failure is the worker's refusal
                reply = ("error", {"error": f"{command}: {e}"})
            with lock:
                write_frame(conn, reply[0], reply[1], msg.get("id"))
            after_reply()
    except (ConnectionError, OSError):
        return
    finally:
        with _connections_changed:
            _connections.pop(conn, None)
            _connections_changed.notify_all()
        conn.close()


def serve_forever(handlers, path=None, on_ready=None):
    """Listens on the replica's socket and answers each request with handlers[command](data).

    Each connection gets a thread of its own and is served until it closes, frame after frame;
    each reply echoes its request's id. `status` and `stop` have defaults (stop exits after
    answering); an unknown command, or a handler that raises, gets
    {"command": "error", "data": {"error": ...}}. Returns when stopped.
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
    stop_asked = threading.Event()
    stopping = threading.Event()

    def stop(_data):
        stop_asked.set()
        return {"stopping": True}

    def after_reply():
        if stop_asked.is_set():
            stopping.set()

    handlers.setdefault("stop", stop)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(16)

    def accept_loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(
                target=_serve_connection, args=(conn, handlers, after_reply), daemon=True
            ).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    if on_ready:
        on_ready()
    try:
        stopping.wait()
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

    def announce(data):
        # A message of its own, from another thread (it may reach the manager before the reply).
        threading.Thread(target=send, args=("announce", data), daemon=True).start()
        return {"announced": True}

    serve_forever(
        {"echo": lambda data: data, "dump": lambda _data: dump, "announce": announce},
        on_ready=lambda: print("ready", flush=True),
    )


if __name__ == "__main__":
    sys.exit(main())
