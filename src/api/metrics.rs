//! `GET /metrics` (Prometheus text format): request counts and latencies by operation and
//! result, query evaluation time, watch streams (clients, events, resumes, drops by reason,
//! backlog, emit lag), snapshots (outcomes and when the last good one was taken), and engine
//! figures read at scrape time (commit_seq, WAL records, bytes, batches and segments, fsyncs,
//! bytes on disk), and `build_info{version,commit,build_date}` (always 1); the listeners'
//! connection figures are in [`super::net_metrics`], continuous replication's in
//! [`super::replication_metrics`].
//!
//! AgentState's names are exported too, for its users' dashboards and alerts (its
//! `docs/compatibility.md` makes them public API), each with what the name means there:
//! `query_planner_micros`, `watch_resumes_total{proto}`, `wal_records_total`,
//! `wal_bytes_total`, `wal_batch_bytes`, `wal_active_segments`, `storage_bytes_total{kind}`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use super::AppState;
use super::engine_metrics::EngineCollector;
use crate::store::Engine;

/// `op` and `result` labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpResult {
    op: &'static str,
    result: &'static str,
}

/// `op` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpLabel {
    op: &'static str,
}

/// `reason` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    reason: &'static str,
}

/// `scope` label (`token` or `namespace`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Scope {
    scope: &'static str,
}

/// `code` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Code {
    code: &'static str,
}

/// `proto` label (AgentState's: `sse` or `grpc`; stmgr serves `sse`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Proto {
    proto: &'static str,
}

/// Labels of `build_info`: what `stmgr --version` says.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
    commit: &'static str,
    build_date: &'static str,
}

/// `kind` label of `storage_bytes_total` (`wal` or `snapshots`).
/// Upper bounds of `query_planner_micros` (µs): AgentState's (50 to 10,000), with finer ones
/// below for small namespaces and coarser ones above for large ones.
const QUERY_MICROS_BUCKETS: [f64; 13] = [
    10.0,
    25.0,
    50.0,
    100.0,
    250.0,
    500.0,
    1_000.0,
    2_500.0,
    5_000.0,
    10_000.0,
    25_000.0,
    100_000.0,
    1_000_000.0,
];

/// The `reason`s of `watch_drops_total`.
pub const WATCH_DROP_REASONS: [&str; 6] = [
    "overflow",
    "compacted",
    "reset",
    "shutdown",
    "error",
    "expired",
];

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    ops: Family<OpResult, Counter>,
    op_duration: Family<OpLabel, Histogram>,
    /// Open watch streams.
    pub watch_clients: Gauge,
    /// Events sent on watch streams.
    pub watch_events: Counter,
    /// Watch streams ended by the server, by reason.
    pub watch_drops: Family<Reason, Counter>,
    /// Watch streams opened from a resume point (`Last-Event-ID` or `from_commit`).
    watch_resumes: Family<Proto, Counter>,
    /// Time to evaluate `POST /v1/{ns}/query` (parse the paths, scan, match), in µs.
    query_micros: Histogram,
    /// Time from commit to send, per event.
    pub watch_emit_lag: Histogram,
    /// Snapshot write time.
    pub snapshot_duration: Histogram,
    /// Size of the last snapshot.
    pub snapshot_bytes: Gauge,
    /// The shortest time between two writes to one watch stream (it follows the load).
    watch_write_interval: Gauge<f64, std::sync::atomic::AtomicU64>,
    rate_limited: Family<Scope, Counter>,
    auth_refused: Family<Code, Counter>,
    /// Connections of the listeners.
    pub net: super::net_metrics::NetMetrics,
}

