//! Load generation against a running server (`stmgr bench`): PUT, GET, mixed and watch loads
//! over concurrent connections, with throughput and latency percentiles.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;
use serde_json::json;

use crate::client::{Client, ClientError};

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BenchOp {
    /// Upserts of distinct ids.
    Put,
    /// Reads of existing objects.
    Get,
    /// Half reads, half writes.
    Mixed,
    /// Watchers following a paced writer; measures commit-to-delivery lag.
    Watch,
}

/// Load settings.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// The operation.
    pub op: BenchOp,
    /// Concurrent connections (watchers for `watch`).
    pub connections: usize,
    /// How long to run.
    pub duration: Duration,
    /// Stop after this many requests in total (`None`: run for `duration`).
    pub count: Option<u64>,
    /// Body size in bytes.
    pub value_size: usize,
    /// Namespace to use.
    pub ns: String,
    /// Writes per second for `watch`.
    pub rate: u64,
}

/// Results (stable field names for `--output json`).
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// The operation.
    pub op: BenchOp,
    /// Connections (or watchers).
    pub connections: usize,
    /// Successful operations (events received for `watch`).
    pub ok: u64,
    /// Failed operations.
    pub errors: u64,
    /// Wall time (s).
    pub seconds: f64,
    /// Operations per second.
    pub per_second: f64,
    /// Latency (or lag) percentiles in ms.
    pub p50_ms: f64,
    /// 95th percentile (ms).
    pub p95_ms: f64,
    /// 99th percentile (ms).
    pub p99_ms: f64,
    /// Maximum (ms).
    pub max_ms: f64,
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(cfg: &BenchConfig, mut lat: Vec<Duration>, errors: u64, took: Duration) -> BenchReport {
    lat.sort();
    let ok = lat.len() as u64;
    BenchReport {
        op: cfg.op,
        connections: cfg.connections,
        ok,
        errors,
        seconds: took.as_secs_f64(),
        per_second: ok as f64 / took.as_secs_f64().max(1e-9),
        p50_ms: pct(&lat, 0.50),
        p95_ms: pct(&lat, 0.95),
        p99_ms: pct(&lat, 0.99),
        max_ms: lat.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    }
}

/// Runs the load.
///
/// # Errors
/// The server cannot be reached at the start (errors during the run are counted instead).
pub async fn run(client: &Client, cfg: &BenchConfig) -> Result<BenchReport, ClientError> {
    client.health().await?;
    if cfg.op == BenchOp::Watch {
        return watch_load(client, cfg).await;
    }
    let body = "v".repeat(cfg.value_size.saturating_sub(2));
    let keys = 1000u64;
    if matches!(cfg.op, BenchOp::Get | BenchOp::Mixed) {
        for k in 0..keys {
            client
                .put(
                    &cfg.ns,
                    &json!({"type": "bench", "body": body, "id": format!("k{k}")}),
                    None,
                )
                .await?;
        }
    }
    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + cfg.duration;
    let tasks: Vec<_> = (0..cfg.connections)
        .map(|w| {
            let (client, cfg, body, issued) =
                (client.clone(), cfg.clone(), body.clone(), issued.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0u64;
                let mut i = 0u64;
                loop {
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    if cfg.count.is_some_and(|c| n >= c)
                        || (cfg.count.is_none() && Instant::now() >= deadline)
                    {
                        break;
                    }
                    let write = match cfg.op {
                        BenchOp::Put => true,
                        BenchOp::Get => false,
                        _ => i.is_multiple_of(2),
                    };
                    let t = Instant::now();
                    let res = if write {
                        let id = format!("w{w}-{i}");
                        client
                            .put(
                                &cfg.ns,
                                &json!({"type": "bench", "body": body, "id": id}),
                                None,
                            )
                            .await
                            .map(|_| ())
                    } else {
                        client
                            .get(
                                &cfg.ns,
                                &format!("k{}", (w as u64 * 7919 + i) % keys),
                                None,
                                None,
                            )
                            .await
                            .map(|_| ())
                    };
                    match res {
                        Ok(()) => lat.push(t.elapsed()),
                        Err(_) => errors += 1,
                    }
                    i += 1;
                }
                (lat, errors)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            lat.extend(l);
            errors += e;
        }
    }
    Ok(report(cfg, lat, errors, started.elapsed()))
}

/// `connections` watchers follow one writer doing `rate` puts/s whose bodies carry the send
/// time; lag = receive time - send time (same machine clock).
async fn watch_load(client: &Client, cfg: &BenchConfig) -> Result<BenchReport, ClientError> {
    let epoch = Instant::now();
    // Set to the number of writes once the writer is done; watchers stop when they saw them all.
    let written = Arc::new(AtomicU64::new(u64::MAX));
    let mut watchers = Vec::new();
    for _ in 0..cfg.connections {
        let stream = client.watch(&cfg.ns, None, None).await?;
        let deadline = cfg.duration + Duration::from_secs(5);
        let written = written.clone();
        watchers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut stream = std::pin::pin!(stream);
            let end = tokio::time::sleep(deadline);
            tokio::pin!(end);
            let mut poll = tokio::time::interval(Duration::from_millis(50));
            loop {
                if lat.len() as u64 >= written.load(Ordering::Relaxed) {
                    break;
                }
                tokio::select! {
                    _ = poll.tick() => {}
                    ev = stream.next() => match ev {
                        Some(Ok(ev)) => {
                            if let Some(sent_us) = ev.data["obj"]["body"]["sent_us"].as_u64() {
                                let now_us = epoch.elapsed().as_micros() as u64;
                                lat.push(Duration::from_micros(now_us.saturating_sub(sent_us)));
                            }
                        }
                        _ => break,
                    },
                    _ = &mut end => break,
                }
            }
            lat
        }));
    }
    let started = Instant::now();
    let mut errors = 0u64;
    let interval = Duration::from_secs_f64(1.0 / cfg.rate.max(1) as f64);
    let mut ticker = tokio::time::interval(interval);
    let mut i = 0u64;
    let pad = "v".repeat(cfg.value_size.saturating_sub(40));
    while started.elapsed() < cfg.duration && cfg.count.is_none_or(|c| i < c) {
        ticker.tick().await;
        let sent_us = epoch.elapsed().as_micros() as u64;
        let body = json!({"sent_us": sent_us, "pad": pad});
        if client
            .put(
                &cfg.ns,
                &json!({"type": "bench", "body": body, "id": format!("e{}", i % 1000)}),
                None,
            )
            .await
            .is_err()
        {
            errors += 1;
        }
        i += 1;
    }
    let took = started.elapsed();
    written.store(i - errors, Ordering::Relaxed);
    let mut lat = Vec::new();
    for w in watchers {
        if let Ok(l) = w.await {
            lat.extend(l);
        }
    }
    Ok(report(cfg, lat, errors, took))
}
