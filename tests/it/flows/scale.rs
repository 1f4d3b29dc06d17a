//! Scaling: replicas added get their control sockets and answer on them, replicas removed take
//! their sockets with them while the others keep their processes; and 50 flows of 2 replicas
//! each on one server: deployed, all ready, 100 running, removed, no process left.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::{alive, flow, helper, python, ready_pids, status, wait_ready};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

/// A server with its sockets in a short directory under /tmp (a Unix socket path is short).
fn server(t: &TestDir) -> (ServerProc, tempfile::TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("sc")
        .tempdir_in("/tmp")
        .unwrap();
    let sockets = tmp.path().join("s");
    let data = t.path().join("data");
    let (child, lines) =
        ServerProc::spawn(t, &data, &["--flow-socket-dir", sockets.to_str().unwrap()]);
    (ServerProc::from_spawned(child, lines), tmp, sockets)
}

fn sockets_of(dir: &std::path::Path, flow: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&format!("{flow}.")))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn scaling_up_gives_new_replicas_sockets_and_scaling_down_removes_theirs() {
    let t = TestDir::new();
    let (srv, _tmp, sockets) = server(&t);
    let file = t.write(
        "sc.toml",
        &format!(
            "name = \"sc\"\n[workers.w]\ncommand = \"{}\"\nargs = [\"{}\"]\n\
             stop_timeout = \"2s\"\n[workers.w.readiness]\nlog_line = \"^ready\"\n",
            python(),
            helper().display()
        ),
    );
    let (rc, _, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap(), "--wait"]);
    assert_eq!(rc, 0, "{err}");
    let one = wait_ready(&t, &srv, "sc", 1);
    assert_eq!(sockets_of(&sockets, "sc"), ["sc.w-0.sock"]);

    let (rc, _, err) = flow(&t, &srv, &["scale", "sc", "3"]);
    assert_eq!(rc, 0, "{err}");
    let three = wait_ready(&t, &srv, "sc", 3);
    assert_eq!(three[0], one[0], "w-0 kept its process");
    wait_until(Duration::from_secs(10), "3 sockets", || {
        sockets_of(&sockets, "sc") == ["sc.w-0.sock", "sc.w-1.sock", "sc.w-2.sock"]
    });
    for r in ["sc/w-1", "sc/w-2"] {
        let (rc, out, err) = flow(&t, &srv, &["dump", r]);
        assert_eq!(rc, 0, "{r}: {err}");
        assert_eq!(out["replica"], r.trim_start_matches("sc/"), "{out}");
    }

    // Down to one: the removed replicas' processes end (SIGTERM: the helper leaves its socket
    // behind) and the manager removes their sockets.
    let (rc, _, err) = flow(&t, &srv, &["scale", "sc", "1"]);
    assert_eq!(rc, 0, "{err}");
    for (_, pid) in &three[1..] {
        wait_until(Duration::from_secs(10), "a removed replica to exit", || {
            !alive(*pid)
        });
    }
    assert_eq!(sockets_of(&sockets, "sc"), ["sc.w-0.sock"]);
    let v = status(&t, &srv, "sc");
    assert_eq!(v["replicas"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(ready_pids(&v), one);
    let (rc, _, err) = flow(&t, &srv, &["send", "sc/w-1", "status"]);
    assert_eq!(rc, 1, "a removed replica is not reachable: {err}");

    // Up again: the new w-1 makes a new socket.
    let (rc, _, err) = flow(&t, &srv, &["scale", "sc", "2"]);
    assert_eq!(rc, 0, "{err}");
    wait_ready(&t, &srv, "sc", 2);
    wait_until(Duration::from_secs(10), "w-1's socket", || {
        sockets_of(&sockets, "sc").len() == 2
    });
    let (rc, out, err) = flow(&t, &srv, &["send", "sc/w-1", "status"]);
    assert_eq!(rc, 0, "{err}");
    assert!(out["reply"]["data"]["pid"].as_i64().is_some(), "{out}");
}

#[test]
fn fifty_flows_of_two_replicas_deploy_run_and_go_away() {
    const FLOWS: usize = 50;
    let t = TestDir::new();
    let (srv, _tmp, sockets) = server(&t);
    let script = t.write("tiny.sh", "#!/bin/sh\necho ready\nexec /bin/sleep 1000\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    for i in 0..FLOWS {
        let file = t.write(
            format!("f{i}.toml"),
            &format!(
                "name = \"f{i}\"\n[workers.w]\ncommand = \"{}\"\nreplicas = 2\n\
                 stop_timeout = \"2s\"\n[workers.w.readiness]\nlog_line = \"^ready\"\n",
                script.display()
            ),
        );
        let (rc, _, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap()]);
        assert_eq!(rc, 0, "f{i}: {err}");
    }
    let mut list = Value::Null;
    wait_until(Duration::from_secs(60), "every flow ready", || {
        let (rc, v, _) = flow(&t, &srv, &["ls"]);
        list = v;
        rc == 0
            && list.as_array().is_some_and(|a| {
                a.len() == FLOWS && a.iter().all(|f| f["deploy"] == "ready" && f["ready"] == 2)
            })
    });
    let mut pids = Vec::new();
    for i in 0..FLOWS {
        let v = status(&t, &srv, &format!("f{i}"));
        for r in v["replicas"].as_array().unwrap() {
            assert_eq!(r["state"], "RUNNING", "{r}");
            pids.push(r["pid"].as_i64().unwrap());
        }
    }
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 2 * FLOWS, "100 distinct running processes");
    assert!(pids.iter().all(|p| alive(*p)));

    for i in 0..FLOWS {
        let (rc, _, err) = flow(&t, &srv, &["rm", &format!("f{i}")]);
        assert_eq!(rc, 0, "f{i}: {err}");
    }
    let (_, list, _) = flow(&t, &srv, &["ls"]);
    assert_eq!(list, Value::Array(vec![]));
    // rm returns once the replicas are stopped: nothing is left.
    let left: Vec<i64> = pids.iter().copied().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "left running: {left:?}");
    assert!(
        std::fs::read_dir(t.path().join("data/flows"))
            .map(|d| d.count() == 0)
            .unwrap_or(true)
    );
    assert_eq!(
        std::fs::read_dir(&sockets).map(|d| d.count()).unwrap_or(0),
        0
    );
}
