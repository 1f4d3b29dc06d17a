//! The admin answers as printed by the CLI and sent by the server: one type per answer, so that
//! a command prints the same JSON whether it ran against a server (`--server`) or a data
//! directory (`--data-dir`). Field names are stable: scripts read them.

use serde::{Deserialize, Serialize};

use crate::store::snapshot::{SnapshotInfo, SnapshotMeta, read_tags};
use crate::time::format_ts;

/// A snapshot just written: `stmgr snapshot`, `POST /admin/snapshot`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapshotOut {
    /// `snap-<ULID>`.
    pub snapshot_id: String,
    /// The last commit it holds.
    pub commit_seq: u64,
    /// The same as `commit_seq`, under the name AgentState's clients read.
    pub last_seq: u64,
    /// The first seq the log may use after it.
    pub next_seq: u64,
    /// When it was taken, RFC 3339 (UTC, milliseconds).
    pub created_at: String,
    /// File size in bytes.
    pub size: u64,
    /// Live objects in it.
    pub objects: u64,
    /// Items in its body, every domain together.
    pub entries: u64,
    /// Id of the key sealing its body, 8 hex digits (`null`: plaintext).
    pub key_id: Option<String>,
    /// Who took it: `manual`, `automatic` or `restore`.
    pub origin: String,
    /// Its tags (`--tag`), sorted.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where it was shipped (`--to`), or the database it was stored in on the PostgreSQL
    /// backend (`null`: it stayed local).
    #[serde(default)]
    pub shipped_to: Option<String>,
    /// What the `--keep-…` policy did after it (`null`: no policy given).
    #[serde(default)]
    pub prune: Option<SnapshotPruneOut>,
}

impl From<&SnapshotMeta> for SnapshotOut {
    fn from(m: &SnapshotMeta) -> Self {
        SnapshotOut {
            snapshot_id: m.id.clone(),
            commit_seq: m.commit_seq,
            last_seq: m.commit_seq,
            next_seq: m.next_seq,
            created_at: format_ts(m.created_ms),
            size: m.size,
            objects: m.objects,
            entries: m.entries,
            key_id: key_id(m.key_id),
            origin: m.origin.as_str().to_string(),
            tags: Vec::new(),
            shipped_to: None,
            prune: None,
        }
    }
}

/// One snapshot of a list: `stmgr snapshot list`, `GET /admin/manifest`. A snapshot whose
/// header cannot be read is listed with `error` set and the other fields `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapshotRow {
    /// `snap-<ULID>`, from the file name.
    pub snapshot_id: String,
    /// The last commit it holds.
    pub commit_seq: Option<u64>,
    /// The first seq the log may use after it.
    pub next_seq: Option<u64>,
    /// When it was taken, RFC 3339 (UTC, milliseconds).
    pub created_at: Option<String>,
    /// File size in bytes.
    pub size: Option<u64>,
    /// Live objects in it.
    pub objects: Option<u64>,
    /// Id of the key sealing its body, 8 hex digits (`null`: plaintext or unreadable).
    pub key_id: Option<String>,
    /// Who took it: `manual`, `automatic` or `restore`.
    pub origin: Option<String>,
    /// Its tags, sorted.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Why its header cannot be read (`null`: it can; `admin verify` checks the body).
    pub error: Option<String>,
}

impl From<&SnapshotInfo> for SnapshotRow {
    fn from(info: &SnapshotInfo) -> Self {
        let tags = info
            .path
            .parent()
            .map(|dir| read_tags(dir, &info.id).into_iter().collect())
            .unwrap_or_default();
        match &info.meta {
            Ok(m) => SnapshotRow {
                snapshot_id: info.id.clone(),
                commit_seq: Some(m.commit_seq),
                next_seq: Some(m.next_seq),
                created_at: Some(format_ts(m.created_ms)),
                size: Some(m.size),
                objects: Some(m.objects),
                key_id: key_id(m.key_id),
                origin: Some(m.origin.as_str().to_string()),
                tags,
                error: None,
            },
            Err(e) => SnapshotRow {
                snapshot_id: info.id.clone(),
                commit_seq: None,
                next_seq: None,
                created_at: None,
                size: None,
                objects: None,
                key_id: None,
                origin: None,
                tags,
                error: Some(e.to_string()),
            },
        }
    }
}

/// What a WAL trim removed or would remove: `stmgr trim-wal`, `POST /admin/trim-wal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrimOut {
    /// The snapshot trimmed against (verified in full first).
    pub snapshot_id: String,
    /// Its commit_seq.
    pub commit_seq: u64,
    /// Whether nothing was removed.
    pub dry_run: bool,
    /// Segment files removed (or that would be), by name.
    pub deleted: Vec<String>,
    /// Segment files kept, by name.
    pub kept: Vec<String>,
    /// Bytes freed (or that would be).
    pub freed_bytes: u64,
    /// Every segment, oldest first, with what happens to it and why.
    pub segments: Vec<SegmentOut>,
}

