//! The workflow API v0, wire-compatible with the Exosphere state manager and its
//! `exospherehost` SDK: nodes, graph templates, triggers, states and runs under
//! `/v0/namespace/{ns}/...`. Every answer, errors included, is JSON (errors carry `detail`).

mod graphs;
mod runs;
mod states;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::ApiError;
use crate::objects::validate_ns;

/// v0 routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(graphs::register, graphs::list_nodes))
        .routes(routes!(graphs::namespaces))
        .routes(routes!(
            graphs::upsert_graph,
            graphs::get_graph,
            graphs::delete_graph
        ))
        .routes(routes!(graphs::list_graphs))
        .routes(routes!(graphs::trigger))
        .routes(routes!(states::enqueue))
        .routes(routes!(states::executed))
        .routes(routes!(states::errored))
        .routes(routes!(states::secrets))
        .routes(routes!(states::prune))
        .routes(routes!(states::re_enqueue))
        .routes(routes!(states::manual_retry))
        .routes(routes!(runs::list_runs))
        .routes(routes!(runs::cancel))
        .routes(routes!(runs::run_graph))
        .routes(routes!(runs::node_detail))
}

/// Checks a namespace from the path.
fn ns_ok(ns: &str) -> Result<(), ApiError> {
    validate_ns(ns).map_err(ApiError::from)
}
