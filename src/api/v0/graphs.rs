//! v0 nodes and graph templates: register, list, upsert (201, PENDING, validated after the
//! answer), get, delete, list, trigger.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ns_ok;
use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::openapi::ErrorBody;
use crate::workflow::model::{GraphInput, RegisterInput, TriggerInput};
use crate::workflow::views;

/// Registers (upserts) the nodes a runtime executes.
#[utoipa::path(put, path = "/v0/namespace/{ns}/nodes/", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace")),
    request_body(content = Object, description = "`{runtime_name, nodes: [{name, inputs_schema, outputs_schema, secrets}]}`"),
    responses((status = 200, description = "`{runtime_name, registered_nodes}`", body = Object),
              (status = 400, description = "Invalid input", body = ErrorBody)))]
pub(super) async fn register(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let answer = json!({
        "runtime_name": input.runtime_name,
        "registered_nodes": input.nodes.iter().map(|n| json!({
            "name": n.name,
            "inputs_schema": n.inputs_schema,
            "outputs_schema": n.outputs_schema,
            "secrets": n.secrets,
        })).collect::<Vec<_>>(),
    });
    app.workflows().register(&ns, input).await?;
    Ok(Json(answer))
}

/// The nodes registered in a namespace.
#[utoipa::path(get, path = "/v0/namespace/{ns}/nodes/", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace")),
    responses((status = 200, description = "`{namespace, count, nodes}`", body = Object),
              (status = 400, description = "Invalid namespace", body = ErrorBody)))]
pub(super) async fn list_nodes(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let view = app.engine().view();
    let nodes: Vec<Value> = view
        .workflows
        .nodes_in(&ns)
        .map(|(name, n)| views::node(&ns, name, n))
        .collect();
    Ok(Json(
        json!({"namespace": ns, "count": nodes.len(), "nodes": nodes}),
    ))
}

/// Namespaces with registered nodes.
#[utoipa::path(get, path = "/v0/namespaces", tag = "workflows",
    responses((status = 200, description = "`{namespaces, count}`", body = Object)))]
pub(super) async fn namespaces(State(app): State<AppState>) -> Json<Value> {
    let names = app.engine().view().workflows.node_namespaces();
    Json(json!({"count": names.len(), "namespaces": names}))
}

/// Creates or replaces a graph template: 201, `validation_status: PENDING`; checked against
/// the registered nodes right after (poll until VALID or INVALID).
#[utoipa::path(put, path = "/v0/namespace/{ns}/graph/{name}", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("name" = String, Path, description = "Graph")),
    request_body(content = Object, description = "`{secrets, nodes, retry_policy?, store_config?, triggers?}`"),
    responses((status = 201, description = "The template", body = Object),
              (status = 400, description = "Structural errors", body = ErrorBody)))]
pub(super) async fn upsert_graph(
    State(app): State<AppState>,
    ApiPath((ns, name)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<GraphInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    ns_ok(&ns)?;
    if name.trim().is_empty() {
        return Err(ApiError::bad_request("graph name must not be empty"));
    }
    let wf = app.workflows().clone();
    wf.upsert_graph(&ns, &name, input).await?;
    let answer = {
        let view = app.engine().view();
        let g = view
            .workflows
            .graph(&ns, &name)
            .ok_or_else(|| ApiError::internal(&"graph vanished"))?;
        views::graph(&ns, &name, g)
    };
    tokio::spawn(async move {
        if let Err(e) = wf.validate(&ns, &name).await {
            tracing::warn!(%ns, graph = %name, error = %e, "graph validation failed to commit");
        }
    });
    Ok((StatusCode::CREATED, Json(answer)))
}

/// A graph template with its validation status.
#[utoipa::path(get, path = "/v0/namespace/{ns}/graph/{name}", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("name" = String, Path, description = "Graph")),
    responses((status = 200, description = "The template", body = Object),
              (status = 404, description = "No such graph", body = ErrorBody)))]
pub(super) async fn get_graph(
    State(app): State<AppState>,
    ApiPath((ns, name)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let view = app.engine().view();
    let g = view.workflows.graph(&ns, &name).ok_or_else(|| {
        ApiError::not_found(format!("Graph template {name} not found in namespace {ns}"))
    })?;
    Ok(Json(views::graph(&ns, &name, g)))
}

/// Deletes a graph template (runs stay readable).
#[utoipa::path(delete, path = "/v0/namespace/{ns}/graph/{name}", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("name" = String, Path, description = "Graph")),
    responses((status = 200, description = "`{status: DELETED}`", body = Object),
              (status = 404, description = "No such graph", body = ErrorBody)))]
pub(super) async fn delete_graph(
    State(app): State<AppState>,
    ApiPath((ns, name)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    app.workflows().delete_graph(&ns, &name).await?;
    Ok(Json(json!({"status": "DELETED", "name": name})))
}

/// The graph templates of a namespace (secrets as `{name: true}`).
#[utoipa::path(get, path = "/v0/namespace/{ns}/graphs/", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace")),
    responses((status = 200, description = "`{namespace, count, templates}`", body = Object),
              (status = 400, description = "Invalid namespace", body = ErrorBody)))]
pub(super) async fn list_graphs(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let view = app.engine().view();
    let templates: Vec<Value> = view
        .workflows
        .graphs_in(&ns)
        .map(|(name, g)| views::graph(&ns, name, g))
        .collect();
    Ok(Json(
        json!({"namespace": ns, "count": templates.len(), "templates": templates}),
    ))
}

/// Starts a run of a VALID graph.
#[utoipa::path(post, path = "/v0/namespace/{ns}/graph/{name}/trigger", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("name" = String, Path, description = "Graph")),
    request_body(content = Object, description = "`{inputs?, store?, start_delay?}`"),
    responses((status = 200, description = "`{status: CREATED, run_id}`", body = Object),
              (status = 400, description = "Not valid, missing store keys, bad inputs", body = ErrorBody),
              (status = 404, description = "No such graph", body = ErrorBody)))]
pub(super) async fn trigger(
    State(app): State<AppState>,
    ApiPath((ns, name)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<TriggerInput>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let run_id = app.workflows().trigger(&ns, &name, input).await?;
    Ok(Json(
        json!({"status": "CREATED", "run_id": run_id.as_ref()}),
    ))
}