/// One WAL segment of a trim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SegmentOut {
    /// File name.
    pub segment: String,
    /// Its first seq.
    pub first_seq: u64,
    /// The last seq it can hold (`null`: the active segment, still open-ended).
    pub last_seq: Option<u64>,
    /// File size in bytes.
    pub size: u64,
    /// Whether it is removed.
    pub remove: bool,
    /// Why it is kept or removed.
    pub reason: String,
}

/// `GET /admin/manifest`: what the data directory holds.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Snapshots, oldest first (as `stmgr snapshot list` prints them).
    pub snapshots: Vec<SnapshotRow>,
    /// Writes refused since a failed sync, if so.
    pub poisoned: Option<String>,
}

/// A WAL segment in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SegmentInfo {
    /// File name.
    pub name: String,
    /// First seq.
    pub first_seq: u64,
    /// Size in bytes.
    pub size: u64,
}

/// A header key id as shown: 8 hex digits, `None` for plaintext.
fn key_id(id: u32) -> Option<String> {
    (id != 0).then(|| format!("{id:08x}"))
}

/// What a retention policy did or would do: `stmgr snapshot prune`, the `prune` of
/// `stmgr snapshot --keep-…`, `POST /admin/snapshots/prune`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapshotPruneOut {
    /// The place pruned: a data directory, or a backup location's URL.
    pub location: String,
    /// Whether nothing was removed (only the plan).
    pub dry_run: bool,
    /// The rules, as `last 3, daily 7`.
    pub policy: String,
    /// Snapshots kept.
    pub kept: u64,
    /// Snapshots removed (or that would be).
    pub removed: u64,
    /// Every snapshot, newest first, with its fate and the rules that keep it.
    pub snapshots: Vec<SnapshotPruneRow>,
}

/// One snapshot of a [`SnapshotPruneOut`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapshotPruneRow {
    /// `snap-<ULID>`.
    pub snapshot_id: String,
    /// The last commit it holds.
    pub commit_seq: u64,
    /// When it was taken, RFC 3339.
    pub created_at: String,
    /// Who took it.
    pub origin: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Whether it is kept.
    pub keep: bool,
    /// The rules that keep it (`last 3`, `daily 7`, `newest`, `pinned`, …); empty when removed.
    pub reasons: Vec<String>,
}

/// A snapshot removed by `stmgr snapshot rm`, `DELETE /admin/snapshots/{snapshot_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapshotRemovedOut {
    /// `snap-<ULID>`.
    pub snapshot_id: String,
    /// Where it was: a data directory, or a backup location's URL.
    pub location: String,
}

/// Body of `POST /admin/snapshot` (optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRequest {
    /// Tags to store with the snapshot (letters, digits, `-_.:=`, at most 64 characters).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A retention policy on the wire (`POST /admin/snapshots/prune`): restic's `forget` rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeepPolicy {
    /// The N newest.
    #[serde(default)]
    pub keep_last: usize,
    /// The newest of each of the last N hours with snapshots.
    #[serde(default)]
    pub keep_hourly: usize,
    /// The newest of each of the last N days.
    #[serde(default)]
    pub keep_daily: usize,
    /// The newest of each of the last N ISO weeks.
    #[serde(default)]
    pub keep_weekly: usize,
    /// The newest of each of the last N months.
    #[serde(default)]
    pub keep_monthly: usize,
    /// The newest of each of the last N years.
    #[serde(default)]
    pub keep_yearly: usize,
    /// Every snapshot within this of the newest (`30d`, `12h`).
    #[serde(default)]
    pub keep_within: Option<String>,
    /// Every snapshot with one of these tags.
    #[serde(default)]
    pub keep_tags: Vec<String>,
    /// Only show the plan.
    #[serde(default)]
    pub dry_run: bool,
}

/// What `stmgr restore --dry-run` would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RestorePlanOut {
    /// Where it restores from: the data directory, or a backup location's URL.
    pub source: String,
    /// The target: `latest`, `seq N` or `time T`.
    pub target: String,
    /// The snapshot it starts from (`null`: the WAL from seq 1).
    pub snapshot_id: Option<String>,
    /// That snapshot's commit_seq.
    pub snapshot_commit_seq: Option<u64>,
    /// The generations followed, oldest first (a backup location's lineage; empty locally).
    pub generations: Vec<String>,
    /// The WAL pieces (backup location) or segments (data directory) replayed, in order.
    pub wal: Vec<PlanPiece>,
    /// Bytes to fetch from the location (0 locally).
    pub bytes_to_fetch: u64,
}

/// One WAL piece or segment of a [`RestorePlanOut`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanPiece {
    /// The object's key (a piece) or the segment's file name.
    pub key: String,
    /// Its first seq.
    pub first_seq: u64,
    /// Its last seq (`null` for a local segment).
    pub last_seq: Option<u64>,
    /// Bytes.
    pub size: u64,
    /// Only the records up to this seq are used (a parent generation's branch point).
    pub keep_through: Option<u64>,
}
