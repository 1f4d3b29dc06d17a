//! PostgreSQL backend benchmark (not a test): `cargo bench --bench postgres`.
//!
//! Starts a throwaway PostgreSQL (as the tests do: `benches/common/pg.rs`) and measures, with
//! engines in this process (each with a data directory of its own, as separate servers have):
//! - durable commit throughput and latency (p50, p99) of `N` committers in a closed loop, one
//!   ~200-byte object per commit, on one server and spread over two servers sharing the
//!   database, beside the embedded engine (durability `always`) with the same load;
//! - cross-server watch lag: commits at a fixed rate on A, a watcher on B; the time from A's
//!   acknowledgement to B's delivery (p50, p99, max).
//!
//! - snapshots on a database of its own: `STMGR_BENCH_OBJECTS` objects (default 100,000, ~200
//!   bytes each, committed 1,000 per commit): a new server's start replaying the whole log,
//!   the snapshot (written and verified in the data directory, stored in the database, the log
//!   trimmed below it), and a new server's start from the stored snapshot.
//!
//! Knobs: `STMGR_BENCH_SECONDS` (per run, default 5), `STMGR_BENCH_CLIENTS` (committers,
//! default 64), `STMGR_BENCH_ONLY=snapshot` (only the snapshot figures).

#[path = "common/ops.rs"]
mod ops;
#[path = "common/pg.rs"]
mod pg;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ops::op;
use stmgr::store::pg::PgOptions;
use stmgr::store::{Engine, EngineOptions};

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn open_pg(url: &str) -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = Engine::open_postgres(
        dir.path(),
        PgOptions::new(url),
        EngineOptions::default(),
        "postgres bench",
    )
    .expect("open the postgres engine");
    (e, dir)
}

