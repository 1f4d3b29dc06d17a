//! `--timeout`: a request that gets no answer fails with one clear line and exit 1 once the
//! timeout has passed (flag, `STMGR_TIMEOUT` and `client.timeout` alike, requests and streams
//! that never start alike), and a quiet watch stream is never cut by it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Reaped, run, texts, watch_clients};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

/// A TCP listener that accepts connections and never answers, until dropped.
struct Silent {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Silent {
    fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let stop = stop.clone();
            move || {
                // Held open, never read or written: the client waits for an answer.
                let mut held = Vec::new();
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    held.extend(conn.ok());
                }
            }
        });
        Silent {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop up so it sees `stop`.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn no_answer_within_the_timeout_is_one_error_line_and_exit_1() {
    let t = TestDir::new();
    let silent = Silent::start();
    let url = silent.url();
    let config = t.write("stmgr.toml", "[client]\ntimeout = \"1s\"\n");
    let spawn = |configure: &dyn Fn(&mut Command)| {
        let mut cmd = t.std_command();
        cmd.args(["--server", &url])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        configure(&mut cmd);
        (Instant::now(), Reaped::spawn(&mut cmd))
    };
    // All at once: each waits its second.
    let ls = spawn(&|c| {
        c.args(["--timeout", "1s", "ls", "ns"]);
    });
    let status = spawn(&|c| {
        c.arg("--config").arg(&config).arg("status");
    });
    let workflow = spawn(&|c| {
        c.env("STMGR_TIMEOUT", "1s")
            .env("STATE_MANAGER_SECRET", "k")
            .args(["graph", "list", "--ns", "wf"]);
    });
    // A stream that never starts is bounded too.
    let watch = spawn(&|c| {
        c.args(["watch", "ns", "--timeout", "1s"]);
    });

    let message = format!("no answer from {url} within 1s (raise it with --timeout)\n");
    for (what, (started, child)) in [
        ("ls", ls),
        ("status", status),
        ("graph list", workflow),
        ("watch", watch),
    ] {
        let out = child.wait_within(Duration::from_secs(20), what);
        let elapsed = started.elapsed();
        let (stdout, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(1), "{what}: {out:?}");
        assert!(stdout.is_empty(), "{what}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.ends_with(&message),
            "{what}: {stderr}"
        );
        assert!(
            elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(8),
            "{what} gave up after {elapsed:?}"
        );
    }
    // `ls` adds no context of its own: the line is exactly the promised one.
    let out = run_against(&t, &url, &["--timeout", "100ms", "ls", "ns"]);
    assert_eq!(
        texts(&out).1,
        format!("error: no answer from {url} within 100ms (raise it with --timeout)\n")
    );
}

fn run_against(t: &TestDir, url: &str, args: &[&str]) -> std::process::Output {
    t.stmgr()
        .args(["--server", url])
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run stmgr")
}

#[test]
fn a_quiet_watch_stream_outlives_the_timeout() {
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    let mut watch = Reaped::spawn(
        t.std_command()
            .args(["--server", &srv.url, "--timeout", "1s"])
            .args(["watch", "ns", "--count", "1", "--output", "jsonl"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    wait_until(Duration::from_secs(20), "the watch stream to open", || {
        watch_clients(&srv) == 1
    });
    // Three timeouts pass on an idle stream: the watcher neither exits nor reconnects.
    let opened = Instant::now();
    wait_until(Duration::from_secs(20), "three seconds of quiet", || {
        let exited = watch.child().try_wait().expect("try_wait");
        assert!(
            exited.is_none(),
            "watch ended on a quiet stream: {exited:?}"
        );
        opened.elapsed() >= Duration::from_secs(3)
    });
    assert_eq!(watch_clients(&srv), 1, "one stream, never reopened");
    let out = run(
        &t,
        &srv,
        &["put", "ns", "late", "--type", "t", "--body", "1"],
    );
    assert!(out.status.success(), "{out:?}");
    let out = watch.wait_within(Duration::from_secs(20), "watch to print the change");
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("\"late\""), "{stdout}");
    assert!(stderr.is_empty(), "no reconnection, no error: {stderr}");
}
