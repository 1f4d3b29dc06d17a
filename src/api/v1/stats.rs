//! `GET /v1/namespaces` and `GET /v1/stats`: counts and sizes per namespace, WAL and snapshots.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::openapi::ErrorBody;

/// A namespace's counters.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
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

/// Namespaces with live objects, and their counters.
#[utoipa::path(
    get,
    path = "/v1/namespaces",
    tag = "objects",
    responses((status = 200, description = "Namespaces", body = Vec<NamespaceOut>))
)]
pub(super) async fn list_namespaces(State(app): State<AppState>) -> Json<Vec<NamespaceOut>> {
    Json(namespaces(&app))
}

/// WAL segments: how many and their bytes.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WalFilesOut {
    /// Segment files.
    pub segments: u64,
    /// Their total size.
    pub bytes: u64,
}

/// Snapshot files: how many and their bytes.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapshotFilesOut {
    /// Snapshot files.
    pub count: u64,
    /// Their total size.
    pub bytes: u64,
}

/// Totals, per-namespace counters and file sizes.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatsOut {
    /// The latest commit.
    pub commit_seq: u64,
    /// Live objects.
    pub objects: u64,
    /// Bytes of live ids, types, bodies and tags.
    pub bytes: u64,
    /// Checkpoints.
    pub checkpoints: u64,
    /// Per namespace.
    pub namespaces: Vec<NamespaceOut>,
    /// WAL segments.
    pub wal: WalFilesOut,
    /// Snapshots.
    pub snapshots: SnapshotFilesOut,
}

/// Store-wide statistics.
#[utoipa::path(
    get,
    path = "/v1/stats",
    tag = "objects",
    responses(
        (status = 200, description = "Statistics", body = StatsOut),
        (status = 500, description = "The data directory could not be read", body = ErrorBody),
    )
)]
pub(super) async fn stats(State(app): State<AppState>) -> ApiResult<Json<StatsOut>> {
    let engine = app.engine().clone();
    let (wal, snaps) = tokio::task::spawn_blocking(move || {
        let wal: Vec<u64> = engine
            .wal_segments()
            .unwrap_or_default()
            .iter()
            .map(|s| s.size)
            .collect();
        let snaps: Vec<u64> = engine
            .snapshots()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.meta.ok().map(|m| m.size))
            .collect();
        (wal, snaps)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let ns = namespaces(&app);
    Ok(Json(StatsOut {
        commit_seq: app.engine().view().seq,
        objects: ns.iter().map(|n| n.objects).sum(),
        bytes: ns.iter().map(|n| n.bytes).sum(),
        checkpoints: ns.iter().map(|n| n.checkpoints).sum(),
        namespaces: ns,
        wal: WalFilesOut {
            segments: wal.len() as u64,
            bytes: wal.iter().sum(),
        },
        snapshots: SnapshotFilesOut {
            count: snaps.len() as u64,
            bytes: snaps.iter().sum(),
        },
    }))
}
