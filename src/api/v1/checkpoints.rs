//! Sessions and checkpoints (MARS): named copies of an object's version, restore (a new
//! commit, so watchers see it), delete and keep-last pruning; the object's history.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::api::openapi::{CheckpointPath, ErrorBody, ObjectPath};
use crate::objects::{ObjectOut, validate_id, validate_ns};
use crate::store::state::checkpoints::Checkpoint;
use crate::store::{Body, CheckpointOp, ObjectOp, Op, Rejection};
use crate::time::format_ts;

/// The body of a checkpoint creation.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateInput {
    /// Unique among the object's checkpoints; at most 256 bytes, no `/`.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^/\x00-\x1f\x7f-\x9f]+$"
    )]
    name: String,
    /// Any JSON, kept with the checkpoint.
    #[serde(default)]
    #[schema(value_type = Option<serde_json::Value>)]
    metadata: Option<Body>,
}

/// A checkpoint as the API shows it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckpointOut {
    /// Name.
    pub name: String,
    /// Namespace.
    pub ns: String,
    /// Object id.
    pub id: String,
    /// The commit that created the checkpoint.
    pub commit_seq: u64,
    /// When, RFC 3339.
    pub created_at: String,
    /// The commit that wrote the version kept.
    pub source_seq: u64,
    /// Client metadata.
    #[schema(value_type = Option<serde_json::Value>)]
    pub metadata: Option<Body>,
    /// The version kept.
    pub object: ObjectOut,
}

fn out(ns: &str, id: &str, c: &Checkpoint) -> CheckpointOut {
    CheckpointOut {
        name: c.name.to_string(),
        ns: ns.to_string(),
        id: id.to_string(),
        commit_seq: c.seq,
        created_at: format_ts(c.ts),
        source_seq: c.source_seq,
        metadata: c.metadata.clone(),
        object: ObjectOut::new(ns, id, c.source_seq, c.ts, &c.data),
    }
}

