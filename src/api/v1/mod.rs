//! The v1 API (AgentState-compatible): objects, query and watch under `/v1/{ns}/...`.

mod checkpoints;
mod flows;
mod flows_events;
mod flows_logs;
mod leases;
mod objects;
pub mod stats;
pub mod watch;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// v1 routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stats::list_namespaces))
        .routes(routes!(stats::stats))
        .routes(routes!(objects::upsert, objects::list))
        .routes(routes!(objects::get_one, objects::delete))
        .routes(routes!(objects::query))
        .routes(routes!(watch::watch))
        .routes(routes!(
            checkpoints::create,
            checkpoints::list,
            checkpoints::prune
        ))
        .routes(routes!(checkpoints::delete_one))
        .routes(routes!(checkpoints::restore))
        .routes(routes!(checkpoints::history))
        .routes(routes!(leases::acquire))
        .routes(routes!(leases::renew))
        .routes(routes!(leases::release))
        .routes(routes!(flows::list, flows::deploy))
        .routes(routes!(flows::status, flows::remove))
        .routes(routes!(flows::start))
        .routes(routes!(flows::stop))
        .routes(routes!(flows::restart))
        .routes(routes!(flows::scale))
        .routes(routes!(flows::send))
        .routes(routes!(flows_events::events))
        .routes(routes!(flows_logs::logs))
}
