//! HTTP APIs over the engine: `v1` objects, query and watch (wire-compatible with AgentState),
//! admin routes and health. `router()` builds the whole app, so tests drive it in-process.

pub mod admin;
pub mod control;
mod engine_metrics;
pub mod error;
pub mod extract;
pub mod guard;
pub mod health;
pub mod layers;
pub mod linearize;
pub mod metrics;
pub mod net_metrics;
pub mod openapi;
mod replication_metrics;
pub mod v0;
pub mod v1;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::sync::watch;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::backup::replicate::ReplicationStatus;
use crate::store::Engine;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    render_cache: v1::watch::RenderCache,
    watch_pace: v1::watch::Pace,
    metrics: Arc<metrics::Metrics>,
    started: Instant,
    /// Flips to true when the server starts shutting down (watch streams end on it).
    shutdown: watch::Receiver<bool>,
    heartbeat: Duration,
    guard: guard::Guard,
    workflows: crate::workflow::Workflows,
    objects: crate::objects::Objects,
    leases: crate::leases::Leases,
    checkpoints: crate::checkpoints::Checkpoints,
    health_format: health::HealthFormat,
    /// Where continuous replication stands, when the server replicates.
    replication: Arc<OnceLock<Arc<ReplicationStatus>>>,
    /// The flow manager, once the server started it.
    flows: OnceLock<crate::flow::FlowManager>,
}

impl AppState {
    /// State over an open engine; `shutdown` turns true when the server is stopping;
    /// `watch_interval` fixes how often a busy watch stream writes (`None`: following the load);
    /// `health_format` is what a plain `GET /health` answers.
    pub fn new(
        engine: Engine,
        shutdown: watch::Receiver<bool>,
        heartbeat: Duration,
        watch_interval: Option<Duration>,
        guard: guard::Guard,
        workflows: crate::workflow::WorkflowOptions,
        health_format: health::HealthFormat,
    ) -> Self {
        let engine_for_workflows = engine.clone();
        let objects = crate::objects::Objects::new(engine.clone());
        let leases = crate::leases::Leases::new(engine.clone());
        let checkpoints = crate::checkpoints::Checkpoints::new(engine.clone());
        let replication = Arc::new(OnceLock::new());
        AppState {
            inner: Arc::new(Inner {
                render_cache: Default::default(),
                watch_pace: v1::watch::Pace::new(watch_interval),
                metrics: Arc::new(metrics::Metrics::new(engine.clone(), replication.clone())),
                engine,
                started: Instant::now(),
                shutdown,
                heartbeat,
                guard,
                workflows: crate::workflow::Workflows::new(engine_for_workflows, workflows),
                objects,
                leases,
                checkpoints,
                health_format,
                replication,
                flows: OnceLock::new(),
            }),
        }
    }

    /// Reports replication in `/health` and `/metrics` (once; later calls are ignored).
    pub fn set_replication(&self, status: Arc<ReplicationStatus>) {
        let _ = self.inner.replication.set(status);
    }

    /// Where continuous replication stands, when the server replicates.
    pub fn replication(&self) -> Option<&Arc<ReplicationStatus>> {
        self.inner.replication.get()
    }

    /// Serves flows with this manager (once; later calls are ignored).
    pub fn set_flows(&self, flows: crate::flow::FlowManager) {
        let _ = self.inner.flows.set(flows);
    }

    /// The flow manager, when this server runs one (`serve` starts it; an app built in-process
    /// by a test without it answers 503 on the flow routes).
    pub fn flows(&self) -> Option<&crate::flow::FlowManager> {
        self.inner.flows.get()
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Watch events rendered once for all watchers.
    pub fn render_cache(&self) -> &v1::watch::RenderCache {
        &self.inner.render_cache
    }

    /// How often watch streams write.
    pub fn watch_pace(&self) -> &v1::watch::Pace {
        &self.inner.watch_pace
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    /// The server's metrics, shared.
    pub fn metrics_arc(&self) -> Arc<metrics::Metrics> {
        self.inner.metrics.clone()
    }

    /// Time since the server started.
    pub fn uptime(&self) -> Duration {
        self.inner.started.elapsed()
    }

    /// A receiver that turns true when the server stops.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.clone()
    }

    /// The workflow engine (v0).
    pub fn workflows(&self) -> &crate::workflow::Workflows {
        &self.inner.workflows
    }

    /// The objects domain (v1 objects, query, history, garbage collection).
    pub fn objects(&self) -> &crate::objects::Objects {
        &self.inner.objects
    }

    /// The leases domain (v1).
    pub fn leases(&self) -> &crate::leases::Leases {
        &self.inner.leases
    }

    /// The checkpoints domain (v1).
    pub fn checkpoints(&self) -> &crate::checkpoints::Checkpoints {
        &self.inner.checkpoints
    }

    /// Who may do what.
    pub fn guard(&self) -> &guard::Guard {
        &self.inner.guard
    }

    /// Interval of SSE heartbeat comments.
    pub fn heartbeat(&self) -> Duration {
        self.inner.heartbeat
    }

    /// What a plain `GET /health` answers.
    pub fn health_format(&self) -> health::HealthFormat {
        self.inner.health_format
    }
}

/// The operations listener's app: `/health` and `/metrics` only (for a separate port that
/// monitoring reaches and clients do not).
pub fn ops_router(state: AppState) -> Router {
    let (routes, _) = OpenApiRouter::new()
        .merge(health::routes())
        .merge(metrics::routes())
        .split_for_parts();
    routes
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .with_state(state)
}

/// The whole HTTP app. `max_body` bounds request bodies (413 above it).
pub fn router(state: AppState, max_body: usize) -> Router {
    let inner = routes(state, max_body);
    Router::new().fallback_service(tower::ServiceExt::map_request(inner, namespace_flows))
}

/// `/v1/flows/{objects,query,watch,lease}…` are the routes of the namespace `flows` (agentstate
/// clients may use any namespace), not of a flow: the flow routes' static `flows` segment would
/// win, so the path is given to the router with the segment percent-encoded (`%66lows`), which
/// only `{ns}` matches and which the path extractor decodes back to `flows`. Flows may not take
/// these names ([`crate::flow::RESERVED_FLOW_NAMES`]).
fn namespace_flows(mut req: axum::extract::Request) -> axum::extract::Request {
    let Some(rest) = req.uri().path().strip_prefix("/v1/flows/") else {
        return req;
    };
    let segment = rest.split('/').next().unwrap_or_default();
    if segment == "events" || !crate::flow::RESERVED_FLOW_NAMES.contains(&segment) {
        return req;
    }
    let path_and_query = match req.uri().query() {
        Some(q) => format!("/v1/%66lows/{rest}?{q}"),
        None => format!("/v1/%66lows/{rest}"),
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

fn routes(state: AppState, max_body: usize) -> Router {
    let (routes, mut doc) = documented_routes().split_for_parts();
    openapi::add_security(&mut doc, state.guard().enabled());
    routes
        .merge(openapi::routes(doc))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::admit,
        ))
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Every documented route of the main listener, with the OpenAPI document built from them.
pub fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::routes())
        .merge(v1::routes())
        .merge(v0::routes())
        .merge(admin::routes())
        .merge(metrics::routes())
}

/// The OpenAPI document of the main listener (what `GET /openapi.json` serves on a server
/// with authentication, when `guarded`).
pub fn openapi_document(guarded: bool) -> utoipa::openapi::OpenApi {
    let mut doc = documented_routes().into_openapi();
    openapi::add_security(&mut doc, guarded);
    doc
}
