//! The real `stmgr server start` binary with the client commands, SIGTERM and SIGKILL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use predicates::prelude::*;
use serde_json::{Value, json};

use crate::util::{TestDir, stmgr_path};

/// A server process on a free port.
pub struct ServerProc {
    pub child: Child,
    pub url: String,
    /// The server's stderr lines after the one with its address.
    pub lines: mpsc::Receiver<String>,
}

impl ServerProc {
    /// `stmgr server start --listen 127.0.0.1:0 --data-dir DATA EXTRA...`, and its stderr lines.
    pub fn spawn(t: &TestDir, data: &Path, extra: &[&str]) -> (Child, mpsc::Receiver<String>) {
        ServerProc::spawn_env(t, data, extra, &[])
    }

    /// As [`ServerProc::spawn`], with environment variables.
    pub fn spawn_env(
        t: &TestDir,
        data: &Path,
        extra: &[&str],
        env: &[(&str, String)],
    ) -> (Child, mpsc::Receiver<String>) {
        ServerProc::spawn_command(ServerProc::command(t, data, extra, env))
    }

    /// The command [`ServerProc::spawn_env`] runs, to adjust before spawning.
    pub fn command(t: &TestDir, data: &Path, extra: &[&str], env: &[(&str, String)]) -> Command {
        let mut cmd = Command::new(stmgr_path());
        cmd.args(["server", "start", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .args(extra)
            .env_clear()
            .env("HOME", t.path().join("home"))
            .env("XDG_CONFIG_HOME", t.path().join("config"))
            .envs(env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Spawns `cmd` with stderr piped; its lines arrive on the channel.
    pub fn spawn_command(mut cmd: Command) -> (Child, mpsc::Receiver<String>) {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        (child, rx)
    }

    pub fn start(t: &TestDir, data: &Path) -> ServerProc {
        ServerProc::start_with(t, data, &[])
    }

    /// As [`ServerProc::start`], with more `server start` arguments.
    pub fn start_with(t: &TestDir, data: &Path, extra: &[&str]) -> ServerProc {
        ServerProc::wait_for_address(ServerProc::spawn(t, data, extra))
    }

    /// As [`ServerProc::start`], with environment variables.
    pub fn start_env(t: &TestDir, data: &Path, env: &[(&str, String)]) -> ServerProc {
        ServerProc::wait_for_address(ServerProc::spawn_env(t, data, &[], env))
    }

    /// A spawned server, once it printed its address.
    pub fn from_spawned(child: Child, lines: mpsc::Receiver<String>) -> ServerProc {
        ServerProc::wait_for_address((child, lines))
    }

    fn wait_for_address((child, lines): (Child, mpsc::Receiver<String>)) -> ServerProc {
        let url = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(30))
                .expect("server printed its address");
            if let Some(url) = line.split("listening on ").nth(1) {
                break url.trim().to_string();
            }
        };
        ServerProc { child, url, lines }
    }

    /// SIGTERM, then waits for the exit (a clean shutdown exits 0).
    pub fn terminate(mut self) -> std::process::ExitStatus {
        self.terminate_with_stderr().0
    }

    /// As [`ServerProc::terminate`], with every stderr line after the address.
    pub fn terminate_with_stderr(&mut self) -> (std::process::ExitStatus, Vec<String>) {
        self.signal(rustix::process::Signal::TERM);
        let status = self.child.wait().unwrap();
        // The reader thread ends with the pipe; take what it had left.
        let mut lines = Vec::new();
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(5)) {
            lines.push(l);
        }
        (status, lines)
    }

    pub fn signal(&mut self, sig: rustix::process::Signal) {
        rustix::process::kill_process(rustix::process::Pid::from_child(&self.child), sig).unwrap();
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn client_commands_against_the_real_server_and_sigterm() {
    let t = TestDir::new();
    let data = t.path().join("state");
    let mut srv = ServerProc::start(&t, &data);
    let cli = || {
        let mut c = t.stmgr();
        c.args(["--server", &srv.url]);
        c
    };
    cli()
        .args([
            "put",
            "agent://demo",
            "k1",
            "--type",
            "note",
            "--body",
            r#"{"text":"hi"}"#,
            "--tag",
            "team=a",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("k1"));
    t.write("body.json", r#"{"n": 2}"#);
    cli()
        .args([
            "put",
            "agent://demo",
            "k2",
            "--type",
            "note",
            "--body",
            "@body.json",
            "--ttl",
            "1h",
        ])
        .assert()
        .success();
    cli()
        .args(["put", "agent://demo", "--type", "note", "--body", "-"])
        .write_stdin("[1,2,3]")
        .assert()
        .success();
    let out = cli().args(["get", "agent://demo", "k1"]).assert().success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        (v["body"]["text"].as_str(), v["commit_seq"].as_u64()),
        (Some("hi"), Some(1))
    );
    let out = cli()
        .args(["ls", "agent://demo", "--output", "json"])
        .assert()
        .success();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.get_output().stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    cli()
        .args([
            "query",
            "agent://demo",
            "--tag",
            "team=a",
            "--output",
            "jsonl",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"k1\"").and(predicate::str::contains("\"k2\"").not()));
    cli()
        .args([
            "query",
            "agent://demo",
            "--where",
            "$.n=2",
            "--output",
            "jsonl",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"k2\""));
    cli()
        .args([
            "watch",
            "agent://demo",
            "--from",
            "0",
            "--count",
            "3",
            "--output",
            "jsonl",
        ])
        .timeout(Duration::from_secs(30))
        .assert()
        .success()
        .stdout(predicate::function(|s: &str| s.lines().count() == 3));
    cli()
        .args(["status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("healthy"));
    cli().args(["rm", "agent://demo", "k1"]).assert().success();
    cli()
        .args(["get", "agent://demo", "k1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"));
    cli()
        .args(["put", "agent://demo", "x", "--type", "t", "--body", "{oops"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not JSON"));
    cli()
        .args([
            "put",
            "agent://demo",
            "k2",
            "--type",
            "t",
            "--body",
            "1",
            "--if-match",
            "1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("412"));
    // SIGTERM: a clean exit, and the directory is free for offline commands.
    srv.signal(rustix::process::Signal::TERM);
    let status = srv.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    t.stmgr()
        .args(["snapshot", "--data-dir"])
        .arg(&data)
        .assert()
        .success();
    // A server that is not there: a clear error, exit 10.
    t.stmgr()
        .args(["--server", "http://127.0.0.1:9", "get", "ns", "x"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("cannot reach"));
}

#[test]
fn sigkill_under_concurrent_puts_loses_no_acknowledged_write() {
    let t = TestDir::new();
    let data = t.path().join("state");
    let mut srv = ServerProc::start(&t, &data);
    let url = srv.url.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (acked, _) = rt.block_on(async {
        let client = stmgr::client::Client::new(&url).unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for w in 0..16 {
            let c = client.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    let id = format!("w{w}-{i}");
                    match c
                        .put(
                            "load",
                            &json!({"type": "t", "body": {"i": i}, "id": id}),
                            None,
                        )
                        .await
                    {
                        Ok(o) => {
                            if tx.send((id, o.commit_seq)).is_err() {
                                return;
                            }
                        }
                        Err(_) => return, // the server died
                    }
                }
            });
        }
        drop(tx);
        let mut acked = Vec::new();
        while acked.len() < 500 {
            acked.push(rx.recv().await.unwrap());
        }
        srv.signal(rustix::process::Signal::KILL);
        // Answers already on their way still count as acknowledged.
        while let Some(a) = rx.recv().await {
            acked.push(a);
        }
        (acked, ())
    });
    let _ = srv.child.wait();
    let srv = ServerProc::start(&t, &data);
    let client = stmgr::client::Client::new(&srv.url).unwrap();
    rt.block_on(async {
        for (id, seq) in &acked {
            let o = client
                .get("load", id, None, None)
                .await
                .unwrap_or_else(|e| panic!("acknowledged {id} lost: {e}"));
            assert_eq!(o.commit_seq, *seq);
        }
    });
}

#[test]
fn checkpoint_commands() {
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    let cli = || {
        let mut c = t.stmgr();
        c.args(["--server", &srv.url]);
        c
    };
    cli()
        .args([
            "put",
            "s",
            "sess",
            "--type",
            "session",
            "--body",
            r#"{"step":1}"#,
        ])
        .assert()
        .success();
    cli()
        .args([
            "checkpoint",
            "create",
            "s",
            "sess",
            "one",
            "--metadata",
            r#"{"by":"test"}"#,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("one"));
    cli()
        .args([
            "put",
            "s",
            "sess",
            "--type",
            "session",
            "--body",
            r#"{"step":2}"#,
        ])
        .assert()
        .success();
    cli()
        .args(["checkpoint", "create", "s", "sess", "two"])
        .assert()
        .success();
    cli()
        .args(["checkpoint", "list", "s", "sess", "--output", "jsonl"])
        .assert()
        .success()
        .stdout(predicate::function(|s: &str| {
            s.lines().count() == 2 && s.lines().next().unwrap().contains("\"two\"")
        }));
    cli()
        .args([
            "checkpoint",
            "restore",
            "s",
            "sess",
            "one",
            "--output",
            "json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"step\":1"));
    cli()
        .args(["checkpoint", "restore", "s", "sess", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"));
    cli()
        .args(["checkpoint", "prune", "s", "sess", "--keep-last", "1"])
        .assert()
        .success()
        .stdout("deleted one\n");
    cli()
        .args([
            "checkpoint",
            "create",
            "s",
            "sess",
            "x",
            "--metadata",
            "{bad",
        ])
        .assert()
        .code(2);
}

#[test]
fn online_forms_of_snapshot_trim_and_dump() {
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    let cli = || {
        let mut c = t.stmgr();
        c.args(["--server", &srv.url]);
        c
    };
    for i in 0..3 {
        cli()
            .args(["put", "ns", &format!("k{i}"), "--type", "t", "--body", "1"])
            .assert()
            .success();
    }
    let out = cli()
        .args(["snapshot", "--output", "json"])
        .assert()
        .success();
    let snap: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(snap["commit_seq"], 3);
    let id = snap["snapshot_id"].as_str().unwrap().to_string();
    cli()
        .args(["snapshot", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(&id));
    cli()
        .args(["trim-wal", "--snapshot-id", &id, "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("kept"));
    let out = cli()
        .args([
            "trim-wal",
            "--snapshot-id",
            &id,
            "--dry-run",
            "--output",
            "json",
        ])
        .assert()
        .success();
    let plan: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(plan["dry_run"], true, "{plan}");
    cli()
        .args(["admin", "dump"])
        .assert()
        .success()
        .stdout(predicate::function(|s: &str| s.lines().count() == 3));
    cli()
        .args(["admin", "dump", "--ns", "other"])
        .assert()
        .success()
        .stdout("");
    cli()
        .args(["admin", "dump", "--at-seq", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--data-dir"));
    // A data directory given more explicitly than the server (a flag against a variable) wins:
    // the offline form runs (and, for writers, refuses beside the server) and says so.
    t.stmgr()
        .env("STMGR_SERVER", &srv.url)
        .args(["snapshot", "--data-dir"])
        .arg(t.path().join("state"))
        .assert()
        .code(11)
        .stderr(predicate::str::contains("note: using the data directory"))
        .stderr(predicate::str::contains("stop the server first"));
    // Both as flags: the server, with a note naming the data directory it did not use.
    cli()
        .args(["snapshot", "list", "--data-dir"])
        .arg(t.path().join("state"))
        .assert()
        .success()
        .stdout(predicate::str::contains(&id))
        .stderr(predicate::str::contains("note: using the server"));
}

#[test]
fn json_logs_a_separate_metrics_listener_and_a_fixed_watch_interval() {
    let t = TestDir::new();
    let extra = [
        "--metrics-listen",
        "127.0.0.1:0",
        "--log-format",
        "json",
        "--watch-write-interval",
        "7ms",
    ];
    let (mut child, rx) = ServerProc::spawn(&t, &t.path().join("state"), &extra);
    let mut urls = Vec::new();
    while urls.len() < 2 {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("startup lines");
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        if let Some(u) = v["fields"]["details"]["url"].as_str() {
            urls.push(u.to_string());
        }
    }
    stmgr::client::install_crypto_provider();
    let (api, ops) = (&urls[0], &urls[1]);
    let get = |u: String| reqwest::blocking_get(&u);
    assert_eq!(get(format!("{ops}/health")), (200, "ok".to_string()));
    let (status, metrics) = get(format!("{ops}/metrics"));
    assert_eq!(status, 200);
    assert!(metrics.contains("commit_seq"), "{metrics}");
    assert!(
        metrics.contains("watch_write_interval_seconds 0.007\n"),
        "the fixed watch slot: {metrics}"
    );
    assert_eq!(
        get(format!("{ops}/v1/namespaces")).0,
        404,
        "the ops listener serves no data"
    );
    assert_eq!(get(format!("{api}/v1/namespaces")).0, 200);
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
    let data = t.path().join("state");
    t.stmgr()
        .args(["server", "start", "--data-dir"])
        .arg(&data)
        .args(["--listen", "127.0.0.1:0", "--watch-write-interval", "0s"])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("0s is outside 1ms..1s"));
}

/// A tiny blocking GET for tests that run outside a runtime.
pub mod reqwest {
    pub fn blocking_get(url: &str) -> (u16, String) {
        stmgr::client::install_crypto_provider();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let r = ::reqwest::get(url).await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        })
    }
}

#[test]
fn bench_runs_every_load() {
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    let run = |args: &[&str]| -> Value {
        let out = t
            .stmgr()
            .args(["--server", &srv.url, "bench", "--output", "json"])
            .args(args)
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let put = run(&["--op", "put", "-c", "4", "--count", "200"]);
    assert_eq!(
        (put["ok"].as_u64(), put["errors"].as_u64()),
        (Some(200), Some(0)),
        "{put}"
    );
    assert!(put["p99_ms"].as_f64().unwrap() >= put["p50_ms"].as_f64().unwrap());
    let get = run(&["--op", "get", "-c", "4", "--count", "100"]);
    assert_eq!(get["ok"], 100, "{get}");
    let mixed = run(&["--op", "mixed", "-c", "2", "--count", "50"]);
    assert_eq!(mixed["ok"], 50, "{mixed}");
    let watch = run(&[
        "--op",
        "watch",
        "-c",
        "2",
        "--count",
        "20",
        "--rate",
        "200",
        "--duration",
        "30s",
    ]);
    assert_eq!(
        watch["ok"], 40,
        "two watchers each see the 20 writes: {watch}"
    );
    assert!(
        watch["writes_per_second"].as_f64().unwrap() > 0.0,
        "{watch}"
    );
    let mem = run(&["--op", "memory", "-c", "2", "--count", "50"]);
    assert_eq!(mem["ok"], 50, "{mem}");
    assert_eq!(
        mem["live_bytes"],
        50 * (9 + 256),
        "ids m00000000.. and 256 B bodies"
    );
    assert!(mem["rss_bytes"].as_u64().unwrap() > 0, "{mem}");
    t.stmgr()
        .args(["--server", "http://127.0.0.1:9", "bench", "--count", "1"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("cannot reach"));
}
