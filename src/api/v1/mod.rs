//! The v1 API (AgentState-compatible): objects, query and watch under `/v1/{ns}/...`.

pub mod checkpoints;
pub mod leases;
mod objects;
pub mod stats;
pub mod watch;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

/// v1 routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/namespaces", get(stats::list_namespaces))
        .route("/v1/stats", get(stats::stats))
        .route("/v1/{ns}/objects", post(objects::upsert).get(objects::list))
        .route(
            "/v1/{ns}/objects/{id}",
            get(objects::get_one).delete(objects::delete),
        )
        .route("/v1/{ns}/query", post(objects::query))
        .route("/v1/{ns}/watch", get(watch::watch))
        .route(
            "/v1/{ns}/objects/{id}/checkpoints",
            post(checkpoints::create)
                .get(checkpoints::list)
                .delete(checkpoints::prune),
        )
        .route(
            "/v1/{ns}/objects/{id}/checkpoints/{name}",
            axum::routing::delete(checkpoints::delete_one),
        )
        .route(
            "/v1/{ns}/objects/{id}/checkpoints/{name}/restore",
            post(checkpoints::restore),
        )
        .route("/v1/{ns}/objects/{id}/history", get(checkpoints::history))
        .route("/v1/{ns}/lease/acquire", post(leases::acquire))
        .route("/v1/{ns}/lease/renew", post(leases::renew))
        .route("/v1/{ns}/lease/release", post(leases::release))
}
