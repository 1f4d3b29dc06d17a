//! Replication benchmark (not a test): `cargo bench --bench replication`.
//!
//! An engine in this process (durability `always`, as a server runs) commits at a fixed rate
//! (1,000 and 10,000 commits/s; one ~200-byte object per commit, commits in flight at once so
//! group commit batches them) while `stmgr::backup::replicate` ships to a local directory and
//! to a moto S3 server with the server's defaults (200 ms interval). The lag of a commit is the
//! time from its acknowledgement to the moment the replicator reports it in the location; the
//! benchmark prints its p50, p99 and max. Then the cost of replication on throughput: 64
//! committers in a closed loop for a few seconds, without replication and with each target.
//!
//! Knobs: `STMGR_BENCH_SECONDS` (per run, default 5), `STMGR_MOTO_BIN` (the `bin/` of a venv
//! with `moto[server]`; default: the tests' venv under `target/tmp/venv-moto`; without it the
//! S3 half is skipped).

#[path = "common/moto.rs"]
mod moto;
#[path = "common/ops.rs"]
mod ops;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use moto::{env, start_moto};
use ops::op;
use stmgr::backup::replicate::{ReplicateOptions, Replication};
use stmgr::backup::{Credentials, Location, S3Location, Secret, Target, TargetConfig};
use stmgr::store::{Engine, EngineOptions};

fn engine(dir: &Path) -> Engine {
    Engine::open(dir, EngineOptions::default(), "replication bench").expect("open engine")
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Commits at `rate` for `secs` while replicating to `target`; prints the lag percentiles.
fn lag(rt: &tokio::runtime::Runtime, name: &str, target: &Target, rate: u64, secs: u64) {
    let dir = tempfile::tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .expect("tempdir");
    let e = engine(dir.path());
    let (acks, shipped) = rt.block_on(async {
        let r = Replication::start(e.clone(), target.clone(), ReplicateOptions::default());
        let status = r.status().clone();
        // Opened (its first snapshot is up) before the load starts.
        while status.report().generation.is_none() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut rx = status.subscribe();
        let done = Arc::new(AtomicBool::new(false));
        let watcher = {
            let done = done.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                loop {
                    tokio::select! {
                        c = rx.changed() => if c.is_err() { break },
                        _ = tokio::time::sleep(Duration::from_millis(50)) => {
                            if done.load(Ordering::Relaxed) { break }
                            continue;
                        }
                    }
                    seen.push((Instant::now(), *rx.borrow_and_update()));
                }
                seen
            })
        };
        let n = rate * secs;
        let start = Instant::now();
        let mut tasks = Vec::with_capacity(n as usize);
        for i in 0..n {
            let at = start + Duration::from_nanos(i * 1_000_000_000 / rate);
            tokio::time::sleep_until(at.into()).await;
            let e = e.clone();
            tasks.push(tokio::spawn(async move {
                let info = e.commit_ops(vec![op(i)]).await.expect("commit");
                (Instant::now(), info.seq)
            }));
        }
        let mut acks = Vec::with_capacity(tasks.len());
        for t in tasks {
            acks.push(t.await.expect("task"));
        }
        let last = acks.iter().map(|a| a.1).max().unwrap_or(0);
        let deadline = Instant::now() + Duration::from_secs(60);
        while status.report().replicated_seq < last && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        done.store(true, Ordering::Relaxed);
        let shipped = watcher.await.expect("watcher");
        r.stop(Duration::from_secs(10)).await;
        (acks, shipped)
    });
    let mut lags: Vec<Duration> = acks
        .iter()
        .map(|(at, seq)| {
            let i = shipped.partition_point(|(_, s)| s < seq);
            let (when, _) = shipped.get(i).expect("shipped");
            when.saturating_duration_since(*at)
        })
        .collect();
    lags.sort();
    let achieved = acks.len() as f64 / secs as f64;
    println!(
        "lag  {name:5} {rate:>6}/s (achieved {achieved:>7.0}/s, {} commits): p50 {:>6.0} ms  p99 {:>6.0} ms  max {:>6.0} ms",
        acks.len(),
        pct(&lags, 0.50).as_secs_f64() * 1e3,
        pct(&lags, 0.99).as_secs_f64() * 1e3,
        lags.last().unwrap().as_secs_f64() * 1e3,
    );
    e.close().expect("close");
}

/// Commits/s of 64 closed-loop committers for `secs`, replicating to `target` if given.
fn throughput(rt: &tokio::runtime::Runtime, target: Option<&Target>, secs: u64) -> f64 {
    let dir = tempfile::tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .expect("tempdir");
    let e = engine(dir.path());
    let rate = rt.block_on(async {
        let r =
            target.map(|t| Replication::start(e.clone(), t.clone(), ReplicateOptions::default()));
        if let Some(r) = &r {
            while r.status().report().generation.is_none() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let count = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let end = start + Duration::from_secs(secs);
        let workers: Vec<_> = (0..64u64)
            .map(|w| {
                let (e, count) = (e.clone(), count.clone());
                tokio::spawn(async move {
                    let mut i = w << 32;
                    while Instant::now() < end {
                        e.commit_ops(vec![op(i)]).await.expect("commit");
                        count.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                })
            })
            .collect();
        for w in workers {
            w.await.expect("worker");
        }
        let rate = count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
        if let Some(r) = r {
            r.stop(Duration::from_secs(10)).await;
        }
        rate
    });
    e.close().expect("close");
    rate
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let secs: u64 = env("STMGR_BENCH_SECONDS", 5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let scratch = tempfile::Builder::new()
        .prefix("stmgr-bench-repl-")
        .tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .expect("tempdir");
    let mut targets = vec![(
        "local",
        Target::open(TargetConfig::new(Location::Local {
            root: scratch.path().join("bucket"),
        }))
        .expect("open local"),
    )];
    let moto = start_moto();
    if let Some(m) = &moto {
        let s3 = Target::open(TargetConfig {
            location: Location::S3(S3Location {
                bucket: "stmgr-bench".into(),
                prefix: "bench".into(),
                endpoint: Some(format!("http://127.0.0.1:{}", m.1)),
                ..S3Location::default()
            }),
            credentials: Some(Credentials::new("bench", Secret::new("bench"))),
            options: Default::default(),
        })
        .expect("open moto");
        targets.push(("moto", s3));
    }
    println!(
        "{} s per run; replication interval 200 ms (the default)",
        secs
    );
    for (name, t) in &targets {
        for rate in [1_000, 10_000] {
            lag(&rt, name, t, rate, secs);
        }
    }
    // Alternate runs so that drift on a shared machine hits both sides alike.
    let mut base = Vec::new();
    let mut with: Vec<Vec<f64>> = vec![Vec::new(); targets.len()];
    for _ in 0..2 {
        base.push(throughput(&rt, None, secs));
        for (i, (_, t)) in targets.iter().enumerate() {
            with[i].push(throughput(&rt, Some(t), secs));
        }
    }
    let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let b = best(&base);
    println!("throughput without replication: {b:>8.0} commits/s (best of {base:.0?})");
    for (i, (name, _)) in targets.iter().enumerate() {
        let w = best(&with[i]);
        println!(
            "throughput replicating to {name:5}: {w:>8.0} commits/s (best of {:.0?}): {:+.1}%",
            with[i],
            (w / b - 1.0) * 100.0
        );
    }
}
