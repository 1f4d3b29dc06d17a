//! v0 runs: the paged list with counters, cancel, a run's states as a graph, one state.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ns_ok;
use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::ApiPath;
use crate::api::openapi::ErrorBody;
use crate::workflow::views;

/// Largest page.
const MAX_PAGE_SIZE: usize = 1000;

/// Runs of a namespace, newest first, with per-run counters and status.
#[utoipa::path(get, path = "/v0/namespace/{ns}/runs/{page}/{size}", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"),
           ("page" = usize, Path, description = "1-based page"),
           ("size" = usize, Path, description = "Page size (1 to 1000)")),
    responses((status = 200, description = "`{namespace, total, page, size, runs}`", body = Object),
              (status = 400, description = "Bad page or size", body = ErrorBody)))]
pub(super) async fn list_runs(
    State(app): State<AppState>,
    ApiPath((ns, page, size)): ApiPath<(String, usize, usize)>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    if page == 0 || size == 0 || size > MAX_PAGE_SIZE {
        return Err(ApiError::bad_request(format!(
            "page starts at 1 and size is between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    let view = app.engine().view();
    let wf = &view.workflows;
    let mine = || wf.runs().rev().filter(|r| r.ns.as_ref() == ns);
    let total = mine().count();
    let runs: Vec<Value> = mine()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|r| views::run(wf, r))
        .collect();
    Ok(Json(json!({
        "namespace": ns,
        "total": total,
        "page": page,
        "size": size,
        "runs": runs,
    })))
}

/// Cancels a run: its pending states become CANCELLED.
#[utoipa::path(post, path = "/v0/namespace/{ns}/run/{run_id}/cancel", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("run_id" = String, Path, description = "Run")),
    responses((status = 200, description = "`{status: CANCELLED, run_id, cancelled_states}`", body = Object),
              (status = 404, description = "No such run", body = ErrorBody),
              (status = 409, description = "Cancelled already", body = ErrorBody)))]
pub(super) async fn cancel(
    State(app): State<AppState>,
    ApiPath((ns, run_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let n = app.workflows().cancel(&ns, &run_id).await?;
    Ok(Json(
        json!({"status": "CANCELLED", "run_id": run_id, "cancelled_states": n}),
    ))
}

/// A run's states as a graph: nodes, edges, a count per status.
#[utoipa::path(get, path = "/v0/namespace/{ns}/states/run/{run_id}/graph", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("run_id" = String, Path, description = "Run")),
    responses((status = 200, description = "`{graph_name, root_states, nodes, edges, node_count, edge_count, execution_summary}`", body = Object),
              (status = 404, description = "No such run", body = ErrorBody)))]
pub(super) async fn run_graph(
    State(app): State<AppState>,
    ApiPath((ns, run_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let view = app.engine().view();
    match view.workflows.run(&run_id) {
        Some(r) if r.ns.as_ref() == ns => Ok(Json(views::run_graph(&view.workflows, &run_id))),
        _ => Err(ApiError::not_found(format!("run {run_id} not found"))),
    }
}

/// One state of a run with its inputs, outputs, error and parents.
#[utoipa::path(get, path = "/v0/namespace/{ns}/graph/{graph}/run/{run_id}/node/{state_id}", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("graph" = String, Path, description = "Graph"),
           ("run_id" = String, Path, description = "Run"), ("state_id" = String, Path, description = "State")),
    responses((status = 200, description = "The state", body = Object),
              (status = 404, description = "No such state in that run", body = ErrorBody)))]
pub(super) async fn node_detail(
    State(app): State<AppState>,
    ApiPath((ns, graph, run_id, state_id)): ApiPath<(String, String, String, String)>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let view = app.engine().view();
    match view.workflows.state(&state_id) {
        Some(s)
            if s.run_id.as_ref() == run_id
                && s.graph_name.as_ref() == graph
                && view
                    .workflows
                    .run(&run_id)
                    .is_some_and(|r| r.ns.as_ref() == ns) =>
        {
            Ok(Json(views::state_detail(s)))
        }
        _ => Err(ApiError::not_found("State not found")),
    }
}
