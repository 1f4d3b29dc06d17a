//! `GET /health`: plain `ok` for curl and the `agentstate` SDK (which compares the body with
//! `ok`), the JSON document for clients that ask for JSON (`Accept: application/json` or
//! `?format=json`). Recovery finishes before the server listens, so any answer means ready.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// Health routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HealthQuery {
    /// `json` for the JSON document whatever the `Accept` header says.
    format: Option<String>,
}

/// The JSON health document.
#[derive(Serialize, ToSchema)]
struct HealthOut {
    /// `healthy`, or `degraded` once a failed WAL sync has made the engine read-only.
    status: &'static str,
    /// `OK`, or why the engine is degraded.
    message: String,
    /// Server version.
    version: &'static str,
    /// The latest commit.
    commit_seq: u64,
    /// Seconds since the server started.
    uptime_s: u64,
    /// Per-component state.
    #[schema(value_type = Object)]
    components: serde_json::Value,
}

/// Liveness and readiness (the server listens only once recovery is done).
#[utoipa::path(
    get,
    path = "/health",
    tag = "ops",
    params(HealthQuery),
    responses(
        (status = 200, description = "`ok` as text, or the JSON document when asked for",
         content((String = "text/plain"), (HealthOut = "application/json"))),
    )
)]
async fn health(
    State(app): State<AppState>,
    Query(q): Query<HealthQuery>,
    headers: HeaderMap,
) -> Response {
    let wants_json = q.format.as_deref() == Some("json")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| {
                a.split(',')
                    .any(|t| t.trim().starts_with("application/json"))
            });
    if !wants_json {
        return "ok".into_response();
    }
    let engine = app.engine();
    let poisoned = engine.poisoned();
    let status = if poisoned.is_some() {
        "degraded"
    } else {
        "healthy"
    };
    Json(HealthOut {
        status,
        message: poisoned.clone().unwrap_or_else(|| "OK".into()),
        version: env!("CARGO_PKG_VERSION"),
        commit_seq: engine.view().seq,
        uptime_s: app.uptime().as_secs(),
        components: serde_json::json!({
            "engine": if poisoned.is_some() { "read-only: writes refused until restart" } else { "ok" },
            "watch": {"clients": engine.watchers()},
        }),
    })
    .into_response()
}
