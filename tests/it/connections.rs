//! Connection limits of the real server binary over raw sockets: the idle keep-alive, request
//! header and request body timeouts (408 JSON answers where HTTP/1.1 allows one), a watch
//! stream that outlives all three, the connection cap (503 JSON above it, room again once a
//! connection closes), the raised open-files limit, and the back-off when accept runs out of
//! file descriptors.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::rawhttp::{Started, connect, get, read_response, read_to_close};
use crate::util::{TestDir, wait_until};

/// The JSON error body of a raw answer.
fn error_code(answer: &str) -> String {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let v: Value = serde_json::from_str(body.trim())
        .unwrap_or_else(|e| panic!("not a JSON body ({e}): {answer:?}"));
    assert!(v["message"].is_string() && v["detail"].is_string(), "{v}");
    v["error"].as_str().unwrap_or_default().to_string()
}

/// The value of the metric line starting with `prefix` (name and labels).
fn metric(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix)?.trim().parse().ok())
}

const HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n";

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout_and_a_busy_one_is_not() {
    let t = TestDir::new();
    let s = Started::new(
        &t,
        &["--idle-timeout", "1s", "--header-timeout", "30s"],
        |_| {},
    );
    // Requests 400 ms apart keep the connection for longer than the idle timeout.
    let mut c = connect(&s.addr());
    let opened = Instant::now();
    for _ in 0..4 {
        c.write_all(HEALTH).unwrap();
        assert_eq!(read_response(&mut c).0, 200);
        std::thread::sleep(Duration::from_millis(400));
    }
    assert!(opened.elapsed() > Duration::from_millis(1500));
    c.write_all(HEALTH).unwrap();
    assert_eq!(read_response(&mut c).0, 200);
    // Then idle: closed about a second later, without an answer.
    let (got, after) = read_to_close(&mut c, Duration::from_secs(10));
    assert_eq!(got, "", "an idle close sends nothing");
    assert!(
        after >= Duration::from_millis(900),
        "closed after {after:?}, before the idle timeout"
    );
}

#[test]
fn a_slow_header_is_answered_408_while_a_silent_connection_waits_for_the_idle_timeout() {
    let t = TestDir::new();
    let s = Started::new(
        &t,
        &["--header-timeout", "1s", "--idle-timeout", "30s"],
        |_| {},
    );
    let mut silent = connect(&s.addr());
    let mut slow = connect(&s.addr());
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    let (answer, after) = read_to_close(&mut slow, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert_eq!(error_code(&answer), "request_timeout");
    assert!(
        after >= Duration::from_millis(900),
        "answered after {after:?}"
    );
    // The connection that sent nothing is older than the header timeout and still served.
    silent.write_all(HEALTH).unwrap();
    let (status, _, body) = read_response(&mut silent);
    assert_eq!((status, body.as_str()), (200, "ok"));
}

#[test]
fn a_stalled_request_body_is_answered_408_and_the_connection_closed() {
    let t = TestDir::new();
    let s = Started::new(
        &t,
        &["--body-timeout", "1s", "--metrics-listen", "127.0.0.1:0"],
        |_| {},
    );
    let mut c = connect(&s.addr());
    c.write_all(
        b"POST /v1/ns/objects HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"type\": \"t\", ",
    )
    .unwrap();
    let (answer, after) = read_to_close(&mut c, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(
        after >= Duration::from_millis(900),
        "answered after {after:?}"
    );
    let body = answer.split_once("\r\n\r\n").unwrap().1;
    assert!(body.contains("request_timeout"), "{answer}");
    let (_, _, metrics) = get(&s.metrics_addr(), "/metrics", "");
    assert_eq!(
        metric(
            &metrics,
            "connection_timeouts_total{listener=\"api\",reason=\"body\"}"
        ),
        Some(1.0),
        "{metrics}"
    );
}

#[test]
fn a_watch_stream_outlives_every_connection_timeout() {
    let t = TestDir::new();
    let s = Started::new(
        &t,
        &[
            "--header-timeout",
            "1s",
            "--idle-timeout",
            "1s",
            "--body-timeout",
            "1s",
            "--heartbeat",
            "200ms",
        ],
        |_| {},
    );
    let mut w = connect(&s.addr());
    w.write_all(b"GET /v1/ns/watch HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    // Three times the longest timeout: heartbeats keep arriving, the stream stays open.
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        w.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        match w.read(&mut buf) {
            Ok(0) => panic!(
                "the watch stream was closed after {:?}: {:?}",
                start.elapsed(),
                String::from_utf8_lossy(&got)
            ),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "{e}"
            ),
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    assert!(text.starts_with("HTTP/1.1 200 "), "{text:?}");
    assert!(
        text.matches("\n:").count() >= 5,
        "heartbeats every 200 ms: {text:?}"
    );
    // An event still gets through.
    t.stmgr()
        .args([
            "--server", &s.srv.url, "put", "ns", "k", "--type", "t", "--body", "1",
        ])
        .assert()
        .success();
    let mut seen = String::new();
    let start = Instant::now();
    while !seen.contains("id: 1\n") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no event on the stream: {seen:?}"
        );
        match w.read(&mut buf) {
            Ok(0) => panic!("the watch stream closed: {seen:?}"),
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "{e}"
            ),
        }
    }
}

