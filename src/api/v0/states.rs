//! v0 states: enqueue (claims), executed, errored, secrets, prune, re-enqueue-after, manual
//! retry.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ns_ok;
use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::openapi::ErrorBody;
use crate::time::format_ts;
use crate::workflow::model::{
    EnqueueInput, ErroredInput, ExecutedInput, ManualRetryInput, PruneInput, ReEnqueueInput,
};
use crate::workflow::views;

/// Largest `batch_size`.
const MAX_BATCH: usize = 1000;

/// Claims up to `batch_size` due states of the given nodes (each handed out once).
#[utoipa::path(post, path = "/v0/namespace/{ns}/states/enqueue", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace")),
    request_body(content = Object, description = "`{nodes: [name], batch_size}`"),
    responses((status = 200, description = "`{count, namespace, status: QUEUED, states}`", body = Object),
              (status = 400, description = "Invalid input", body = ErrorBody)))]
pub(super) async fn enqueue(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiJson(input): ApiJson<EnqueueInput>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    if input.batch_size == 0 || input.batch_size > MAX_BATCH {
        return Err(ApiError::bad_request(format!(
            "batch_size must be between 1 and {MAX_BATCH}"
        )));
    }
    let claimed = app
        .workflows()
        .enqueue(&ns, input.nodes, input.batch_size)
        .await?;
    let states: Vec<Value> = claimed.iter().map(views::queued).collect();
    Ok(Json(json!({
        "count": states.len(),
        "namespace": ns,
        "status": "QUEUED",
        "states": states,
    })))
}

/// The node ran: its outputs (more than one fans out).
#[utoipa::path(post, path = "/v0/namespace/{ns}/state/{id}/executed", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("id" = String, Path, description = "State id")),
    request_body(content = Object, description = "`{outputs: [{...}]}`"),
    responses((status = 200, description = "`{status: EXECUTED}`", body = Object),
              (status = 400, description = "Not queued", body = ErrorBody),
              (status = 404, description = "No such state", body = ErrorBody),
              (status = 409, description = "Cancelled", body = ErrorBody)))]
pub(super) async fn executed(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ExecutedInput>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let outputs = input
        .outputs
        .into_iter()
        .map(|o| o.into_iter().collect())
        .collect();
    app.workflows().executed(&ns, &id, outputs).await?;
    Ok(Json(json!({"status": "EXECUTED"})))
}

/// The node failed: a retry per the graph's policy, or ERRORED.
#[utoipa::path(post, path = "/v0/namespace/{ns}/state/{id}/errored", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("id" = String, Path, description = "State id")),
    request_body(content = Object, description = "`{error}`"),
    responses((status = 200, description = "`{status: ERRORED, retry_created}`", body = Object),
              (status = 400, description = "Not queued", body = ErrorBody),
              (status = 404, description = "No such state", body = ErrorBody),
              (status = 409, description = "Cancelled", body = ErrorBody)))]
pub(super) async fn errored(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ErroredInput>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let retry_created = app.workflows().errored(&ns, &id, input.error).await?;
    Ok(Json(
        json!({"status": "ERRORED", "retry_created": retry_created}),
    ))
}

/// The graph's secrets, decrypted, for a node about to run.
#[utoipa::path(get, path = "/v0/namespace/{ns}/state/{id}/secrets", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("id" = String, Path, description = "State id")),
    responses((status = 200, description = "`{secrets: {name: value}}`", body = Object),
              (status = 404, description = "No such state or graph", body = ErrorBody)))]
pub(super) async fn secrets(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let secrets = app.workflows().secrets(&ns, &id)?;
    Ok(Json(json!({"secrets": secrets})))
}

/// The node pruned its branch here.
#[utoipa::path(post, path = "/v0/namespace/{ns}/state/{id}/prune", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("id" = String, Path, description = "State id")),
    request_body(content = Object, description = "`{data: {...}}`"),
    responses((status = 200, description = "`{status: PRUNED, enqueue_after}`", body = Object),
              (status = 400, description = "Not queued", body = ErrorBody),
              (status = 404, description = "No such state", body = ErrorBody)))]
pub(super) async fn prune(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<PruneInput>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    let enqueue_after = app.workflows().prune(&ns, &id, input.data).await?;
    Ok(Json(
        json!({"status": "PRUNED", "enqueue_after": enqueue_after}),
    ))
}

/// Run the state again after a delay (ms).
#[utoipa::path(post, path = "/v0/namespace/{ns}/state/{id}/re-enqueue-after", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("id" = String, Path, description = "State id")),
    request_body(content = Object, description = "`{enqueue_after: ms > 0}`"),
    responses((status = 200, description = "`{status: CREATED, enqueue_after}`", body = Object),
              (status = 400, description = "Finished state or bad delay", body = ErrorBody),
              (status = 404, description = "No such state", body = ErrorBody)))]
pub(super) async fn re_enqueue(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ReEnqueueInput>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    if input.enqueue_after == 0 {
        return Err(ApiError::bad_request(
            "enqueue_after must be more than 0 ms",
        ));
    }
    let due = app
        .workflows()
        .re_enqueue(&ns, &id, input.enqueue_after)
        .await?;
    Ok(Json(json!({"status": "CREATED", "enqueue_after": due})))
}

/// Retry a finished state by hand (`fanout_id` makes it idempotent: 409 the second time).
#[utoipa::path(post, path = "/v0/namespace/{ns}/state/{id}/manual-retry", tag = "workflows",
    params(("ns" = String, Path, description = "Namespace"), ("id" = String, Path, description = "State id")),
    request_body(content = Object, description = "`{fanout_id}`"),
    responses((status = 200, description = "`{id, status: CREATED}`", body = Object),
              (status = 400, description = "Still pending", body = ErrorBody),
              (status = 404, description = "No such state", body = ErrorBody),
              (status = 409, description = "Duplicate retry", body = ErrorBody)))]
pub(super) async fn manual_retry(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ManualRetryInput>,
) -> ApiResult<Json<Value>> {
    ns_ok(&ns)?;
    if input.fanout_id.trim().is_empty() {
        return Err(ApiError::bad_request("fanout_id must not be empty"));
    }
    let (new_id, created_at) = app
        .workflows()
        .manual_retry(&ns, &id, input.fanout_id)
        .await?;
    Ok(Json(
        json!({"id": new_id.as_ref(), "status": "CREATED", "created_at": format_ts(created_at)}),
    ))
}
