//! `server start` under systemd: with `NOTIFY_SOCKET` naming a real Unix datagram socket (a
//! path, or an abstract name with `@`), it sends `READY=1` once it listens and `STOPPING=1`
//! when SIGTERM starts the shutdown, each with a `STATUS=` line, and exits 0.

use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

use crate::rawhttp;
use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// The next datagram on `sock`, as text.
fn recv(sock: &UnixDatagram) -> String {
    let mut buf = [0u8; 4096];
    let n = sock.recv(&mut buf).expect("a notification within 30s");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

fn notifies_ready_then_stopping(sock: &UnixDatagram, notify_socket: String) {
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let t = TestDir::new();
    let srv = ServerProc::start_env(
        &t,
        &t.path().join("state"),
        &[("NOTIFY_SOCKET", notify_socket)],
    );
    let ready = recv(sock);
    let lines: Vec<&str> = ready.lines().collect();
    assert_eq!(lines.first(), Some(&"READY=1"), "{ready:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("STATUS=listening on http://127.0.0.1:")
                && l.ends_with("; commit_seq 0")),
        "{ready:?}"
    );
    // Ready means listening: a request is answered.
    let addr = srv.url.trim_start_matches("http://").to_string();
    assert_eq!(rawhttp::get(&addr, "/health", "").0, 200);

    let status = srv.terminate();
    let stopping = recv(sock);
    assert!(stopping.starts_with("STOPPING=1\n"), "{stopping:?}");
    assert!(stopping.contains("STATUS=shutting down"), "{stopping:?}");
    assert!(status.success(), "{status:?}");
}

#[test]
fn ready_and_stopping_reach_a_socket_path() {
    let t = TestDir::new();
    let path = t.path().join("notify.sock");
    let sock = UnixDatagram::bind(&path).unwrap();
    notifies_ready_then_stopping(&sock, path.display().to_string());
}

#[test]
fn ready_and_stopping_reach_an_abstract_socket() {
    let name = format!("stmgr-it-notify-{}", std::process::id());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let sock = UnixDatagram::bind_addr(&addr).unwrap();
    notifies_ready_then_stopping(&sock, format!("@{name}"));
}

#[test]
fn an_unusable_notify_socket_is_a_warning_not_a_failure() {
    let t = TestDir::new();
    let missing = t.path().join("nobody-listens.sock");
    let mut srv = ServerProc::start_env(
        &t,
        &t.path().join("state"),
        &[
            ("NOTIFY_SOCKET", missing.display().to_string()),
            ("STMGR_LOG", "warn".to_string()),
        ],
    );
    let addr = srv.url.trim_start_matches("http://").to_string();
    assert_eq!(rawhttp::get(&addr, "/health", "").0, 200);
    let (status, lines) = srv.terminate_with_stderr();
    assert!(status.success(), "{status:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("could not tell systemd READY=1")),
        "{lines:#?}"
    );
}
