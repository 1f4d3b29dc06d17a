//! The v1 API (AgentState-compatible): objects, query and watch under `/v1/{ns}/...`.

pub mod leases;
mod objects;
mod watch;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

/// v1 routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/{ns}/objects", post(objects::upsert).get(objects::list))
        .route(
            "/v1/{ns}/objects/{id}",
            get(objects::get_one).delete(objects::delete),
        )
        .route("/v1/{ns}/query", post(objects::query))
        .route("/v1/{ns}/watch", get(watch::watch))
        .route("/v1/{ns}/lease/acquire", post(leases::acquire))
        .route("/v1/{ns}/lease/renew", post(leases::renew))
        .route("/v1/{ns}/lease/release", post(leases::release))
}