/// `clients` committers spread over `engines` for `secs`: commits/s and latency percentiles.
fn closed_loop(
    rt: &tokio::runtime::Runtime,
    engines: &[Engine],
    clients: u64,
    secs: u64,
) -> String {
    let lat = rt.block_on(async {
        let end = Instant::now() + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for c in 0..clients {
            let e = engines[c as usize % engines.len()].clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut i = c * 1_000_000;
                while Instant::now() < end {
                    let o = op(i);
                    i += 1;
                    let t = Instant::now();
                    e.commit(move |_| Ok((vec![o], ()))).await.expect("commit");
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let mut lat = lat;
    lat.sort();
    format!(
        "{:>8.0} commits/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
        lat.len() as f64 / secs as f64,
        pct(&lat, 0.5).as_secs_f64() * 1e3,
        pct(&lat, 0.99).as_secs_f64() * 1e3
    )
}

/// Commits on `a` at `rate`/s for `secs`; a watcher on `b`: ack-to-delivery lag.
fn watch_lag(rt: &tokio::runtime::Runtime, a: &Engine, b: &Engine, rate: u64, secs: u64) -> String {
    let acked: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let total = rate * secs;
    // B at the head first: a watch may not start ahead of its server's replica.
    let from = rt.block_on(b.sync()).expect("sync");
    let lags = rt.block_on(async {
        let mut sub = b.subscribe(from, None);
        let acked2 = acked.clone();
        let watcher = tokio::spawn(async move {
            let mut seen = Vec::new();
            while (seen.len() as u64) < total {
                let ev = sub.next().await.expect("watch");
                seen.push((ev.seq, Instant::now()));
            }
            seen
        });
        let interval = Duration::from_secs_f64(1.0 / rate as f64);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for i in 0..total {
            let due = start + interval * i as u32;
            tokio::time::sleep_until(due.into()).await;
            let (a, acked) = (a.clone(), acked2.clone());
            tasks.push(tokio::spawn(async move {
                let o = op(i);
                let (info, ()) = a.commit(move |_| Ok((vec![o], ()))).await.expect("commit");
                acked.lock().unwrap().insert(info.seq, Instant::now());
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let seen = watcher.await.unwrap();
        let acked = acked.lock().unwrap();
        let mut lags: Vec<Duration> = seen
            .iter()
            .filter_map(|(seq, at)| acked.get(seq).map(|ack| at.saturating_duration_since(*ack)))
            .collect();
        lags.sort();
        lags
    });
    format!(
        "{} events  lag p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        lags.len(),
        pct(&lags, 0.5).as_secs_f64() * 1e3,
        pct(&lags, 0.99).as_secs_f64() * 1e3,
        lags.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    )
}

/// The `i`th of `objects` distinct objects (`snap-obj-i`, ~200 bytes).
fn distinct_op(i: u64) -> stmgr::store::Op {
    use stmgr::store::{Body, ObjectData, ObjectOp, Op};
    let body = format!(r#"{{"i":{i},"pad":"{}"}}"#, "p".repeat(160));
    Op::Object(ObjectOp::Put {
        ns: "bench".into(),
        id: format!("snap-obj-{i}").into(),
        data: Arc::new(ObjectData::new(
            "note".into(),
            Body::from_json(&body).expect("json"),
        )),
    })
}

/// Snapshot write and start-from-snapshot times for `objects` objects on a fresh database.
fn snapshot_figures(rt: &tokio::runtime::Runtime, objects: u64) {
    let Some(cluster) = pg::Pg::start() else {
        return;
    };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=0&stmgr_log_keep=0",
        cluster.url()
    );
    let (a, _da) = open_pg(&url);
    let t = Instant::now();
    rt.block_on(async {
        let mut i = 0;
        while i < objects {
            let ops: Vec<_> = (i..(i + 1000).min(objects)).map(distinct_op).collect();
            i += ops.len() as u64;
            a.commit(move |_| Ok((ops, ()))).await.expect("commit");
        }
    });
    println!(
        "{objects} objects written in {:.2} s ({} commits)",
        t.elapsed().as_secs_f64(),
        a.view().seq
    );
    let t = Instant::now();
    let (from_log, _d1) = open_pg(&url);
    let replay = t.elapsed();
    assert_eq!(from_log.view().seq, a.view().seq);
    from_log.close().expect("close");
    let t = Instant::now();
    let meta = a
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .expect("snapshot");
    let snap = t.elapsed();
    let t = Instant::now();
    let (from_snap, _d2) = open_pg(&url);
    let start = t.elapsed();
    assert_eq!(
        from_snap.recovery().snapshot_id.as_deref(),
        Some(meta.id.as_str())
    );
    assert_eq!(from_snap.view().objects.live_count(), objects);
    println!(
        "snapshot of {objects} objects: {:.2} s to write, verify, store in the database and \
         trim ({:.1} MB); a new server starts from it in {:.2} s (from the whole log: {:.2} s)",
        snap.as_secs_f64(),
        meta.size as f64 / 1e6,
        start.as_secs_f64(),
        replay.as_secs_f64()
    );
    from_snap.close().expect("close");
    a.close().expect("close");
}

fn main() {
    let secs = knob("STMGR_BENCH_SECONDS", 5);
    let clients = knob("STMGR_BENCH_CLIENTS", 64);
    let Some(cluster) = pg::Pg::start() else {
        eprintln!("PostgreSQL is not installed: nothing to measure");
        return;
    };
    let url = cluster.url();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if std::env::var("STMGR_BENCH_ONLY").as_deref() == Ok("snapshot") {
        snapshot_figures(&rt, knob("STMGR_BENCH_OBJECTS", 100_000));
        return;
    }
    println!("PostgreSQL backend, {clients} committers, {secs} s per run");

    let dir = tempfile::tempdir().expect("tempdir");
    let embedded =
        Engine::open(dir.path(), EngineOptions::default(), "postgres bench").expect("open");
    println!(
        "embedded engine:      {}",
        closed_loop(&rt, std::slice::from_ref(&embedded), clients, secs)
    );
    embedded.close().expect("close");

    let (a, _da) = open_pg(&url);
    println!(
        "postgres, 1 server:   {}",
        closed_loop(&rt, std::slice::from_ref(&a), clients, secs)
    );
    let (b, _db) = open_pg(&url);
    println!(
        "postgres, 2 servers:  {}",
        closed_loop(&rt, &[a.clone(), b.clone()], clients, secs)
    );
    for rate in [100, 1000] {
        println!(
            "watch lag A->B at {rate:>5}/s: {}",
            watch_lag(&rt, &a, &b, rate, secs)
        );
    }
    let (count, min, max) = cluster.log_range();
    assert_eq!((min, max), (1, count), "dense seqs after the runs");
    a.close().expect("close");
    b.close().expect("close");
    drop(cluster);
    snapshot_figures(&rt, knob("STMGR_BENCH_OBJECTS", 100_000));
}