impl Metrics {
    /// The registry with every metric, reading engine figures from `engine` and replication's
    /// from `replication` (once set) at scrape time.
    pub fn new(
        engine: Engine,
        replication: Arc<std::sync::OnceLock<Arc<crate::backup::replicate::ReplicationStatus>>>,
    ) -> Self {
        let mut registry = Registry::default();
        let ops = Family::<OpResult, Counter>::default();
        registry.register(
            "operations",
            "HTTP operations by op and result",
            ops.clone(),
        );
        let op_duration = Family::<OpLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0001, 2.0, 16))
        });
        registry.register_with_unit(
            "op_duration",
            "HTTP operation latency",
            Unit::Seconds,
            op_duration.clone(),
        );
        let watch_clients = Gauge::default();
        registry.register("watch_clients", "Open watch streams", watch_clients.clone());
        let watch_events = Counter::default();
        registry.register(
            "watch_events",
            "Events sent on watch streams",
            watch_events.clone(),
        );
        let watch_drops = Family::<Reason, Counter>::default();
        // Every reason exported from the start (at 0), so that an alert on its increase sees
        // the first drop (`WatchError` in src/api/v1/watch.rs, and `expired`).
        for reason in WATCH_DROP_REASONS {
            drop(watch_drops.get_or_create(&Reason { reason }));
        }
        registry.register(
            "watch_drops",
            "Watch streams ended by the server, by reason",
            watch_drops.clone(),
        );
        let watch_resumes = Family::<Proto, Counter>::default();
        // Exported from the start (at 0), so a rate over it has a series before the first resume.
        drop(watch_resumes.get_or_create(&Proto { proto: "sse" }));
        registry.register(
            "watch_resumes",
            "Watch streams opened from a resume point (Last-Event-ID or from_commit)",
            watch_resumes.clone(),
        );
        let query_micros = Histogram::new(QUERY_MICROS_BUCKETS);
        registry.register(
            "query_planner_micros",
            "Time to evaluate POST /v1/{ns}/query (JSON paths, scan and match), in microseconds",
            query_micros.clone(),
        );
        // Fine enough between 1 and 50 ms to read a p99 against a 20 ms objective.
        let watch_emit_lag = Histogram::new([
            0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025,
            0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]);
        registry.register_with_unit(
            "watch_emit_lag",
            "Time from commit to send on a watch stream",
            Unit::Seconds,
            watch_emit_lag.clone(),
        );
        let snapshot_duration = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        registry.register_with_unit(
            "snapshot_duration",
            "Snapshot write time",
            Unit::Seconds,
            snapshot_duration.clone(),
        );
        let watch_write_interval = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register_with_unit(
            "watch_write_interval",
            "Shortest time between two writes to one busy watch stream; grows with the open streams unless fixed by --watch-write-interval",
            Unit::Seconds,
            watch_write_interval.clone(),
        );
        let snapshot_bytes = Gauge::default();
        registry.register_with_unit(
            "snapshot_size",
            "Size of the last snapshot written",
            Unit::Bytes,
            snapshot_bytes.clone(),
        );
        let rate_limited = Family::<Scope, Counter>::default();
        registry.register(
            "rate_limit_exceeded",
            "Requests refused with 429, by scope (token or namespace)",
            rate_limited.clone(),
        );
        let auth_refused = Family::<Code, Counter>::default();
        registry.register(
            "auth_refused",
            "Requests refused by authentication or authorization, by error code",
            auth_refused.clone(),
        );
        let build_info = Family::<BuildLabels, Gauge>::default();
        build_info
            .get_or_create(&BuildLabels {
                version: crate::build_info::VERSION,
                commit: crate::build_info::COMMIT,
                build_date: crate::build_info::BUILD_DATE,
            })
            .set(1);
        registry.register(
            "build_info",
            "Always 1; the labels say which build is running (as `stmgr --version` does)",
            build_info,
        );
        registry.register_collector(Box::new(EngineCollector(engine)));
        registry.register_collector(Box::new(super::replication_metrics::ReplicationCollector(
            replication,
        )));
        let net = super::net_metrics::NetMetrics::default();
        net.register(&mut registry);
        Metrics {
            registry,
            ops,
            op_duration,
            watch_clients,
            watch_events,
            watch_drops,
            watch_resumes,
            query_micros,
            watch_emit_lag,
            snapshot_duration,
            snapshot_bytes,
            watch_write_interval,
            rate_limited,
            auth_refused,
            net,
        }
    }

    /// Counts a 429.
    pub fn rate_limited(&self, scope: &'static str) {
        self.rate_limited.get_or_create(&Scope { scope }).inc();
    }

    /// Counts a request refused by auth, by error code.
    pub fn auth_refused(&self, code: &'static str) {
        self.auth_refused.get_or_create(&Code { code }).inc();
    }

    /// Counts a drop of a watch stream.
    pub fn watch_drop(&self, reason: &'static str) {
        self.watch_drops.get_or_create(&Reason { reason }).inc();
    }

    /// Counts a watch stream opened from a resume point, by protocol.
    pub fn watch_resumed(&self, proto: &'static str) {
        self.watch_resumes.get_or_create(&Proto { proto }).inc();
    }

    /// Records the time one query took to evaluate.
    pub fn query_evaluated(&self, took: std::time::Duration) {
        self.query_micros.observe(took.as_secs_f64() * 1e6);
    }
}

