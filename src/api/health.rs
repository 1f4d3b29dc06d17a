//! `GET /health`: plain `ok` for curl and the `agentstate` SDK (which compares the body with
//! `ok`), the JSON document for clients that ask for JSON (`Accept: application/json` or
//! `?format=json`). Recovery finishes before the server listens, so any answer means ready.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::AppState;

/// Health routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

#[derive(Deserialize)]
struct HealthQuery {
    format: Option<String>,
}

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
    Json(json!({
        "status": status,
        "message": poisoned.clone().unwrap_or_else(|| "OK".into()),
        "version": env!("CARGO_PKG_VERSION"),
        "commit_seq": engine.view().seq,
        "uptime_s": app.uptime().as_secs(),
        "components": {
            "engine": if poisoned.is_some() { "read-only: writes refused until restart" } else { "ok" },
            "watch": {"clients": engine.watchers()},
        },
    }))
    .into_response()
}
