//! The control socket of a replica, both ends real: the server's flow manager and the Python
//! helper of `examples/flow_worker.py` as the worker. `flow send` and `flow dump` reach the
//! replica named or the only one; an unknown command is the worker's refusal (exit 1); a
//! replica that serves no socket is a 502.

use serde_json::{Value, json};

use super::{flow, helper, python, wait_ready};
use crate::server_cli::ServerProc;
use crate::util::TestDir;

#[test]
fn send_and_dump_reach_each_replica_over_its_socket() {
    let t = TestDir::new();
    let data = t.path().join("data");
    // A short socket directory: the test directory's path may be too long for a Unix socket.
    let tmp = tempfile::Builder::new()
        .prefix("sk")
        .tempdir_in("/tmp")
        .unwrap();
    let sockets = tmp.path().join("s");
    let (child, lines) =
        ServerProc::spawn(&t, &data, &["--flow-socket-dir", sockets.to_str().unwrap()]);
    let srv = ServerProc::from_spawned(child, lines);
    let file = t.write(
        "py.toml",
        &format!(
            "name = \"py\"\n[workers.w]\ncommand = \"{}\"\nargs = [\"{}\"]\nreplicas = 2\n\
             [workers.w.readiness]\nlog_line = \"^ready\"\n[workers.plain]\n\
             command = \"/bin/sleep\"\nargs = [\"1000\"]\n",
            python(),
            helper().display()
        ),
    );
    let (code, _, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap(), "--wait"]);
    assert_eq!(code, 0, "{err}");
    wait_ready(&t, &srv, "py", 3);
    let mode = std::fs::metadata(&sockets).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        mode.permissions().mode() & 0o777,
        0o700,
        "{}",
        sockets.display()
    );

    let (code, out, err) = flow(
        &t,
        &srv,
        &["send", "py/w-1", "echo", "--data", r#"{"a":[1,2]}"#],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["replica"], "w-1");
    assert_eq!(out["reply"]["command"], "echo");
    assert_eq!(out["reply"]["data"], json!({"a": [1, 2]}));
    assert!(out["reply"]["timestamp"].as_str().unwrap().ends_with('Z'));

    let (code, out, err) = flow(&t, &srv, &["dump", "py/w-0"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out["reply"]["data"],
        json!({"worker": "w", "replica": 0, "flow": "py"})
    );

    // The table form prints the reply's data.
    let text = t
        .stmgr()
        .args(["--server", &srv.url, "flow", "send", "py/w-0", "status"])
        .output()
        .unwrap();
    let shown: Value = serde_json::from_slice(&text.stdout).unwrap();
    assert!(shown["pid"].as_i64().unwrap() > 0, "{shown}");

    // An unknown command: the worker refuses, the command fails with one error line.
    let (code, _, err) = flow(&t, &srv, &["send", "py/w-0", "frobnicate"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: replica w-0 refused frobnicate") && err.lines().count() == 1,
        "{err}"
    );

    // A replica without a socket: 502 socket_error, exit 1.
    let (code, _, err) = flow(&t, &srv, &["send", "py/plain-0", "status"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("socket_error") && err.contains("py.plain-0.sock"),
        "{err}"
    );
    // No such replica.
    let (code, _, err) = flow(&t, &srv, &["dump", "py/w-9"]);
    assert_eq!(code, 1);
    assert!(err.contains("no replica \"w-9\""), "{err}");
    // Bad --data is a usage error.
    let (code, _, _) = flow(&t, &srv, &["send", "py", "echo", "--data", "{"]);
    assert_eq!(code, 2);
}