#[test]
fn above_max_connections_a_client_gets_a_503_and_room_comes_back_when_one_closes() {
    let t = TestDir::new();
    let s = Started::new(
        &t,
        &["--max-connections", "5", "--metrics-listen", "127.0.0.1:0"],
        |_| {},
    );
    assert!(
        s.line_with("at most 5 connections")
            .contains("timeouts: header 10s, idle 1m, body 30s"),
        "{:#?}",
        s.lines
    );
    let mut open: Vec<TcpStream> = (0..5).map(|_| connect(&s.addr())).collect();
    for c in &mut open {
        c.write_all(HEALTH).unwrap();
        assert_eq!(read_response(c).0, 200);
    }
    let (status, head, body) = get(&s.addr(), "/health", "");
    assert_eq!(status, 503, "{head}\n{body}");
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("connection: close") && lower.contains("retry-after: 1"),
        "{head}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"], "too_many_connections", "{v}");
    let (_, _, metrics) = get(&s.metrics_addr(), "/metrics", "");
    assert_eq!(
        metric(&metrics, "connections_open{listener=\"api\"}"),
        Some(5.0),
        "{metrics}"
    );
    assert_eq!(
        metric(
            &metrics,
            "connections_refused_total{listener=\"api\",reason=\"limit\"}"
        ),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "connections_limit{listener=\"api\"}"),
        Some(5.0)
    );
    // One closes: a new client gets in.
    drop(open.pop());
    wait_until(Duration::from_secs(10), "a free place", || {
        get(&s.addr(), "/health", "").0 == 200
    });
    // The open ones are still served.
    open[0].write_all(HEALTH).unwrap();
    assert_eq!(read_response(&mut open[0]).0, 200);
}

/// `(soft, hard)` open-files limits for a child, within the test's own hard limit.
fn nofile(soft: u64, hard: u64) -> impl FnOnce(&mut Command) {
    let own = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .maximum
        .unwrap_or(u64::MAX);
    let (soft, hard) = (soft.min(own), hard.min(own));
    move |cmd: &mut Command| {
        // SAFETY: setrlimit is a single system call, safe between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                rustix::process::setrlimit(
                    rustix::process::Resource::Nofile,
                    rustix::process::Rlimit {
                        current: Some(soft),
                        maximum: Some(hard),
                    },
                )
                .map_err(std::io::Error::from)
            });
        }
    }
}

#[test]
fn the_soft_open_files_limit_is_raised_to_the_hard_one_and_reported() {
    let t = TestDir::new();
    let s = Started::new(&t, &["--metrics-listen", "127.0.0.1:0"], nofile(256, 1024));
    let line = s.line_with("open files limit");
    assert!(
        line.starts_with(
            "open files limit 1024 (raised from 256; hard limit 1024); at most 768 connections"
        ),
        "{line}"
    );
    let (_, _, metrics) = get(&s.metrics_addr(), "/metrics", "");
    assert_eq!(
        metric(&metrics, "process_max_fds"),
        Some(1024.0),
        "{metrics}"
    );
    assert!(
        metric(&metrics, "process_open_fds").unwrap() > 3.0,
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "connections_limit{listener=\"api\"}"),
        Some(768.0)
    );
}

/// User plus system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn out_of_file_descriptors_the_accept_loop_backs_off_and_logs_once() {
    let t = TestDir::new();
    // A cap the descriptors cannot hold: accepts fail with EMFILE first.
    let s = Started::new(&t, &["--max-connections", "1000"], nofile(48, 48));
    assert!(
        s.line_with("WARNING: --max-connections 1000")
            .contains("open files")
    );
    let held: Vec<TcpStream> = (0..60).map(|_| connect(&s.addr())).collect();
    let pid = s.srv.child.id();
    let first = s
        .rest
        .recv_timeout(Duration::from_secs(10))
        .expect("an accept failure is logged");
    assert!(first.contains("accept failed"), "{first}");
    assert!(first.contains("Too many open files"), "{first}");
    // Two seconds out of descriptors: no busy loop, no second warning.
    let before = cpu_ticks(pid);
    let mut more = Vec::new();
    let start = Instant::now();
    while let Some(left) = Duration::from_secs(2).checked_sub(start.elapsed()) {
        if let Ok(line) = s.rest.recv_timeout(left) {
            more.push(line);
        }
    }
    let used = cpu_ticks(pid) - before;
    assert!(used < 30, "{used} CPU ticks in 2 s while accept fails");
    assert!(
        !more.iter().any(|l| l.contains("accept failed")),
        "the warning repeats: {more:#?}"
    );
    // Descriptors come back: the server serves again.
    drop(held);
    wait_until(Duration::from_secs(15), "a request served", || {
        get(&s.addr(), "/health", "").0 == 200
    });
}