fn check_name(name: &str) -> ApiResult<()> {
    validate_id(name).map_err(|e| ApiError::bad_request(format!("checkpoint name: {e}")))?;
    Ok(())
}

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
    validate_ns(&ns)?;
    validate_id(&id)?;
    check_name(&input.name)?;
    let (ns2, id2, name) = (ns.clone(), id.clone(), input.name.clone());
    app.engine()
        .commit(move |s| {
            let Some(o) = s.objects.get(&ns2, &id2) else {
                return Err(Rejection::NotFound { ns: ns2, id: id2 });
            };
            if s.checkpoints.get(&ns2, &id2, &name).is_some() {
                return Err(Rejection::Conflict(format!(
                    "checkpoint {name:?} of {ns2}/{id2} exists"
                )));
            }
            Ok((
                vec![Op::Checkpoint(CheckpointOp::Create {
                    ns: ns2.as_str().into(),
                    id: id2.as_str().into(),
                    name: name.into(),
                    metadata: input.metadata,
                    source_seq: o.seq,
                    data: o.data.clone(),
                })],
                (),
            ))
        })
        .await?;
    let view = app.engine().view();
    let c = view
        .checkpoints
        .get(&ns, &id, &input.name)
        .ok_or_else(|| ApiError::internal(&"checkpoint vanished"))?;
    Ok((StatusCode::CREATED, Json(out(&ns, &id, c))).into_response())
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
    validate_ns(&ns)?;
    validate_id(&id)?;
    let view = app.engine().view();
    Ok(Json(
        view.checkpoints
            .list(&ns, &id)
            .iter()
            .rev()
            .map(|c| out(&ns, &id, c))
            .collect(),
    ))
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
    validate_ns(&ns)?;
    validate_id(&id)?;
    check_name(&name)?;
    let (ns2, id2) = (ns.clone(), id.clone());
    let data = {
        let view = app.engine().view();
        view.checkpoints
            .get(&ns, &id, &name)
            .map(|c| c.data.clone())
    }
    .ok_or_else(|| ApiError::not_found(format!("no checkpoint {name:?} of {ns}/{id}")))?;
    let put_data = data.clone();
    let (info, ()) = app
        .engine()
        .commit(move |s| {
            if s.checkpoints.get(&ns2, &id2, &name).is_none() {
                return Err(Rejection::NotFound {
                    ns: ns2,
                    id: format!("{id2} checkpoint {name}"),
                });
            }
            Ok((
                vec![Op::Object(ObjectOp::Put {
                    ns: ns2.as_str().into(),
                    id: id2.as_str().into(),
                    data: put_data,
                })],
                (),
            ))
        })
        .await?;
    Ok(Json(ObjectOut::new(&ns, &id, info.seq, info.ts, &data)))
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
    validate_ns(&ns)?;
    validate_id(&id)?;
    check_name(&name)?;
    app.engine()
        .commit(move |s| {
            if s.checkpoints.get(&ns, &id, &name).is_none() {
                return Err(Rejection::NotFound {
                    ns,
                    id: format!("{id} checkpoint {name}"),
                });
            }
            Ok((
                vec![Op::Checkpoint(CheckpointOp::Delete {
                    ns: ns.into(),
                    id: id.into(),
                    names: vec![name.into()],
                })],
                (),
            ))
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct PruneQuery {
    /// How many of the newest checkpoints stay.
    keep_last: usize,
}

/// The result of a prune.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct PruneOut {
    /// Names deleted.
    deleted: Vec<String>,
    /// The `keep_last` asked for.
    kept: usize,
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
    validate_ns(&ns)?;
    validate_id(&id)?;
    let names: Vec<String> = {
        let view = app.engine().view();
        let list = view.checkpoints.list(&ns, &id);
        list[..list.len().saturating_sub(q.keep_last)]
            .iter()
            .map(|c| c.name.to_string())
            .collect()
    };
    if !names.is_empty() {
        let to_delete: Vec<std::sync::Arc<str>> = names.iter().map(|n| n.as_str().into()).collect();
        app.engine()
            .commit_ops(vec![Op::Checkpoint(CheckpointOp::Delete {
                ns: ns.as_str().into(),
                id: id.as_str().into(),
                names: to_delete,
            })])
            .await?;
    }
    Ok(Json(PruneOut {
        deleted: names,
        kept: q.keep_last,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct HistoryQuery {
    /// At most this many versions.
    limit: Option<usize>,
}

/// One version in an object's history.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionOut {
    /// The commit that wrote it.
    pub commit_seq: u64,
    /// Its time, RFC 3339.
    pub ts: String,
    /// `put` or `delete`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The object as it was (absent for a delete).
    pub object: Option<ObjectOut>,
}

/// An object's history.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct HistoryOut {
    /// Namespace.
    ns: String,
    /// Object id.
    id: String,
    /// Versions, newest first.
    versions: Vec<VersionOut>,
    /// Whether older versions were dropped (the history window is bounded).
    older_versions_dropped: bool,
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
    validate_ns(&ns)?;
    validate_id(&id)?;
    let view = app.engine().view();
    let (_, _, entry) = view
        .objects
        .entry(&ns, &id)
        .ok_or_else(|| ApiError::not_found("object not found"))?;
    let older = entry
        .history
        .as_ref()
        .map(|h| h.versions.as_slice())
        .unwrap_or(&[]);
    let versions: Vec<VersionOut> = std::iter::once(&entry.current)
        .chain(older.iter().rev())
        .take(q.limit.unwrap_or(usize::MAX))
        .map(|v| VersionOut {
            commit_seq: v.seq,
            ts: format_ts(v.ts),
            kind: if v.data.is_some() { "put" } else { "delete" }.into(),
            object: v
                .data
                .as_ref()
                .map(|d| ObjectOut::new(&ns, &id, v.seq, v.ts, d)),
        })
        .collect();
    let truncated = entry.history.as_ref().is_some_and(|h| h.pruned);
    Ok(Json(HistoryOut {
        ns,
        id,
        versions,
        older_versions_dropped: truncated,
    }))
}
