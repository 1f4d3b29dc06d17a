//! Admin routes: `POST /admin/snapshot`, `POST /admin/snapshots/prune`,
//! `DELETE /admin/snapshots/{snapshot_id}`, `GET /admin/snapshots/{snapshot_id}/file`,
//! `POST /admin/trim-wal?snapshot_id=`, `GET /admin/manifest`, `GET /admin/dump` (NDJSON of the
//! current state, no side effects).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::openapi::ErrorBody;
use crate::admin::{
    self, KeepPolicy, Manifest, SnapshotOut, SnapshotPruneOut, SnapshotRemovedOut, SnapshotRequest,
    TrimOut, lifecycle,
};
use crate::objects::{GcInput, GcOut, ObjectOut};
use crate::store::snapshot::SnapshotOrigin;

/// Admin routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(take_snapshot))
        .routes(routes!(prune_snapshots))
        .routes(routes!(remove_snapshot))
        .routes(routes!(snapshot_file))
        .routes(routes!(trim_wal))
        .routes(routes!(manifest))
        .routes(routes!(dump))
        .routes(routes!(gc))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(&e))
}

/// Writes a snapshot of the current state now; it is read back and verified in full before
/// this answers. A failure is a 5xx whose message carries the cause (e.g. the OS error). The
/// body is optional: `{"tags": [...]}` stores tags with the snapshot.
#[utoipa::path(
    post,
    path = "/admin/snapshot",
    tag = "admin",
    request_body(content = Option<SnapshotRequest>, description = "Optional: tags to store with the snapshot", content_type = "application/json"),
    responses(
        (status = 200, description = "The snapshot", body = SnapshotOut),
        (status = 400, description = "The body is not a snapshot request, or a tag is invalid", body = ErrorBody),
        (status = 500, description = "Writing or verifying failed; the message says why", body = ErrorBody),
        (status = 503, description = "The engine is read-only after a failed sync", body = ErrorBody),
    )
)]
async fn take_snapshot(
    State(app): State<AppState>,
    body: axum::body::Bytes,
) -> ApiResult<Json<SnapshotOut>> {
    let req: SnapshotRequest = if body.iter().all(u8::is_ascii_whitespace) {
        SnapshotRequest::default()
    } else {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(v) if v.is_object() => serde_json::from_value(v)
                .map_err(|e| ApiError::bad_request(format!("invalid snapshot request: {e}")))?,
            Ok(_) => return Err(ApiError::bad_request("the body must be a JSON object")),
            Err(e) => return Err(ApiError::bad_request(format!("invalid JSON: {e}"))),
        }
    };
    let tags = lifecycle::tag_set(&req.tags).map_err(ApiError::bad_request)?;
    let engine = app.engine().clone();
    let started = std::time::Instant::now();
    let out = blocking(move || admin::snapshot_tagged(&engine, SnapshotOrigin::Manual, &tags))
        .await?
        .map_err(|e| ApiError::storage("snapshot", e))?;
    let m = app.metrics();
    m.snapshot_duration.observe(started.elapsed().as_secs_f64());
    m.snapshot_bytes
        .set(i64::try_from(out.size).unwrap_or(i64::MAX));
    Ok(Json(out))
}

/// Applies a retention policy (restic's `forget` rules) to the snapshots of the data
/// directory, of every origin: removes those no rule keeps, never the newest. With `dry_run`
/// only the plan is returned.
#[utoipa::path(
    post,
    path = "/admin/snapshots/prune",
    tag = "admin",
    request_body = KeepPolicy,
    responses(
        (status = 200, description = "Every snapshot with its fate and the rules that keep it", body = SnapshotPruneOut),
        (status = 400, description = "Invalid policy", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
        (status = 500, description = "A file could not be removed", body = ErrorBody),
    )
)]
async fn prune_snapshots(
    State(app): State<AppState>,
    ApiJson(keep): ApiJson<KeepPolicy>,
) -> ApiResult<Json<SnapshotPruneOut>> {
    let policy = lifecycle::policy_of(&keep).map_err(ApiError::bad_request)?;
    let engine = app.engine().clone();
    let out = blocking(move || admin::prune_live(&engine, &policy, keep.dry_run))
        .await?
        .map_err(|e| ApiError::storage("prune", e))?;
    Ok(Json(out))
}

