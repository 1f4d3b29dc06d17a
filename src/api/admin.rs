//! Admin routes: `POST /admin/snapshot`, `POST /admin/trim-wal?snapshot_id=`,
//! `GET /admin/manifest`, `GET /admin/dump` (NDJSON of the current state, no side effects).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiQuery};
use super::openapi::ErrorBody;
use crate::admin::{self, Manifest, SnapshotOut, TrimOut};
use crate::objects::ObjectOut;
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
    let dir = app.engine().dir().clone();
    let out = blocking(move || admin::trim_wal(&dir, &q.snapshot_id, q.dry_run))
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

/// The body of a garbage collection.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct GcInput {
    /// Objects not written for this long go (e.g. "30d", "12h").
    #[schema(
        example = "30d",
        pattern = r"^\s*[0-9]+\s*[a-zA-Z]+(\s*[0-9]+\s*[a-zA-Z]+)*\s*$"
    )]
    older_than: String,
    /// Keep at least this many of the most recently written objects per namespace.
    #[serde(default)]
    keep_last: usize,
    /// Only this namespace.
    #[serde(default)]
    ns: Option<String>,
    /// Count only.
    #[serde(default)]
    dry_run: bool,
}

/// What a garbage collection deleted.
#[derive(Serialize, utoipa::ToSchema)]
struct GcOut {
    /// Objects deleted (or that would be).
    deleted: usize,
    /// Whether nothing was deleted.
    dry_run: bool,
}

/// Objects deleted per commit by `/admin/gc`.
const GC_BATCH: usize = 10_000;

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
    let age = humantime::parse_duration(&input.older_than)
        .map_err(|e| ApiError::bad_request(format!("older_than {:?}: {e}", input.older_than)))?;
    let cutoff =
        chrono::Utc::now().timestamp_millis() - i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
    let view = app.engine().view();
    let mut doomed: Vec<(std::sync::Arc<str>, std::sync::Arc<str>, u64)> = Vec::new();
    for n in view.objects.namespaces() {
        if input.ns.as_deref().is_some_and(|want| want != n.ns) {
            continue;
        }
        let mut objs: Vec<_> = view
            .objects
            .list(&n.ns, None)
            .map(|o| (o.ns.clone(), o.id.clone(), o.seq, o.ts))
            .collect();
        // Newest first; the first `keep_last` always stay.
        objs.sort_by_key(|o| std::cmp::Reverse(o.2));
        doomed.extend(
            objs.into_iter()
                .skip(input.keep_last)
                .filter(|o| o.3 < cutoff)
                .map(|o| (o.0, o.1, o.2)),
        );
    }
    let count = doomed.len();
    if !input.dry_run {
        for chunk in doomed.chunks(GC_BATCH) {
            let chunk = chunk.to_vec();
            let res = app
                .engine()
                .commit(move |s| {
                    // Only objects still at the version judged old.
                    let ops = chunk
                        .into_iter()
                        .filter(|(ns, id, seq)| {
                            s.objects.get(ns, id).is_some_and(|o| o.seq == *seq)
                        })
                        .map(|(ns, id, _)| {
                            crate::store::Op::Object(crate::store::ObjectOp::Delete {
                                ns,
                                id,
                                reason: crate::store::DeleteReason::Deleted,
                            })
                        })
                        .collect();
                    Ok((ops, ()))
                })
                .await;
            match res {
                Ok(_) | Err(crate::store::StoreError::Rejected(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(Json(GcOut {
        deleted: count,
        dry_run: input.dry_run,
    }))
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
