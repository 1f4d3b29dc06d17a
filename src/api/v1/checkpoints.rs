//! Checkpoint routes (MARS sessions): create, list, restore (a new commit, so watchers see
//! it), delete and keep-last pruning, whose rules are the checkpoints domain's
//! ([`crate::checkpoints::Checkpoints`]); and the object's history, read from the objects
//! domain ([`crate::objects::Objects::history`]).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::api::AppState;
use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::api::openapi::{CheckpointPath, ErrorBody, ObjectPath};
use crate::checkpoints::{CheckpointOut, CreateInput, PruneOut};
use crate::objects::{HistoryOut, ObjectOut};

/// Keeps the object's current version under a name.
#[utoipa::path(
    post,
    path = "/v1/{ns}/objects/{id}/checkpoints",
    tag = "checkpoints",
    params(ObjectPath),
    request_body = CreateInput,
    responses(
        (status = 201, description = "Created", body = CheckpointOut),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 404, description = "No such object", body = ErrorBody),
        (status = 409, description = "The name exists", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn create(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<CreateInput>,
) -> ApiResult<Response> {
    let c = app.checkpoints().create(&ns, &id, input).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// The object's checkpoints, newest first.
#[utoipa::path(
    get,
    path = "/v1/{ns}/objects/{id}/checkpoints",
    tag = "checkpoints",
    params(ObjectPath),
    responses(
        (status = 200, description = "Checkpoints", body = Vec<CheckpointOut>),
        (status = 400, description = "Invalid namespace or id", body = ErrorBody),
    )
)]
pub(super) async fn list(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<Vec<CheckpointOut>>> {
    Ok(Json(app.checkpoints().list(&ns, &id)?))
}

/// Writes a checkpoint back as the object's new version (a commit watchers see).
#[utoipa::path(
    post,
    path = "/v1/{ns}/objects/{id}/checkpoints/{name}/restore",
    tag = "checkpoints",
    params(CheckpointPath),
    responses(
        (status = 200, description = "The object as restored", body = ObjectOut),
        (status = 400, description = "Invalid path", body = ErrorBody),
        (status = 404, description = "No such checkpoint", body = ErrorBody),
    )
)]
pub(super) async fn restore(
    State(app): State<AppState>,
    ApiPath((ns, id, name)): ApiPath<(String, String, String)>,
) -> ApiResult<Json<ObjectOut>> {
    Ok(Json(app.checkpoints().restore(&ns, &id, &name).await?))
}

/// Deletes one checkpoint.
#[utoipa::path(
    delete,
    path = "/v1/{ns}/objects/{id}/checkpoints/{name}",
    tag = "checkpoints",
    params(CheckpointPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Invalid path", body = ErrorBody),
        (status = 404, description = "No such checkpoint", body = ErrorBody),
    )
)]
pub(super) async fn delete_one(
    State(app): State<AppState>,
    ApiPath((ns, id, name)): ApiPath<(String, String, String)>,
) -> ApiResult<StatusCode> {
    app.checkpoints().delete(&ns, &id, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct PruneQuery {
    /// How many of the newest checkpoints stay.
    keep_last: usize,
}

/// Deletes all but the newest `keep_last` checkpoints.
#[utoipa::path(
    delete,
    path = "/v1/{ns}/objects/{id}/checkpoints",
    tag = "checkpoints",
    params(ObjectPath, PruneQuery),
    responses(
        (status = 200, description = "What was deleted", body = PruneOut),
        (status = 400, description = "Invalid path or query", body = ErrorBody),
    )
)]
pub(super) async fn prune(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<PruneQuery>,
) -> ApiResult<Json<PruneOut>> {
    Ok(Json(app.checkpoints().prune(&ns, &id, q.keep_last).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct HistoryQuery {
    /// At most this many versions.
    limit: Option<usize>,
}

/// The object's versions within the history window, newest first.
#[utoipa::path(
    get,
    path = "/v1/{ns}/objects/{id}/history",
    tag = "checkpoints",
    params(ObjectPath, HistoryQuery),
    responses(
        (status = 200, description = "Versions", body = HistoryOut),
        (status = 400, description = "Invalid path or query", body = ErrorBody),
        (status = 404, description = "No such object", body = ErrorBody),
    )
)]
pub(super) async fn history(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<HistoryOut>> {
    Ok(Json(app.objects().history(&ns, &id, q.limit)?))
}