/// Removes one snapshot (and its tags); `latest` names the newest.
#[utoipa::path(
    delete,
    path = "/admin/snapshots/{snapshot_id}",
    tag = "admin",
    params(("snapshot_id" = String, Path, description = "`snap-<ULID>` or `latest`")),
    responses(
        (status = 200, description = "The snapshot removed", body = SnapshotRemovedOut),
        (status = 404, description = "No such snapshot", body = ErrorBody),
        (status = 500, description = "The file could not be removed", body = ErrorBody),
    )
)]
async fn remove_snapshot(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SnapshotRemovedOut>> {
    let engine = app.engine().clone();
    let out = blocking(move || admin::remove_live(&engine, &id))
        .await?
        .map_err(|e| ApiError::storage("remove snapshot", e))?;
    Ok(Json(out))
}

/// The snapshot file itself, byte for byte as on disk (sealed stays sealed); `latest` names
/// the newest. `stmgr snapshot --to` uses it to ship a snapshot taken through a server.
#[utoipa::path(
    get,
    path = "/admin/snapshots/{snapshot_id}/file",
    tag = "admin",
    params(("snapshot_id" = String, Path, description = "`snap-<ULID>` or `latest`")),
    responses(
        (status = 200, description = "The snapshot file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "No such snapshot", body = ErrorBody),
    )
)]
async fn snapshot_file(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let engine = app.engine().clone();
    let path = blocking(move || admin::snapshot_file(&engine, &id))
        .await?
        .map_err(|e| ApiError::storage("read snapshot", e))?;
    let mut file = std::fs::File::open(&path)
        .map_err(|_| ApiError::not_found("the snapshot was removed meanwhile"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        loop {
            let mut buf = vec![0u8; 256 * 1024];
            match file.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.blocking_send(Ok(buf)).is_err() {
                        return; // the client went away
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct TrimQuery {
    /// Segments wholly covered by this snapshot go.
    snapshot_id: String,
    /// Report only.
    #[serde(default)]
    dry_run: bool,
}

/// Deletes WAL segments whose every record is in a verified snapshot (never the active one).
#[utoipa::path(
    post,
    path = "/admin/trim-wal",
    tag = "admin",
    params(TrimQuery),
    responses(
        (status = 200, description = "What was deleted and kept", body = TrimOut),
        (status = 400, description = "Missing or invalid query", body = ErrorBody),
        (status = 404, description = "No such snapshot", body = ErrorBody),
        (status = 500, description = "The snapshot does not verify, or a file could not be removed", body = ErrorBody),
    )
)]
async fn trim_wal(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<TrimQuery>,
) -> ApiResult<Json<TrimOut>> {
    let engine = app.engine().clone();
    let out = blocking(move || admin::trim_wal_live(&engine, &q.snapshot_id, q.dry_run))
        .await?
        .map_err(|e| ApiError::storage("trim-wal", e))?;
    Ok(Json(out))
}

/// What the data directory holds.
#[utoipa::path(
    get,
    path = "/admin/manifest",
    tag = "admin",
    responses(
        (status = 200, description = "The manifest", body = Manifest),
        (status = 500, description = "The data directory could not be read", body = ErrorBody),
    )
)]
async fn manifest(State(app): State<AppState>) -> ApiResult<Json<Manifest>> {
    let engine = app.engine().clone();
    let m = blocking(move || admin::manifest(&engine))
        .await?
        .map_err(|e| ApiError::storage("manifest", e))?;
    Ok(Json(m))
}

/// Deletes objects not written for a while, keeping the newest per namespace.
#[utoipa::path(
    post,
    path = "/admin/gc",
    tag = "admin",
    request_body = GcInput,
    responses(
        (status = 200, description = "How many objects went", body = GcOut),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
async fn gc(
    State(app): State<AppState>,
    ApiJson(input): ApiJson<GcInput>,
) -> ApiResult<Json<GcOut>> {
    Ok(Json(app.objects().gc(input).await?))
}

/// The current objects as NDJSON, one per line; no side effects.
#[utoipa::path(
    get,
    path = "/admin/dump",
    tag = "admin",
    responses((status = 200, description = "One object per line",
               content_type = "application/x-ndjson", body = String))
)]
async fn dump(State(app): State<AppState>) -> Response {
    let view = app.engine().view();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(16);
    tokio::task::spawn_blocking(move || {
        let mut buf = Vec::with_capacity(64 * 1024);
        for o in view.objects.iter() {
            if serde_json::to_writer(&mut buf, &ObjectOut::from(o)).is_err() {
                return;
            }
            buf.push(b'\n');
            if buf.len() >= 60 * 1024 && tx.blocking_send(Ok(std::mem::take(&mut buf))).is_err() {
                return; // the client went away
            }
        }
        if !buf.is_empty() {
            let _ = tx.blocking_send(Ok(buf));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response()
}
