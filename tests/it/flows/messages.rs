//! The control socket both ways, with the server's flow manager and real Python workers: the
//! manager's persistent link to each replica carries requests (correlated by `id`) and the
//! worker's own messages (`message_received` events on the live stream and in the journal,
//! `last_message_at` and `socket_connected` in status); replies and messages interleaved on
//! one link each reach their place; malformed frames (bad JSON, a length over the limit, no
//! command) are `error` events `malformed_frame`, rate-limited, after which the link
//! reconnects and the replica answers again while another flow never noticed; a worker that
//! never answers is an `error` event `socket_timeout`, and its late reply is dropped, not taken
//! for a message; `--flow-events-keep` bounds the journal.

use std::time::Duration;

use serde_json::{Value, json};

use super::events::{Follower, ids, replay};
use super::{flow, helper, python, status, wait_ready};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

/// A server on `t` with a short socket directory (a test directory's path may be too long for
/// a Unix socket), and `extra` flags. The directory is removed with the returned guard.
fn server(t: &TestDir, extra: &[&str]) -> (ServerProc, tempfile::TempDir) {
    let tmp = tempfile::Builder::new()
        .prefix("sk")
        .tempdir_in("/tmp")
        .unwrap();
    let sockets = tmp.path().join("s");
    let mut args = vec!["--flow-socket-dir", sockets.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (child, lines) = ServerProc::spawn(t, &t.path().join("data"), &args);
    (ServerProc::from_spawned(child, lines), tmp)
}

/// A worker on `examples/flow_worker.py` that says `hello` once connected, and answers `echo`,
/// `spam` (that many `tick` messages from another thread), `big` (a message whose data is a
/// 70,000-character string) and `late` (its reply after 1 s, then a message `after-late`).
const HELPER_WORKER: &str = r#"
import os, sys, threading, time
sys.path.insert(0, os.environ["HELPER_DIR"])
import flow_worker as fw

def later(f):
    threading.Thread(target=f, daemon=True).start()

later(lambda: fw.send("hello", {"replica": os.environ["STMGR_FLOW_REPLICA"]}))

def spam(n):
    later(lambda: [fw.send("tick", {"i": i}) for i in range(n)])
    return {"spamming": n}

def big(_):
    later(lambda: fw.send("big", "x" * 70000))
    return {}

fw.serve_forever(
    {"echo": lambda d: d, "spam": spam, "big": big},
    on_ready=lambda: print("ready", flush=True),
)
"#;

/// A worker written against the socket directly (no helper): it answers `echo`; `bad-json`,
/// `huge` and `no-command` get a malformed frame instead of a reply; `silent` gets nothing;
/// `late` gets its reply after 1 s, followed by a message `after-late`.
const RAW_WORKER: &str = r#"
import json, os, socket, struct, threading, time
path = os.environ["STMGR_FLOW_SOCKET"]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(16)
print("ready", flush=True)

def frame(obj):
    body = json.dumps(obj).encode()
    return struct.pack(">I", len(body)) + body

def read_exact(c, n):
    buf = b""
    while len(buf) < n:
        chunk = c.recv(n - len(buf))
        if not chunk:
            raise ConnectionError()
        buf += chunk
    return buf

def serve(c):
    lock = threading.Lock()
    def write(b):
        with lock:
            c.sendall(b)
    try:
        while True:
            (n,) = struct.unpack(">I", read_exact(c, 4))
            m = json.loads(read_exact(c, n))
            cmd, rid = m["command"], m.get("id")
            if cmd == "bad-json":
                write(b"\x00\x00\x00\x03no!")
            elif cmd == "huge":
                write(b"\xff\xff\xff\xff")
            elif cmd == "no-command":
                write(frame({"data": 1, "id": rid}))
            elif cmd == "silent":
                pass
            elif cmd == "late":
                def reply_late(rid=rid):
                    time.sleep(1)
                    write(frame({"command": "late", "data": "too late", "id": rid}))
                    write(frame({"command": "after-late", "data": None}))
                threading.Thread(target=reply_late, daemon=True).start()
            else:
                write(frame({"command": cmd, "data": m.get("data"), "id": rid}))
    except (ConnectionError, OSError, ValueError):
        pass
    finally:
        c.close()

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"#;

/// Deploys flow `name`: one worker `w` running Python `script` in `replicas` copies, ready on
/// its `ready` line.
fn deploy(t: &TestDir, srv: &ServerProc, name: &str, script: &str, replicas: u32) {
    let py = t.write(format!("{name}.py"), script);
    let dir = helper().parent().unwrap().to_owned();
    let file = t.write(
        format!("{name}.toml"),
        &format!(
            "name = \"{name}\"\n[workers.w]\ncommand = \"{}\"\nargs = [\"{}\"]\n\
             replicas = {replicas}\nenv = {{ HELPER_DIR = \"{}\" }}\n\
             [workers.w.readiness]\nlog_line = \"^ready\"\n",
            python(),
            py.display(),
            dir.display()
        ),
    );
    let (code, _, err) = flow(t, srv, &["deploy", file.to_str().unwrap(), "--wait"]);
    assert_eq!(code, 0, "{err}");
    wait_ready(t, srv, name, replicas as usize);
}

/// Events of `flow` of kind `kind` (and, for `error`, code `code`) in the journal.
fn events_of(t: &TestDir, srv: &ServerProc, flow: &str, kind: &str, code: &str) -> Vec<Value> {
    replay(t, srv, &[flow])
        .into_iter()
        .filter(|e| e["kind"] == kind && (code.is_empty() || e["data"]["error"] == code))
        .collect()
}

fn messages(t: &TestDir, srv: &ServerProc, flow: &str, command: &str) -> Vec<Value> {
    events_of(t, srv, flow, "message_received", "")
        .into_iter()
        .filter(|e| e["data"]["command"] == command)
        .collect()
}

#[test]
fn worker_messages_reach_the_stream_the_journal_and_status() {
    let t = TestDir::new();
    let (srv, _sockets) = server(&t, &[]);
    let live = Follower::start(&t, &srv, &["chat", "-f", "--since", "0"]);
    deploy(&t, &srv, "chat", HELPER_WORKER, 1);

    // The worker's greeting, sent on its own once the manager connected: live (SSE).
    let got = live.until("the hello message", |e| {
        e["kind"] == "message_received" && e["data"]["command"] == "hello"
    });
    let hello = got.last().unwrap();
    assert_eq!(hello["replica"], "w-0");
    assert_eq!(hello["data"]["data"], json!({"replica": "0"}));
    assert!(hello["data"].get("id").is_none(), "{hello}");

    // A custom command makes it send 3 messages from another thread; the reply is the reply.
    let (code, out, err) = flow(&t, &srv, &["send", "chat", "spam", "--data", "3"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["reply"]["data"], json!({"spamming": 3}));
    assert!(out["reply"]["id"].is_string(), "{out}");
    let got = live.until("tick 2", |e| {
        e["data"]["command"] == "tick" && e["data"]["data"]["i"] == 2
    });
    let ticks: Vec<&Value> = got
        .iter()
        .filter(|e| e["data"]["command"] == "tick")
        .collect();
    assert_eq!(ticks.len(), 3, "{got:#?}");

    // Data over 64 KiB is recorded cut, and says so.
    let (code, _, err) = flow(&t, &srv, &["send", "chat", "big"]);
    assert_eq!(code, 0, "{err}");
    let got = live.until("the big message", |e| e["data"]["command"] == "big");
    let big = &got.last().unwrap()["data"];
    assert_eq!(big["truncated"], true, "{big}");
    assert_eq!(big["data"].as_str().unwrap().len(), 64 * 1024);
    assert!(big["bytes"].as_u64().unwrap() > 70_000, "{big}");

    // The journal has them too (`flow events --since`), in order.
    let since = hello["id"].as_u64().unwrap() - 1;
    let replayed: Vec<Value> = replay(&t, &srv, &["chat", "--since", &since.to_string()])
        .into_iter()
        .filter(|e| e["kind"] == "message_received")
        .collect();
    let commands: Vec<&str> = replayed
        .iter()
        .map(|e| e["data"]["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["hello", "tick", "tick", "tick", "big"]);

    // Status: connected, with the time of the last message.
    let v = status(&t, &srv, "chat");
    let r = &v["replicas"][0];
    assert_eq!(r["socket_connected"], true, "{r}");
    // Taken when the frame arrived, just before its event was written (same clock, RFC 3339
    // in UTC with milliseconds: the text orders as the time).
    let last = r["last_message_at"].as_str().unwrap();
    let big_time = replayed.last().unwrap()["time"].as_str().unwrap();
    let tick_time = replayed[3]["time"].as_str().unwrap();
    assert!(tick_time <= last && last <= big_time, "{r} {replayed:#?}");
    let table = t
        .stmgr()
        .args(["--server", &srv.url, "flow", "status", "chat"])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("socket") && text.contains(last), "{text}");
}

#[test]
fn replies_and_messages_interleaved_on_one_link_each_reach_their_place() {
    let t = TestDir::new();
    let (srv, _sockets) = server(&t, &[]);
    deploy(&t, &srv, "mix", HELPER_WORKER, 1);
    wait_until(Duration::from_secs(30), "the link connected", || {
        status(&t, &srv, "mix")["replicas"][0]["socket_connected"] == true
    });
    stmgr::client::install_crypto_provider();
    let client = reqwest::blocking::Client::new();
    let url = format!("{}/v1/flows/mix/send", srv.url);
    // 200 messages from the worker while 50 requests are in flight.
    let resp = client
        .post(&url)
        .json(&json!({"command": "spam", "data": 200}))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let (client, url) = (client.clone(), url.clone());
            std::thread::spawn(move || {
                let resp = client
                    .post(&url)
                    .json(&json!({"command": "echo", "data": {"i": i}}))
                    .send()
                    .unwrap();
                assert_eq!(resp.status(), 200);
                let v: Value = resp.json().unwrap();
                (i, v)
            })
        })
        .collect();
    for h in handles {
        let (i, v) = h.join().unwrap();
        assert_eq!(v["reply"]["command"], "echo", "{v}");
        assert_eq!(v["reply"]["data"], json!({"i": i}), "request {i} got {v}");
    }
    // Every message is a message, once, in order; no reply was taken for one.
    wait_until(Duration::from_secs(30), "200 ticks in the journal", || {
        messages(&t, &srv, "mix", "tick").len() >= 200
    });
    let ticks: Vec<i64> = messages(&t, &srv, "mix", "tick")
        .iter()
        .map(|e| e["data"]["data"]["i"].as_i64().unwrap())
        .collect();
    assert_eq!(ticks, (0..200).collect::<Vec<i64>>());
    assert!(messages(&t, &srv, "mix", "echo").is_empty());
}

#[test]
fn malformed_frames_are_error_events_and_the_manager_carries_on() {
    let t = TestDir::new();
    let (srv, _sockets) = server(&t, &[]);
    deploy(&t, &srv, "raw", RAW_WORKER, 1);
    deploy(&t, &srv, "calm", HELPER_WORKER, 1);
    let echo = |flow_name: &str| {
        let (code, out, err) = flow(&t, &srv, &["send", flow_name, "echo", "--data", "7"]);
        assert_eq!((code, &out["reply"]["data"]), (0, &json!(7)), "{err}");
    };
    echo("raw");

    // A burst of bad JSON: each request fails (502, exit 1) and the link is closed; the events
    // are at most one a second, the others counted in the next one.
    for _ in 0..5 {
        let (code, _, err) = flow(&t, &srv, &["send", "raw", "bad-json"]);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("socket_error") && err.contains("malformed frame"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // (Events are written by the link's recorder, just after the request failed.)
    let mut burst = Vec::new();
    wait_until(Duration::from_secs(30), "a malformed_frame event", || {
        burst = events_of(&t, &srv, "raw", "error", "malformed_frame");
        !burst.is_empty()
    });
    assert!(burst.len() < 5, "{burst:#?}");
    assert_eq!(burst[0]["replica"], "w-0");
    assert_eq!(burst[0]["data"]["bytes"], 3);
    assert!(
        burst[0]["data"]["message"]
            .as_str()
            .unwrap()
            .contains("not a JSON message"),
        "{burst:#?}"
    );
    // The replica answers again (the link reconnects), the other flow never noticed, and the
    // server is healthy.
    echo("raw");
    echo("calm");
    let (code, body) = crate::server_cli::reqwest::blocking_get(&format!("{}/health", srv.url));
    assert_eq!((code, body.as_str()), (200, "ok"));

    // Past the rate limit's second: a length over the limit is the next event, with the count
    // of the ones left out.
    std::thread::sleep(Duration::from_millis(1100));
    let (code, _, err) = flow(&t, &srv, &["send", "raw", "huge"]);
    assert_eq!(code, 1, "{err}");
    let mut all = Vec::new();
    wait_until(Duration::from_secs(30), "the huge frame's event", || {
        all = events_of(&t, &srv, "raw", "error", "malformed_frame");
        all.last().unwrap()["data"]["bytes"] == 0xffff_ffff_u64
    });
    let huge = all.last().unwrap();
    assert_eq!(huge["data"]["bytes"], 0xffff_ffff_u64, "{all:#?}");
    assert!(
        huge["data"]["message"]
            .as_str()
            .unwrap()
            .contains("over the 16 MiB limit")
    );
    let counted: u64 = all
        .iter()
        .map(|e| e["data"]["suppressed"].as_u64().unwrap())
        .sum();
    assert_eq!(all.len() as u64 - 1 + counted, 5, "{all:#?}");

    // A JSON frame without a command.
    std::thread::sleep(Duration::from_millis(1100));
    let (code, _, err) = flow(&t, &srv, &["send", "raw", "no-command"]);
    assert_eq!(code, 1, "{err}");
    let mut last = Vec::new();
    wait_until(
        Duration::from_secs(30),
        "the no-command frame's event",
        || {
            last = events_of(&t, &srv, "raw", "error", "malformed_frame");
            last.len() > all.len()
        },
    );
    let last = &last.last().unwrap()["data"];
    assert!(
        last["message"].as_str().unwrap().contains("command"),
        "{last}"
    );
    echo("raw");
    echo("calm");
    assert!(events_of(&t, &srv, "calm", "error", "").is_empty());
    // The link came back on its own too.
    wait_until(Duration::from_secs(30), "raw's link connected", || {
        status(&t, &srv, "raw")["replicas"][0]["socket_connected"] == true
    });
}

#[test]
fn a_worker_that_never_answers_times_out_and_its_late_reply_is_dropped() {
    let t = TestDir::new();
    let (srv, _sockets) = server(&t, &[]);
    deploy(&t, &srv, "slow", RAW_WORKER, 1);
    let (code, _, err) = flow(
        &t,
        &srv,
        &["send", "slow", "silent", "--reply-timeout", "300ms"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("socket_timeout") && err.lines().count() == 1,
        "{err}"
    );
    let mut timeouts = Vec::new();
    wait_until(Duration::from_secs(30), "the socket_timeout event", || {
        timeouts = events_of(&t, &srv, "slow", "error", "socket_timeout");
        !timeouts.is_empty()
    });
    assert_eq!(timeouts.len(), 1, "{timeouts:#?}");
    assert_eq!(timeouts[0]["data"]["command"], "silent");
    assert_eq!(timeouts[0]["data"]["timeout_ms"], 300);
    // The link stays up: the next request is answered.
    let (code, out, err) = flow(&t, &srv, &["send", "slow", "echo", "--data", "1"]);
    assert_eq!((code, &out["reply"]["data"]), (0, &json!(1)), "{err}");

    // A reply after its request timed out is dropped; the message after it is a message.
    let (code, _, err) = flow(
        &t,
        &srv,
        &["send", "slow", "late", "--reply-timeout", "200ms"],
    );
    assert_eq!(code, 1, "{err}");
    wait_until(Duration::from_secs(30), "the after-late message", || {
        !messages(&t, &srv, "slow", "after-late").is_empty()
    });
    assert!(messages(&t, &srv, "slow", "late").is_empty());
    // A timeout out of range is the client's mistake.
    let (code, _, _) = flow(&t, &srv, &["send", "slow", "echo", "--reply-timeout", "2m"]);
    assert_eq!(code, 2);
}

#[test]
fn flow_events_keep_bounds_the_journal() {
    let t = TestDir::new();
    let (srv, _sockets) = server(&t, &["--flow-events-keep", "5"]);
    deploy(&t, &srv, "few", HELPER_WORKER, 1);
    let (code, _, err) = flow(&t, &srv, &["send", "few", "spam", "--data", "20"]);
    assert_eq!(code, 0, "{err}");
    wait_until(Duration::from_secs(30), "tick 19", || {
        replay(&t, &srv, &["few"])
            .iter()
            .any(|e| e["data"]["data"]["i"] == 19)
    });
    let kept = replay(&t, &srv, &[]);
    assert_eq!(kept.len(), 5, "{kept:#?}");
    let last = *ids(&kept).last().unwrap();
    assert_eq!(ids(&kept), (last - 4..=last).collect::<Vec<u64>>());
    // A resume point before what is kept is refused (410 compacted).
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "flow", "events", "--since", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("compacted"));

    // Bad values are usage errors.
    for (flag, value) in [
        ("--flow-events-keep", "0"),
        ("--flow-sample-interval", "1ms"),
        ("--flow-events-max-age", "soon"),
    ] {
        let out = t
            .stmgr()
            .args(["server", "start", "--data-dir"])
            .arg(t.path().join("other"))
            .args([flag, value])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
    }
}