/// The operation a route performs, for labels.
fn op_of(method: &Method, path: &str) -> &'static str {
    match (method.as_str(), path) {
        ("POST", "/v1/{ns}/objects") => "put",
        ("GET", "/v1/{ns}/objects/{id}") => "get",
        ("DELETE", "/v1/{ns}/objects/{id}") => "delete",
        ("GET", "/v1/{ns}/objects") => "list",
        ("POST", "/v1/{ns}/query") => "query",
        ("GET", "/v1/{ns}/watch") => "watch",
        ("POST", "/v0/namespace/{ns}/graph/{name}/trigger") => "workflow_trigger",
        ("POST", "/v0/namespace/{ns}/states/enqueue") => "workflow_enqueue",
        ("POST", "/v0/namespace/{ns}/state/{id}/executed") => "workflow_executed",
        ("POST", "/v0/namespace/{ns}/state/{id}/errored") => "workflow_errored",
        (_, p) if p.starts_with("/v0/") => "workflow_other",
        (_, p) if p.starts_with("/admin/") => "admin",
        ("GET", "/health") => "health",
        ("GET", "/metrics") => "metrics",
        _ => "other",
    }
}

/// Middleware recording every request's operation, result and duration.
pub async fn track(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let op = op_of(
        req.method(),
        req.extensions()
            .get::<MatchedPath>()
            .map_or("", |p| p.as_str()),
    );
    let started = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status();
    let result = if status.is_success() {
        "ok"
    } else if status.is_client_error() {
        "client_error"
    } else {
        "server_error"
    };
    let m = app.metrics();
    m.ops.get_or_create(&OpResult { op, result }).inc();
    m.op_duration
        .get_or_create(&OpLabel { op })
        .observe(started.elapsed().as_secs_f64());
    resp
}

/// The `/metrics` route.
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(scrape))
}

/// Prometheus metrics in the OpenMetrics text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "ops",
    responses((status = 200, description = "OpenMetrics text",
               content((String = "application/openmetrics-text"))))
)]
pub async fn scrape(State(app): State<AppState>) -> Response {
    let metrics: Arc<Metrics> = app.metrics_arc();
    metrics
        .watch_write_interval
        .set(app.watch_pace().slot().as_secs_f64());
    let text = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        match prometheus_client::encoding::text::encode(&mut out, &metrics.registry) {
            Ok(()) => Ok(out),
            Err(e) => {
                let mut msg = String::new();
                let _ = write!(msg, "{e}");
                Err(msg)
            }
        }
    })
    .await;
    match text {
        Ok(Ok(body)) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Ok(Err(e)) => super::error::ApiError::internal(&e).into_response(),
        Err(e) => super::error::ApiError::internal(&e).into_response(),
    }
}
