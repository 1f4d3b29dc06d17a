//! `GET /health`: plain `ok` for curl and the `agentstate` SDK (which compares the body with
//! `ok`), the JSON document (`"message": "OK"`, as the `exospherehost` SDK expects) for
//! clients that ask for JSON (`Accept: application/json` or `?format=json`) or for every
//! client when the server runs with `--health-format json`. A poisoned engine (a failed WAL
//! write or sync) answers 503 with the JSON document in any format, so probes restart it.
//! Recovery finishes before the server listens, so any answer means ready. With replication,
//! the JSON document has a `replication` object (status, lag, last success, last error); an
//! unreachable bucket is reported there and leaves the server healthy (200): writes go on.
//! `components` has one object per component, each with `status` and `detail`, from real
//! checks: `engine` (`ok`, `read_only` when poisoned), `flow_manager` (`running`,
//! `unavailable` with the reason), `supervisor` (flow replicas running against wanted:
//! `ok`, `degraded`), `sockets` (control sockets of running replicas), `watch` (clients). Only
//! a poisoned engine makes the answer 503: a crashed worker is a `degraded` component.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::backup::replicate::ReplicationReport;

/// Health routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// What a plain `GET /health` answers when healthy (no `format`, no JSON in `Accept`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HealthFormat {
    /// `ok` as text (AgentState's form).
    #[default]
    Text,
    /// The JSON document (Exosphere's form: `{"message": "OK", ...}`).
    Json,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HealthQuery {
    /// `json` for the JSON document, `text` for `ok`, whatever the `Accept` header and the
    /// server's `--health-format` say.
    format: Option<String>,
}

/// The JSON health document.
#[derive(Serialize, ToSchema)]
struct HealthOut {
    /// `degraded` (only when degraded: the error code of the 503).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    /// `healthy`, or `degraded` once a failed WAL write or sync has made the engine read-only.
    status: &'static str,
    /// `OK`, or why the engine is degraded.
    message: String,
    /// Why the engine is degraded (only when degraded).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// Server version.
    version: &'static str,
    /// The latest commit.
    commit_seq: u64,
    /// Seconds since the server started.
    uptime_s: u64,
    /// Per-component state.
    #[schema(value_type = Object)]
    components: serde_json::Value,
    /// Continuous replication, when the server replicates. A failing bucket does not make
    /// the server degraded (writes go on): `status` says `failing`, with the lag and the last
    /// error.
    #[serde(skip_serializing_if = "Option::is_none")]
    replication: Option<ReplicationReport>,
}

/// Liveness and readiness (the server listens only once recovery is done). 503 once the
/// engine refuses writes (a failed WAL write or sync; reads go on until a restart).
#[utoipa::path(
    get,
    path = "/health",
    tag = "ops",
    params(HealthQuery),
    responses(
        (status = 200, description = "Healthy: `ok` as text, or the JSON document (`\"message\": \
         \"OK\"`) when asked for with `?format=json` or `Accept: application/json`, or when the \
         server runs with `--health-format json`",
         content((String = "text/plain"), (HealthOut = "application/json"))),
        (status = 503, description = "Degraded: the engine refuses writes until restarted \
         (the JSON document, in any format)", body = HealthOut),
    )
)]
async fn health(
    State(app): State<AppState>,
    Query(q): Query<HealthQuery>,
    headers: HeaderMap,
) -> Response {
    let wants_json = match q.format.as_deref() {
        Some("json") => true,
        Some("text") => false,
        _ => {
            app.health_format() == HealthFormat::Json
                || headers
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|a| {
                        a.split(',')
                            .any(|t| t.trim().starts_with("application/json"))
                    })
        }
    };
    let engine = app.engine();
    let poisoned = engine.poisoned();
    if poisoned.is_none() && !wants_json {
        return "ok".into_response();
    }
    let doc = HealthOut {
        error: poisoned.is_some().then_some("degraded"),
        status: if poisoned.is_some() {
            "degraded"
        } else {
            "healthy"
        },
        message: poisoned.clone().unwrap_or_else(|| "OK".into()),
        detail: poisoned.clone(),
        version: env!("CARGO_PKG_VERSION"),
        commit_seq: engine.view().seq,
        uptime_s: app.uptime().as_secs(),
        components: components(&app, poisoned.as_deref()).await,
        replication: app.replication().map(|r| r.report()),
    };
    let status = if poisoned.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (status, Json(doc)).into_response()
}

/// Each component with `status` and `detail`.
async fn components(app: &AppState, poisoned: Option<&str>) -> serde_json::Value {
    use serde_json::json;
    let engine = app.engine();
    let engine_c = match poisoned {
        Some(why) => json!({"status": "read_only", "detail": why}),
        None => json!({"status": "ok", "detail": "writable"}),
    };
    let watch = json!({"status": "ok", "detail": format!("{} clients", engine.watchers()),
        "clients": engine.watchers()});
    let Some(flows) = app.flows() else {
        let why = if engine.is_shared() {
            "flows run on servers with the embedded backend only (this one shares a PostgreSQL log)"
        } else {
            "this server runs no flow manager"
        };
        let off = json!({"status": "unavailable", "detail": why});
        return json!({"engine": engine_c, "flow_manager": off.clone(), "supervisor": off.clone(),
            "sockets": off, "watch": watch});
    };
    let h = flows.health().await;
    let manager =
        json!({"status": "running", "detail": format!("{} flows", h.flows), "flows": h.flows});
    let supervisor = json!({
        "status": if h.running == h.desired { "ok" } else { "degraded" },
        "detail": format!("{} of {} replicas running", h.running, h.desired),
        "running": h.running,
        "desired": h.desired,
        "not_running": h.not_running,
    });
    let sockets = json!({
        "status": if h.sockets == h.running { "ok" } else { "partial" },
        "detail": format!("{} of {} running replicas listen on their control socket", h.sockets, h.running),
        "listening": h.sockets,
        "connected": h.connected,
        "expected": h.running,
    });
    json!({"engine": engine_c, "flow_manager": manager, "supervisor": supervisor,
        "sockets": sockets, "watch": watch})
}
