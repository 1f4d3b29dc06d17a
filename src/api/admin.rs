//! Admin routes: `POST /admin/snapshot`, `POST /admin/trim-wal?snapshot_id=`,
//! `GET /admin/manifest`, `GET /admin/dump` (NDJSON of the current state, no side effects).

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
use super::extract::{ApiJson, ApiQuery};
use super::openapi::ErrorBody;
use crate::admin::{self, Manifest, SnapshotOut, TrimOut};
use crate::objects::{GcInput, GcOut, ObjectOut};
use crate::store::snapshot::SnapshotOrigin;

/// Admin routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(take_snapshot))
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
/// this answers. A failure is a 5xx whose message carries the cause (e.g. the OS error).
#[utoipa::path(
    post,
    path = "/admin/snapshot",
    tag = "admin",
    responses(
        (status = 200, description = "The snapshot", body = SnapshotOut),
        (status = 500, description = "Writing or verifying failed; the message says why", body = ErrorBody),
        (status = 503, description = "The engine is read-only after a failed sync", body = ErrorBody),
    )
)]
async fn take_snapshot(State(app): State<AppState>) -> ApiResult<Json<SnapshotOut>> {
    let engine = app.engine().clone();
    let started = std::time::Instant::now();
    let out = blocking(move || admin::snapshot(&engine, SnapshotOrigin::Manual))
        .await?
        .map_err(|e| ApiError::storage("snapshot", e))?;
    let m = app.metrics();
    m.snapshot_duration.observe(started.elapsed().as_secs_f64());
    m.snapshot_bytes
        .set(i64::try_from(out.size).unwrap_or(i64::MAX));
    Ok(Json(out))
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
