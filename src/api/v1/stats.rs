//! `GET /v1/namespaces` and `GET /v1/stats`: counts and sizes per namespace, WAL and snapshots.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::store::snapshot;
use crate::store::wal::segment;

/// A namespace's counters.
#[derive(Debug, Serialize, Deserialize)]
pub struct NamespaceOut {
    /// The namespace.
    pub ns: String,
    /// Live objects.
    pub objects: u64,
    /// Bytes of live ids, types, bodies and tags.
    pub bytes: u64,
    /// Checkpoints of its objects.
    pub checkpoints: u64,
}

fn namespaces(app: &AppState) -> Vec<NamespaceOut> {
    let view = app.engine().view();
    view.objects
        .namespaces()
        .into_iter()
        .map(|n| NamespaceOut {
            checkpoints: view.checkpoints.count_in(&n.ns),
            ns: n.ns,
            objects: n.objects,
            bytes: n.bytes,
        })
        .collect()
}

pub(super) async fn list_namespaces(State(app): State<AppState>) -> Json<Vec<NamespaceOut>> {
    Json(namespaces(&app))
}

pub(super) async fn stats(State(app): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let dir = app.engine().dir().clone();
    let (wal, snaps) = tokio::task::spawn_blocking(move || {
        let wal: Vec<u64> = segment::list_segments(&dir.wal())
            .unwrap_or_default()
            .iter()
            .filter_map(|s| std::fs::metadata(&s.path).ok().map(|m| m.len()))
            .collect();
        let snaps: Vec<u64> = snapshot::list_snapshots(&dir.snapshots())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.meta.ok().map(|m| m.size))
            .collect();
        (wal, snaps)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let ns = namespaces(&app);
    Ok(Json(serde_json::json!({
        "commit_seq": app.engine().view().seq,
        "objects": ns.iter().map(|n| n.objects).sum::<u64>(),
        "bytes": ns.iter().map(|n| n.bytes).sum::<u64>(),
        "checkpoints": ns.iter().map(|n| n.checkpoints).sum::<u64>(),
        "namespaces": ns,
        "wal": {"segments": wal.len(), "bytes": wal.iter().sum::<u64>()},
        "snapshots": {"count": snaps.len(), "bytes": snaps.iter().sum::<u64>()},
    })))
}
