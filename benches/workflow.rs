//! Workflow benchmark (not a test): `cargo bench --bench workflow`.
//!
//! State transitions per second through enqueue -> executed -> next state, driven in Rust over
//! HTTP against an in-process server (durability `always`: every commit is fdatasynced). Runs
//! of a linear chain of `STMGR_BENCH_CHAIN` nodes (default 10) are triggered up front
//! (`STMGR_BENCH_RUNS`, default 2000); `STMGR_BENCH_WORKERS` runtimes (default 16) each loop:
//! claim a batch (`states/enqueue`, batch 16), report every claimed state `executed` (which
//! creates its next state in the same commit). A transition is one state executed. Reported:
//! transitions/s over `STMGR_BENCH_SECS` (default 10) and the latency of `executed`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stmgr::server::{self, ServeOptions};
use stmgr::store::{Durability, Engine, EngineOptions};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let chain: usize = env("STMGR_BENCH_CHAIN", 10);
    let runs: usize = env("STMGR_BENCH_RUNS", 2000);
    let workers: usize = env("STMGR_BENCH_WORKERS", 16);
    let secs: u64 = env("STMGR_BENCH_SECS", 10);
    let dir = tempfile::tempdir().unwrap();
    let opts = EngineOptions {
        durability: Durability::Always,
        ..EngineOptions::default()
    };
    let engine = Engine::open(dir.path(), opts, "workflow bench").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/v0/namespace/bench",
        listener.local_addr().unwrap()
    );
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(
        listener,
        engine,
        ServeOptions::default(),
        async move {
            let _ = stop_rx.await;
        },
    ));
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
    for _ in 0..runs {
        ok(http
            .post(format!("{url}/graph/chain/trigger"))
            .json(&json!({}))
            .send()
            .await
            .unwrap());
    }
    let trigger_rate = runs as f64 / t0.elapsed().as_secs_f64();

    let done = Arc::new(AtomicU64::new(0));
    let enqueues = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    let started = Instant::now();
    for _ in 0..workers {
        let (http, url, names) = (http.clone(), url.clone(), names.clone());
        let (done, enqueues, stop) = (done.clone(), enqueues.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let claimed: Value = http
                    .post(format!("{url}/states/enqueue"))
                    .json(&json!({"nodes": names, "batch_size": 16}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                enqueues.fetch_add(1, Ordering::Relaxed);
                let states = claimed["states"].as_array().cloned().unwrap_or_default();
                if states.is_empty() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
                for s in states {
                    let id = s["state_id"].as_str().unwrap();
                    let x = s["inputs"]["x"].as_str().unwrap_or_default();
                    let t = Instant::now();
                    let r = http
                        .post(format!("{url}/state/{id}/executed"))
                        .json(&json!({"outputs": [{"x": format!("{x}.")}]}))
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success(), "{}", r.status());
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
    println!(
        "workflow: chain {chain}, {runs} runs triggered at {trigger_rate:.0}/s; {workers} workers, {secs} s"
    );
    println!(
        "transitions {n} in {elapsed:.1} s = {:.0}/s; enqueue calls {}; executed latency p50 {:.2} ms p99 {:.2} ms",
        n as f64 / elapsed,
        enqueues.load(Ordering::Relaxed),
        pct(0.5),
        pct(0.99)
    );
    let _ = stop_tx.send(());
    let _ = server.await;
}
