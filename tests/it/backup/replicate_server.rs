//! `stmgr server start --replicate URL` as a real process, against a local directory and moto:
//! SIGKILL under load loses nothing acknowledged more than the lag window before the kill; a
//! bucket outage leaves writes going, shows in `/health` and `/metrics`, and is caught up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use stmgr::backup::Target;

use super::harness::{SECRET_KEY, backends, runtime};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

/// What a write acknowledged more than this before a SIGKILL must be in the location: the
/// replication target (p99 lag ≤ 1 s) with room for a busy, shared test machine.
pub(super) const LAG_WINDOW: Duration = Duration::from_secs(2);

/// One write (a new object); its commit_seq once acknowledged.
pub(super) fn put(c: &reqwest::blocking::Client, url: &str, i: u64) -> Option<u64> {
    let body = format!(
        r#"{{"type":"t","body":{{"i":{i},"pad":"{}"}}}}"#,
        "p".repeat(64)
    );
    let resp = c
        .post(format!("{url}/v1/load/objects"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .ok()?;
    if !resp.status().is_success() {
        return None;
    }
    resp.json::<Value>().ok()?["commit_seq"].as_u64()
}

fn health(c: &reqwest::blocking::Client, url: &str) -> Value {
    let resp = c.get(format!("{url}/health?format=json")).send().unwrap();
    assert_eq!(
        resp.status(),
        200,
        "replication never makes the server unhealthy"
    );
    resp.json().unwrap()
}

fn metric(c: &reqwest::blocking::Client, url: &str, name: &str) -> f64 {
    let text = c
        .get(format!("{url}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} is not in /metrics"))
}

/// The newest generation's pieces: contiguous from its first seq; the last seq they hold.
fn replicated_up_to(t: &Target) -> u64 {
    runtime().block_on(async {
        let gens = t.list_generations().await.unwrap();
        let g = gens.last().expect("a generation");
        let base = g.base_snapshot.as_deref().expect("a base snapshot");
        t.read_manifest(base).await.expect("its base snapshot");
        let pieces = t.list_wal(&g.generation).await.unwrap().pieces;
        let mut next = g.first_seq;
        for p in &pieces {
            assert_eq!(p.first_seq, next, "contiguous");
            next = p.last_seq + 1;
        }
        next - 1
    })
}

/// Writes from one client until stopped, remembering when each was acknowledged.
pub(super) struct Load {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<(Instant, u64)>>,
}

impl Load {
    /// Starts writing to the server at `url`.
    pub(super) fn start(url: &str) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let (url, flag) = (url.to_owned(), stop.clone());
        let thread = std::thread::spawn(move || {
            let c = reqwest::blocking::Client::new();
            let mut acked = Vec::new();
            let mut i = 0;
            while !flag.load(Ordering::Relaxed) {
                i += 1;
                if let Some(seq) = put(&c, &url, i) {
                    acked.push((Instant::now(), seq));
                }
            }
            acked
        });
        Load { stop, thread }
    }

    /// Stops; every acknowledged write's time and commit_seq.
    pub(super) fn stop(self) -> Vec<(Instant, u64)> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// The newest seq acknowledged at least [`LAG_WINDOW`] before `killed`: what the location
/// must hold.
pub(super) fn must_have(acked: &[(Instant, u64)], killed: Instant) -> u64 {
    acked
        .iter()
        .filter(|(at, _)| *at + LAG_WINDOW <= killed)
        .map(|(_, seq)| *seq)
        .max()
        .expect("writes acknowledged before the window")
}

#[test]
fn sigkill_under_load_keeps_every_write_acknowledged_before_the_lag_window() {
    for b in backends() {
        eprintln!("backend {}", b.name);
        let t = TestDir::new();
        let (url, env) = b.replicate_url();
        let (child, lines) =
            ServerProc::spawn_env(&t, &t.path().join("data"), &["--replicate", &url], &env);
        let mut srv = ServerProc::from_spawned(child, lines);
        let load = Load::start(&srv.url);
        std::thread::sleep(Duration::from_secs(4)); // the load runs this long
        srv.signal(rustix::process::Signal::KILL);
        let killed = Instant::now();
        srv.child.wait().unwrap();
        let acked = load.stop();
        assert!(
            acked.len() > 100,
            "only {} writes acknowledged",
            acked.len()
        );
        let must = must_have(&acked, killed);
        let have = replicated_up_to(&b.target);
        eprintln!(
            "{}: {} acknowledged, last {}; replicated up to {have}, needed {must}",
            b.name,
            acked.len(),
            acked.last().unwrap().1
        );
        assert!(have >= must, "replicated up to {have}, acknowledged {must}");
    }
}

#[test]
fn an_outage_shows_in_health_and_metrics_writes_go_on_and_replication_catches_up() {
    for mut b in backends() {
        eprintln!("backend {}", b.name);
        let t = TestDir::new();
        let (url, env) = b.replicate_url();
        let (child, lines) = ServerProc::spawn_env(
            &t,
            &t.path().join("data"),
            &["--replicate", &url, "--replicate-interval", "50ms"],
            &env,
        );
        let mut srv = ServerProc::from_spawned(child, lines);
        let c = reqwest::blocking::Client::new();
        let s = srv.url.clone();
        for i in 0..20 {
            put(&c, &s, i).expect("a write");
        }
        wait_until(Duration::from_secs(30), "caught up", || {
            let h = health(&c, &s);
            h["replication"]["status"] == "ok"
                && h["replication"]["replicated_seq"] == h["commit_seq"]
        });

        b.outage();
        let mut last = 0;
        for i in 20..120 {
            last = put(&c, &s, i).expect("writes are never refused because of replication");
        }
        wait_until(Duration::from_secs(30), "the outage reported", || {
            let r = &health(&c, &s)["replication"];
            r["status"] == "failing" && r["errors_total"].as_u64() >= Some(2)
        });
        let h = health(&c, &s);
        assert_eq!(h["status"], "healthy", "{h}");
        let r = &h["replication"];
        assert!(r["lag_seconds"].as_f64().unwrap() > 0.0, "{h}");
        assert!(r["replicated_seq"].as_u64().unwrap() < last, "{h}");
        let message = r["last_error"]["message"].as_str().unwrap();
        assert!(!message.contains(SECRET_KEY), "{message}");
        assert!(metric(&c, &s, "replication_errors_total") >= 2.0);
        assert!(metric(&c, &s, "replication_lag_seconds") > 0.0);

        b.recover();
        wait_until(
            Duration::from_secs(60),
            "caught up after the outage",
            || {
                let r = &health(&c, &s)["replication"];
                r["status"] == "ok" && r["replicated_seq"].as_u64() >= Some(last)
            },
        );
        assert_eq!(metric(&c, &s, "replication_lag_seconds"), 0.0);
        assert!(metric(&c, &s, "replication_last_success_timestamp_seconds") > 0.0);
        assert!(replicated_up_to(&b.target) >= last);
        let (status, stderr) = srv.terminate_with_stderr();
        assert!(status.success(), "{stderr:?}");
        assert!(
            stderr.iter().all(|l| !l.contains(SECRET_KEY)),
            "credentials never logged"
        );
    }
}
