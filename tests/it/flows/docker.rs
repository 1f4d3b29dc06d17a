//! A worker whose command is `docker run --rm --init …`, supervised like any process. No
//! container engine runs here: `tests/fixtures/docker-standin/docker`, first on the server's
//! `PATH`, runs the container's command in a session of its own (outside the `docker run`
//! client's process group, as a real container is) under an init that forwards SIGTERM and
//! reaps. A stop reaches the inner process only through that forwarding; nothing is left.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::{alive, flow, status, wait_ready};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

fn standin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docker-standin")
}

/// (process group, session) of `pid`, from `/proc/PID/stat`.
fn group_and_session(pid: i64) -> Option<(i64, i64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // state ppid pgrp session …
    Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
}

/// Every live process whose group or session is `id`.
fn members(id: i64) -> Vec<i64> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i64>().ok())
        .filter(|&p| alive(p) && group_and_session(p).is_some_and(|(g, s)| g == id || s == id))
        .collect()
}

fn read_pid(path: &Path) -> i64 {
    let mut pid = 0;
    wait_until(Duration::from_secs(10), "the container's pid file", || {
        pid = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        pid > 0
    });
    pid
}

#[test]
fn a_docker_run_worker_gets_the_stop_signal_through_init_and_leaves_nothing() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", standin_dir().display());
    let srv = ServerProc::start_env(&t, &data, &[("PATH", path)]);
    let out = t.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // The container's command: says ready, and on SIGTERM stops its own child, writes a marker
    // and exits 0.
    let inner = "trap 'kill $s; echo term > \"$OUT/marker\"; exit 0' TERM; echo ready; \
                 /bin/sleep 1000 & s=$!; wait $s";
    let manifest = t.write(
        "docker.toml",
        &format!(
            "name = \"boxed\"\n[workers.w]\ncommand = \"docker\"\n\
             args = [\"run\", \"--rm\", \"--init\", \"-e\", \"OUT={out}\", \"busybox:1\", \
                     \"/bin/sh\", \"-c\", {inner:?}]\n\
             ready_timeout = \"10s\"\nstop_timeout = \"15s\"\n\
             env = {{ DOCKER_STANDIN_PIDFILE = \"{out}/inner.pid\" }}\n\
             [workers.w.readiness]\nlog_line = \"^ready\"\n",
            out = out.display(),
        ),
    );
    let (rc, v, err) = flow(&t, &srv, &["deploy", manifest.to_str().unwrap(), "--wait"]);
    assert_eq!((rc, &v["deploy"]), (0, &Value::from("ready")), "{err}");
    let client = wait_ready(&t, &srv, "boxed", 1)[0].1;
    let pidfile = out.join("inner.pid");
    let inner_pid = read_pid(&pidfile);
    assert!(alive(inner_pid));
    // The "container" is outside the client's process group: a signal to the group does not
    // reach it, only the init's forwarding does.
    let (client_group, _) = group_and_session(client).unwrap();
    let (inner_group, inner_session) = group_and_session(inner_pid).unwrap();
    assert_eq!(
        client_group, client,
        "the supervisor made the client a group leader"
    );
    assert_ne!(inner_group, client_group);
    assert_eq!(inner_session, inner_pid);

    // Supervised like any process: the container's process dying ends `docker run` (128+9)
    // and the replica is started again.
    std::fs::remove_file(&pidfile).unwrap();
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(inner_pid).unwrap()).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    let mut replica = Value::Null;
    wait_until(Duration::from_secs(20), "the replica restarted", || {
        replica = status(&t, &srv, "boxed")["replicas"][0].clone();
        replica["ready"] == true && replica["pid"].as_i64() != Some(client)
    });
    assert_eq!(replica["last_exit"], "exit code 137", "{replica}");
    wait_until(
        Duration::from_secs(10),
        "the first container's processes gone",
        || members(inner_pid).is_empty(),
    );
    let client = replica["pid"].as_i64().unwrap();
    let inner_pid = read_pid(&pidfile);

    // Stop: SIGTERM to the client's group, forwarded by the init; the container's command
    // traps it and exits 0, and so does the client, well before the stop timeout's SIGKILL.
    let (rc, _, err) = flow(&t, &srv, &["stop", "boxed"]);
    assert_eq!(rc, 0, "{err}");
    wait_until(Duration::from_secs(20), "the client to exit", || {
        !alive(client)
    });
    assert_eq!(
        std::fs::read_to_string(out.join("marker")).unwrap().trim(),
        "term",
        "the stop signal reached the container's command"
    );
    // Nothing is left: not the client's group, not the container's session (its sleep too).
    wait_until(Duration::from_secs(10), "no process left", || {
        members(client).is_empty() && members(inner_pid).is_empty()
    });
    let (rc, _, err) = flow(&t, &srv, &["rm", "boxed"]);
    assert_eq!(rc, 0, "{err}");
}
