//! Load generation against a running server (`stmgr bench`): PUT, GET, mixed and watch loads
//! over concurrent connections, with throughput and latency percentiles, and a memory load that
//! fills the server and reports its resident memory per object.
//!
//! The generator shares the machine with the server it measures, so it is kept cheap: one
//! HTTP/1.1 keep-alive connection per worker ([`http`]), request bodies built from pre-rendered
//! bytes, responses checked by status and drained without parsing.

pub mod http;
mod watch;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use serde::Serialize;

pub use http::{HttpError, Target};

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
    /// Watchers following paced writers; measures send-to-delivery lag (p50..max) and emit lag
    /// (commit to delivery: emit_p50_ms, emit_p99_ms).
    Watch,
    /// Fills the server with distinct objects (`--count`, default 1,000,000), then reads its
    /// resident memory from `/metrics`.
    Memory,
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
#[derive(Debug, Clone, Default, Serialize)]
pub struct BenchReport {
    /// The operation.
    pub op: Option<BenchOp>,
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
    /// `watch`: acknowledged writes per second (the writers' achieved rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes_per_second: Option<f64>,
    /// `watch`: median emit lag, from an event's commit time (its `ts`, ms) to its receipt
    /// (wall clock, ms); the p50..max columns are then send-to-receipt lags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emit_p50_ms: Option<f64>,
    /// `watch`: 99th percentile emit lag (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emit_p99_ms: Option<f64>,
    /// `memory`: the server's resident memory after the fill (bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_bytes: Option<u64>,
    /// `memory`: bytes of ids and bodies written (the live data; no tags are written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_bytes: Option<u64>,
    /// `memory`: resident memory per object written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_per_object: Option<f64>,
    /// `memory`: resident memory over live data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_ratio: Option<f64>,
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(cfg: &BenchConfig, mut lat: Vec<Duration>, errors: u64, took: Duration) -> BenchReport {
    lat.sort_unstable();
    let ok = lat.len() as u64;
    BenchReport {
        op: Some(cfg.op),
        connections: cfg.connections,
        ok,
        errors,
        seconds: took.as_secs_f64(),
        per_second: ok as f64 / took.as_secs_f64().max(1e-9),
        p50_ms: pct(&lat, 0.50),
        p95_ms: pct(&lat, 0.95),
        p99_ms: pct(&lat, 0.99),
        max_ms: lat.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        ..BenchReport::default()
    }
}

/// An upsert body `{"type":"bench","body":"vvv…","id":"<id>"}` built from pre-rendered parts:
/// one allocation and two copies per request.
#[derive(Clone)]
struct PutBody {
    head: Bytes,
}

impl PutBody {
    /// A body whose `body` field is a JSON string of `value_size` bytes in all.
    fn new(value_size: usize) -> Self {
        let value = "v".repeat(value_size.saturating_sub(2));
        PutBody {
            head: Bytes::from(format!(r#"{{"type":"bench","body":"{value}","id":""#)),
        }
    }

    fn with_id(&self, id: &str) -> Bytes {
        let mut b = BytesMut::with_capacity(self.head.len() + id.len() + 2);
        b.put_slice(&self.head);
        b.put_slice(id.as_bytes());
        b.put_slice(b"\"}");
        b.freeze()
    }
}

/// Runs the load.
///
/// # Errors
/// The server cannot be reached at the start (errors during the run are counted instead).
pub async fn run(target: &Target, cfg: &BenchConfig) -> Result<BenchReport, HttpError> {
    target.connect().await?.get("/health").await?;
    match cfg.op {
        BenchOp::Watch => watch::run(target, cfg).await,
        BenchOp::Memory => memory(target, cfg).await,
        _ => load(target, cfg).await,
    }
}

const GET_KEYS: u64 = 1000;

async fn load(target: &Target, cfg: &BenchConfig) -> Result<BenchReport, HttpError> {
    let body = PutBody::new(cfg.value_size);
    let objects = target.objects_path();
    if matches!(cfg.op, BenchOp::Get | BenchOp::Mixed) {
        let mut conn = target.connect().await?;
        for k in 0..GET_KEYS {
            conn.post(&objects, body.with_id(&format!("k{k}"))).await?;
        }
    }
    let mut conns = Vec::with_capacity(cfg.connections);
    for _ in 0..cfg.connections {
        conns.push(target.connect().await?);
    }
    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + cfg.duration;
    let tasks: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(w, mut conn)| {
            let (cfg, body, issued, objects, target) = (
                cfg.clone(),
                body.clone(),
                issued.clone(),
                objects.clone(),
                target.clone(),
            );
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0u64;
                let mut i = 0u64;
                let mut path = String::new();
                loop {
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    if cfg.count.is_some_and(|c| n >= c)
                        || (cfg.count.is_none() && Instant::now() >= deadline)
                    {
                        break;
                    }
                    let write = match cfg.op {
                        BenchOp::Get => false,
                        BenchOp::Mixed => i.is_multiple_of(2),
                        _ => true,
                    };
                    let t = Instant::now();
                    let res = if write {
                        conn.post(&objects, body.with_id(&format!("w{w}-{i}")))
                            .await
                    } else {
                        use std::fmt::Write as _;
                        path.clear();
                        let k = (w as u64 * 7919 + i) % GET_KEYS;
                        let _ = write!(path, "{objects}/k{k}");
                        conn.get(&path).await
                    };
                    match res {
                        Ok(()) => lat.push(t.elapsed()),
                        Err(HttpError::Status(_)) => errors += 1,
                        Err(_) => {
                            // The connection is gone: open another one.
                            errors += 1;
                            match target.connect().await {
                                Ok(c) => conn = c,
                                Err(_) => break,
                            }
                        }
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

/// Objects the `memory` load writes when no `--count` is given.
pub const MEMORY_OBJECTS: u64 = 1_000_000;

/// Fills the server with `count` distinct objects over `connections` connections, then reads
/// `process_resident_memory_bytes` from `/metrics`.
async fn memory(target: &Target, cfg: &BenchConfig) -> Result<BenchReport, HttpError> {
    let total = cfg.count.unwrap_or(MEMORY_OBJECTS);
    let body = PutBody::new(cfg.value_size);
    let objects = target.objects_path();
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..cfg.connections {
        let mut conn = target.connect().await?;
        let (body, next, objects) = (body.clone(), next.clone(), objects.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut live) = (Vec::new(), 0u64, 0u64);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                let id = format!("m{n:08}");
                let t = Instant::now();
                match conn.post(&objects, body.with_id(&id)).await {
                    Ok(()) => {
                        lat.push(t.elapsed());
                        live += id.len() as u64;
                    }
                    Err(_) => errors += 1,
                }
            }
            (lat, errors, live)
        }));
    }
    let (mut lat, mut errors, mut live) = (Vec::new(), 0, 0);
    for t in tasks {
        if let Ok((l, e, b)) = t.await {
            live += b + l.len() as u64 * cfg.value_size as u64;
            lat.extend(l);
            errors += e;
        }
    }
    let took = started.elapsed();
    let metrics = target.connect().await?.get_text("/metrics").await?;
    let rss = metrics.lines().find_map(|l| {
        l.strip_prefix("process_resident_memory_bytes ")
            .and_then(|v| v.trim().parse::<f64>().ok())
    });
    let mut r = report(cfg, lat, errors, took);
    if let Some(rss) = rss {
        r.rss_bytes = Some(rss as u64);
        r.rss_per_object = Some(rss / r.ok.max(1) as f64);
        r.rss_ratio = Some(rss / live.max(1) as f64);
    }
    r.live_bytes = Some(live);
    Ok(r)
}
