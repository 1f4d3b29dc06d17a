//! Readiness probes (exec, HTTP, TCP) against listeners the children start themselves, and a
//! failing liveness probe restarting its process.

use std::time::Duration;

use super::{Sup, pid_of};
use crate::util::{TestDir, wait_until};

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn exec_http_and_tcp_readiness_follow_the_listeners_the_children_start() {
    let t = TestDir::new();
    let dir = t.path().display().to_string();
    let (http, tcp) = (free_port(), free_port());
    // Each child waits for the file `go` before it listens, so "running, not ready" lasts
    // until the test creates it.
    let wait = "while [ ! -f go ]; do sleep 0.05; done";
    let procs = format!(
        r#"
[process.httpd]
command = "sh"
args = ["-c", "{wait}; exec python3 -m http.server {http} --bind 127.0.0.1"]
cwd = "{dir}"
readiness = {{ http = "http://127.0.0.1:{http}/go", interval = "100ms" }}

[process.missing]
command = "sh"
args = ["-c", "exec sleep 1000"]
readiness = {{ http = "http://127.0.0.1:{http}/no-such-file", interval = "100ms" }}

[process.tcpd]
command = "sh"
args = ["-c", "{wait}; exec python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\", {tcp})); s.listen(); time.sleep(1000)'"]
cwd = "{dir}"
readiness = {{ tcp = "127.0.0.1:{tcp}", interval = "100ms" }}

[process.execd]
command = "sh"
args = ["-c", "exec sleep 1000"]
readiness = {{ exec = ["test", "-f", "{dir}/go"], interval = "100ms" }}
"#
    );
    let file = t.write("procs.toml", &procs);
    let sup = Sup::start_in(t, &["--config".into(), file.display().to_string()]);
    for name in ["httpd", "tcpd", "execd", "missing"] {
        sup.wait_state(name, "RUNNING");
    }
    // Three probe rounds with nothing listening: nobody is ready.
    let poll_rounds = std::time::Instant::now();
    wait_until(Duration::from_secs(10), "three probe intervals", || {
        poll_rounds.elapsed() >= Duration::from_millis(300)
    });
    for name in ["httpd", "tcpd", "execd", "missing"] {
        let p = sup.one(name);
        assert_eq!(p["ready"], false, "{p}");
    }
    std::fs::write(sup.t.path().join("go"), "ok").unwrap();
    for name in ["httpd", "tcpd", "execd"] {
        sup.wait_for(name, "ready", |p| {
            p["ready"] == true && p["state"] == "RUNNING"
        });
    }
    // The HTTP server answers 404 for this one: running, never ready.
    let p = sup.one("missing");
    assert_eq!(
        (p["state"].as_str(), p["ready"].as_bool()),
        (Some("RUNNING"), Some(false)),
        "{p}"
    );
}

#[test]
fn a_failing_liveness_probe_restarts_the_process() {
    let t = TestDir::new();
    let dir = t.path().display().to_string();
    let procs = format!(
        r#"
[process.alive]
command = "sh"
args = ["-c", "echo run >> runs; touch alive; echo up; while :; do sleep 0.1; done"]
cwd = "{dir}"
restart = "always"
restart_delay = "100ms"
readiness = {{ log_line = "^up$" }}
liveness = {{ exec = ["test", "-f", "{dir}/alive"], interval = "100ms", failure_threshold = 2 }}
"#
    );
    let file = t.write("procs.toml", &procs);
    let sup = Sup::start_in(t, &["--config".into(), file.display().to_string()]);
    let first = sup.wait_for("alive", "ready", |p| p["ready"] == true);
    let pid = pid_of(&first);
    assert_eq!(first["restarts"], 0);
    // Passing probes do nothing: a few rounds later it is the same run.
    let t0 = std::time::Instant::now();
    wait_until(Duration::from_secs(10), "five probe intervals", || {
        t0.elapsed() >= Duration::from_millis(500)
    });
    assert_eq!(pid_of(&sup.one("alive")), pid);
    let mut events = sup.cli_spawn(&["events", "-o", "jsonl"]);
    events.wait_line(|l| l.contains("\"snapshot\""));
    std::fs::remove_file(sup.t.path().join("alive")).unwrap();
    let again = sup.wait_for("alive", "a second run, ready", |p| {
        p["restarts"] == 1 && p["ready"] == true && p["pid"].as_i64() != Some(i64::from(pid))
    });
    assert_eq!(
        again["last_exit"]["signal"], 15,
        "stopped by its stop signal: {again}"
    );
    let backoff = events.wait_line(|l| l.contains("\"BACKOFF\""));
    assert!(backoff.contains("liveness probe failed"), "{backoff}");
    let runs = std::fs::read_to_string(sup.t.path().join("runs")).unwrap();
    assert_eq!(runs.lines().count(), 2, "{runs}");
}
