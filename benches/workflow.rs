//! Workflow benchmark (not a test): `cargo bench --bench workflow`.
//!
//! State transitions per second through enqueue -> executed -> next state, driven in Rust over
//! HTTP against an in-process server (durability `always`: every commit is fdatasynced). Runs
//! of a linear chain of `STMGR_BENCH_CHAIN` nodes (default 10) are triggered up front
//! (`STMGR_BENCH_RUNS`, default 30000); `STMGR_BENCH_WORKERS` runtimes (default 64) each loop:
//! claim a batch (`states/enqueue`, batch 16), report every claimed state `executed` (which
//! creates its next state in the same commit). A transition is one state executed. Reported:
//! transitions/s over `STMGR_BENCH_SECS` (default 10) and the latency of `executed`. Then a
//! fan-in: one state fans out to `STMGR_BENCH_FANOUT` branches (default 5000) that a merge
//! (`unites`) waits for; the same figures for the branches.
//!
//! `STMGR_BENCH_BACKEND=postgres`: two servers on one throwaway PostgreSQL (as the backend's
//! tests start it), the workers spread over both, the runs triggered through the first.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Value, json};
use stmgr::bench::http::Target;
use stmgr::server::{self, ServeOptions};
use stmgr::store::pg::PgOptions;
use stmgr::store::{Durability, Engine, EngineOptions};

#[path = "common/pg.rs"]
mod pg;

