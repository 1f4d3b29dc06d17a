//! Admin routes: `POST /admin/snapshot`, `POST /admin/trim-wal?snapshot_id=`,
//! `GET /admin/manifest`, `GET /admin/dump` (NDJSON of the current state, no side effects).

use std::fs;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::ApiQuery;
use crate::objects::ObjectOut;
use crate::store::offline::trim;
use crate::store::snapshot;
use crate::store::wal::segment;

/// Admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/snapshot", post(take_snapshot))
        .route("/admin/trim-wal", post(trim_wal))
        .route("/admin/manifest", get(manifest))
        .route("/admin/dump", get(dump))
        .route("/admin/gc", post(gc))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(&e))
}

async fn take_snapshot(State(app): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let engine = app.engine().clone();
    let started = std::time::Instant::now();
    let meta = blocking(move || engine.snapshot()).await??;
    let m = app.metrics();
    m.snapshot_duration.observe(started.elapsed().as_secs_f64());
    m.snapshot_bytes
        .set(i64::try_from(meta.size).unwrap_or(i64::MAX));
    Ok(Json(json!({
        "snapshot_id": meta.id,
        "commit_seq": meta.commit_seq,
        "size": meta.size,
        "objects": meta.objects,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrimQuery {
    snapshot_id: String,
    #[serde(default)]
    dry_run: bool,
}

async fn trim_wal(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<TrimQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let dir = app.engine().dir().clone();
    let dry_run = q.dry_run;
    let plan = blocking(move || -> Result<_, crate::store::StoreError> {
        let plan = trim::plan(&dir, &q.snapshot_id)?;
        if !dry_run {
            trim::apply(&dir, &plan)?;
        }
        Ok(plan)
    })
    .await??;
    let name = |s: &trim::SegmentPlan| s.path.file_name().map(|n| n.to_string_lossy().into_owned());
    let deleted: Vec<_> = plan
        .segments
        .iter()
        .filter(|s| s.remove)
        .filter_map(name)
        .collect();
    let kept: Vec<_> = plan
        .segments
        .iter()
        .filter(|s| !s.remove)
        .filter_map(name)
        .collect();
    Ok(Json(json!({
        "snapshot_id": plan.snapshot.id,
        "commit_seq": plan.snapshot.commit_seq,
        "dry_run": dry_run,
        "deleted": deleted,
        "kept": kept,
    })))
}

/// `GET /admin/manifest`: what the data directory holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Server version.
    pub version: String,
    /// The data directory.
    pub data_dir: String,
    /// The latest commit_seq.
    pub commit_seq: u64,
    /// Live objects.
    pub objects: u64,
    /// Durability mode.
    pub durability: String,
    /// WAL segments, oldest first.
    pub wal: Vec<SegmentInfo>,
    /// Snapshots, oldest first.
    pub snapshots: Vec<SnapshotEntry>,
    /// Writes refused since a failed sync, if so.
    pub poisoned: Option<String>,
}

/// A WAL segment in the manifest.
#[derive(Debug, Serialize, Deserialize)]
pub struct SegmentInfo {
    /// File name.
    pub name: String,
    /// First seq.
    pub first_seq: u64,
    /// Size in bytes.
    pub size: u64,
}

/// A snapshot in the manifest.
#[derive(Debug, Serialize, Deserialize)]
pub struct SnapshotEntry {
    /// `snap-<ULID>`.
    pub snapshot_id: String,
    /// Its commit_seq.
    pub commit_seq: u64,
    /// Size in bytes.
    pub size: u64,
    /// Live objects.
    pub objects: u64,
    /// RFC 3339.
    pub created_at: String,
    /// Id of the key its body is sealed with (0: plaintext).
    #[serde(default)]
    pub key_id: u32,
}

async fn manifest(State(app): State<AppState>) -> ApiResult<Json<Manifest>> {
    let engine = app.engine().clone();
    let m = blocking(move || -> Result<Manifest, crate::store::StoreError> {
        let dir = engine.dir();
        let wal = segment::list_segments(&dir.wal())?
            .into_iter()
            .map(|s| SegmentInfo {
                name: s
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                first_seq: s.first_seq,
                size: fs::metadata(&s.path).map(|m| m.len()).unwrap_or(0),
            })
            .collect();
        let snapshots = snapshot::list_snapshots(&dir.snapshots())?
            .into_iter()
            .filter_map(|i| i.meta.ok())
            .map(|m| SnapshotEntry {
                snapshot_id: m.id,
                commit_seq: m.commit_seq,
                size: m.size,
                objects: m.objects,
                created_at: crate::store::offline::dump::format_ts(m.created_ms),
                key_id: m.key_id,
            })
            .collect();
        let view = engine.view();
        Ok(Manifest {
            version: env!("CARGO_PKG_VERSION").into(),
            data_dir: dir.root().display().to_string(),
            commit_seq: view.seq,
            objects: view.objects.live_count(),
            durability: engine.options().durability.to_string(),
            wal,
            snapshots,
            poisoned: engine.poisoned(),
        })
    })
    .await??;
    Ok(Json(m))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GcInput {
    /// Objects not written for this long go (e.g. "30d", "12h").
    older_than: String,
    /// Keep at least this many of the most recently written objects per namespace.
    #[serde(default)]
    keep_last: usize,
    /// Only this namespace.
    #[serde(default)]
    ns: Option<String>,
    #[serde(default)]
    dry_run: bool,
}

/// Objects deleted per commit by `/admin/gc`.
const GC_BATCH: usize = 10_000;

async fn gc(
    State(app): State<AppState>,
    super::extract::ApiJson(input): super::extract::ApiJson<GcInput>,
) -> ApiResult<Json<serde_json::Value>> {
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
                    Ok(chunk
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
                        .collect())
                })
                .await;
            match res {
                Ok(_) | Err(crate::store::StoreError::Rejected(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(Json(json!({"deleted": count, "dry_run": input.dry_run})))
}

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