/// The server binary's allocator, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let chain: usize = env("STMGR_BENCH_CHAIN", 10);
    let runs: usize = env("STMGR_BENCH_RUNS", 30_000);
    let workers: usize = env("STMGR_BENCH_WORKERS", 64);
    let secs: u64 = env("STMGR_BENCH_SECS", 10);
    let opts = EngineOptions {
        durability: Durability::Always,
        ..EngineOptions::default()
    };
    let on_pg = std::env::var("STMGR_BENCH_BACKEND").as_deref() == Ok("postgres");
    let cluster = on_pg.then(|| pg::Pg::start().expect("PostgreSQL: apt-get install postgresql"));
    let mut dirs = Vec::new();
    let mut engines = Vec::new();
    for _ in 0..if on_pg { 2 } else { 1 } {
        let dir = tempfile::tempdir().unwrap();
        let engine = match &cluster {
            Some(c) => {
                // The synchronous driver starts a runtime of its own: not on this one's thread.
                let (path, pg, o) = (
                    dir.path().to_owned(),
                    PgOptions::new(&c.url()),
                    opts.clone(),
                );
                std::thread::spawn(move || Engine::open_postgres(&path, pg, o, "workflow bench"))
                    .join()
                    .unwrap()
            }
            None => Engine::open(dir.path(), opts.clone(), "workflow bench"),
        };
        engines.push(engine.unwrap());
        dirs.push(dir);
    }
    let mut bases = Vec::new();
    let mut servers = Vec::new();
    for engine in engines {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        bases.push(format!("http://{}", listener.local_addr().unwrap()));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(server::serve(
            listener,
            engine,
            ServeOptions::default(),
            async move {
                let _ = stop_rx.await;
            },
        ));
        servers.push((stop_tx, server));
    }
    let base = bases[0].clone();
    let url = format!("{base}/v0/namespace/bench");
    stmgr::client::install_crypto_provider();
    let http = reqwest::Client::new();
    let names: Vec<String> = (0..chain).map(|i| format!("N{i}")).collect();
    let schema = json!({"type": "object", "properties": {"x": {"type": "string"}}});
    let nodes: Vec<Value> = names
        .iter()
        .map(|n| json!({"name": n, "inputs_schema": schema, "outputs_schema": schema, "secrets": []}))
        .collect();
    let ok = |r: reqwest::Response| {
        assert!(r.status().is_success(), "{}", r.status());
        r
    };
    ok(http
        .put(format!("{url}/nodes/"))
        .json(&json!({"runtime_name": "bench", "nodes": nodes}))
        .send()
        .await
        .unwrap());
    let graph: Vec<Value> = (0..chain)
        .map(|i| {
            let x = if i == 0 {
                "start".to_string()
            } else {
                format!("${{{{ s{}.outputs.x }}}}", i - 1)
            };
            let next: Vec<String> = if i + 1 < chain {
                vec![format!("s{}", i + 1)]
            } else {
                vec![]
            };
            json!({"node_name": names[i], "namespace": "bench", "identifier": format!("s{i}"),
                   "inputs": {"x": x}, "next_nodes": next})
        })
        .collect();
    ok(http
        .put(format!("{url}/graph/chain"))
        .json(&json!({"secrets": {}, "nodes": graph}))
        .send()
        .await
        .unwrap());
    loop {
        let g: Value = http
            .get(format!("{url}/graph/chain"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if g["validation_status"] == "VALID" {
            break;
        }
        assert_eq!(g["validation_status"], "PENDING", "{g}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let t0 = Instant::now();
    let target = Target::new(&base, "bench", None).unwrap();
    let triggers: Vec<_> = (0..8)
        .map(|i| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut conn = target.connect().await.unwrap();
                for _ in (i..runs).step_by(8) {
                    conn.post(
                        "/v0/namespace/bench/graph/chain/trigger",
                        Bytes::from_static(b"{}"),
                    )
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for t in triggers {
        t.await.unwrap();
    }
    let trigger_rate = runs as f64 / t0.elapsed().as_secs_f64();

    let done = Arc::new(AtomicU64::new(0));
    let enqueues = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // The workers speak plain keep-alive HTTP/1.1 (the load generator of `stmgr bench`), one
    // connection each, so the driver takes as little of the two cores as it can.
    let enqueue_path = "/v0/namespace/bench/states/enqueue";
    let enqueue_body = Bytes::from(json!({"nodes": names, "batch_size": 16}).to_string());
    let mut tasks = Vec::new();
    let started = Instant::now();
    let targets: Vec<Target> = bases
        .iter()
        .map(|b| Target::new(b, "bench", None).unwrap())
        .collect();
    for w in 0..workers {
        let mut conn = targets[w % targets.len()].connect().await.unwrap();
        let enqueue_body = enqueue_body.clone();
        let (done, enqueues, stop) = (done.clone(), enqueues.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let claimed = conn
                    .post_read(enqueue_path, enqueue_body.clone())
                    .await
                    .unwrap();
                let claimed: Value = serde_json::from_slice(&claimed).unwrap();
                enqueues.fetch_add(1, Ordering::Relaxed);
                let states = claimed["states"].as_array().cloned().unwrap_or_default();
                if states.is_empty() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
                for s in states {
                    let id = s["state_id"].as_str().unwrap();
                    let x = s["inputs"]["x"].as_str().unwrap_or_default();
                    let body = json!({"outputs": [{"x": format!("{x}.")}]}).to_string();
                    let t = Instant::now();
                    conn.post(
                        &format!("/v0/namespace/bench/state/{id}/executed"),
                        Bytes::from(body),
                    )
                    .await
                    .unwrap();
                    lat.push(t.elapsed());
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
            lat
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut lat: Vec<Duration> = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let n = done.load(Ordering::Relaxed);
    if n as usize >= runs * chain {
        eprintln!("warning: every run finished before the end: raise STMGR_BENCH_RUNS");
    }
    let on = if on_pg {
        "two servers on PostgreSQL"
    } else {
        "one embedded server"
    };
    println!(
        "workflow ({on}): chain {chain}, {runs} runs triggered at {trigger_rate:.0}/s; {workers} workers, {secs} s"
    );
    println!(
        "transitions {n} in {elapsed:.1} s = {:.0}/s; enqueue calls {}; executed latency p50 {:.2} ms p99 {:.2} ms",
        n as f64 / elapsed,
        enqueues.load(Ordering::Relaxed),
        pct(0.5),
        pct(0.99)
    );
    fan_in(
        &http,
        &url,
        &target,
        env("STMGR_BENCH_FANOUT", 5_000),
        workers.min(16),
    )
    .await;
    for (stop_tx, server) in servers {
        let _ = stop_tx.send(());
        let _ = server.await;
    }
    drop(dirs);
    drop(cluster);
}

/// A fan-out of `width` branches under one state, finished one by one by `workers` runtimes,
/// and the merge (`unites`) that waits for them: branch transitions/s and `executed` latency,
/// which stay flat as `width` grows only if deciding the merge does not read every branch.
async fn fan_in(http: &reqwest::Client, url: &str, target: &Target, width: usize, workers: usize) {
    let schema = json!({"type": "object", "properties": {"x": {"type": "string"}}});
    let nodes: Vec<Value> = (0..4)
        .map(|i| json!({"name": format!("F{i}"), "inputs_schema": schema, "outputs_schema": schema, "secrets": []}))
        .collect();
    let put = |path: String, body: Value| http.put(format!("{url}{path}")).json(&body).send();
    assert!(
        put(
            "/nodes/".into(),
            json!({"runtime_name": "bench", "nodes": nodes})
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    let node = |i: usize, next: &[&str], extra: Value| {
        let mut n = json!({"node_name": format!("F{i}"), "namespace": "bench", "identifier": format!("f{i}"),
                           "inputs": {"x": "go"}, "next_nodes": next});
        n.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        n
    };
    let graph = json!({"secrets": {}, "nodes": [
        node(0, &["f1"], json!({})),
        node(1, &["f2"], json!({})),
        node(2, &["f3"], json!({})),
        node(3, &[], json!({"unites": {"identifier": "f0", "strategy": "ALL_SUCCESS"}})),
    ]});
    assert!(
        put("/graph/fanin".into(), graph)
            .await
            .unwrap()
            .status()
            .is_success()
    );
    while http
        .get(format!("{url}/graph/fanin"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["validation_status"]
        != "VALID"
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut conn = target.connect().await.unwrap();
    let base = "/v0/namespace/bench";
    conn.post(
        &format!("{base}/graph/fanin/trigger"),
        Bytes::from_static(b"{}"),
    )
    .await
    .unwrap();
    // Claims the states of node `name` and reports each with `outputs` (empty: none claimed).
    async fn claim(conn: &mut stmgr::bench::http::Conn, name: &str, batch: usize) -> Vec<String> {
        let body = json!({"nodes": [name], "batch_size": batch}).to_string();
        let claimed = conn
            .post_read("/v0/namespace/bench/states/enqueue", Bytes::from(body))
            .await
            .unwrap();
        let claimed: Value = serde_json::from_slice(&claimed).unwrap();
        claimed["states"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| s["state_id"].as_str().unwrap().to_string())
            .collect()
    }
    let executed = |id: &str| format!("{base}/state/{id}/executed");
    let one = Bytes::from_static(br#"{"outputs": [{"x": "a"}]}"#);
    for root in claim(&mut conn, "F0", 1).await {
        conn.post(&executed(&root), one.clone()).await.unwrap();
    }
    let outputs: Vec<Value> = (0..width).map(|i| json!({"x": i.to_string()})).collect();
    for fan in claim(&mut conn, "F1", 1).await {
        conn.post(
            &executed(&fan),
            Bytes::from(json!({"outputs": outputs}).to_string()),
        )
        .await
        .unwrap();
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (target, one) = (target.clone(), one.clone());
            tokio::spawn(async move {
                let mut conn = target.connect().await.unwrap();
                let mut lat = Vec::new();
                loop {
                    let ids = claim(&mut conn, "F2", 16).await;
                    if ids.is_empty() {
                        return lat;
                    }
                    for id in ids {
                        let t = Instant::now();
                        conn.post(
                            &format!("/v0/namespace/bench/state/{id}/executed"),
                            one.clone(),
                        )
                        .await
                        .unwrap();
                        lat.push(t.elapsed());
                    }
                }
            })
        })
        .collect();
    let mut lat: Vec<Duration> = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort();
    let pct =
        |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    let merges = claim(&mut conn, "F3", 16).await.len();
    assert_eq!(
        (lat.len(), merges),
        (width, 1),
        "every branch once, then one merge"
    );
    println!(
        "fan-in: {width} branches under one state, {workers} workers: {:.0} transitions/s; executed latency p50 {:.2} ms p99 {:.2} ms; one merge",
        width as f64 / elapsed,
        pct(0.5),
        pct(0.99)
    );
}
