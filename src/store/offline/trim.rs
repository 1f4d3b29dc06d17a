//! `trim-wal`: deletes the WAL segments a verified snapshot covers entirely; never the last one.

use std::fs;
use std::path::PathBuf;

use serde::Serialize;

use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::snapshot::{self, SnapshotMeta};
use crate::store::wal::segment::{self, fsync_dir};

/// What happens to one segment.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentPlan {
    /// The file.
    pub path: PathBuf,
    /// Its first seq.
    pub first_seq: u64,
    /// The last seq it can hold (`None` for the last segment, still open-ended).
    pub last_seq: Option<u64>,
    /// File size in bytes.
    pub size: u64,
    /// Whether it is removed.
    pub remove: bool,
    /// Why it is kept or removed.
    pub reason: String,
}

/// The plan of a trim: the snapshot it relies on and every segment's fate.
#[derive(Debug, Clone, Serialize)]
pub struct TrimPlan {
    /// The verified snapshot.
    pub snapshot: SnapshotMeta,
    /// Segments in order.
    pub segments: Vec<SegmentPlan>,
}

/// Verifies the snapshot `snapshot_id` fully and decides which segments it covers.
///
/// # Errors
/// Unknown or damaged snapshot, unreadable WAL directory.
pub fn plan(dir: &DataDir, snapshot_id: &str) -> Result<TrimPlan> {
    let path = snapshot::find_snapshot(&dir.snapshots(), snapshot_id)?;
    let snap = snapshot::verify_snapshot(&path, dir.keys())?;
    let segs = segment::list_segments(&dir.wal())?;
    let mut out = Vec::with_capacity(segs.len());
    for (i, seg) in segs.iter().enumerate() {
        let size = fs::metadata(&seg.path)
            .map_err(|e| StoreError::io("stat", &seg.path, e))?
            .len();
        let last_seq = segs.get(i + 1).map(|n| n.first_seq.saturating_sub(1));
        let (remove, reason) = match last_seq {
            None => (false, "active segment".to_string()),
            Some(last) if last <= snap.commit_seq => (true, format!("covered by {}", snap.id)),
            Some(_) => (false, format!("holds commits after {}", snap.commit_seq)),
        };
        out.push(SegmentPlan {
            path: seg.path.clone(),
            first_seq: seg.first_seq,
            last_seq,
            size,
            remove,
            reason,
        });
    }
    Ok(TrimPlan {
        snapshot: snap,
        segments: out,
    })
}

/// Deletes the segments the plan marks for removal and syncs the directory.
///
/// # Errors
/// I/O errors naming the file.
pub fn apply(dir: &DataDir, plan: &TrimPlan) -> Result<u64> {
    let mut removed = 0;
    for seg in plan.segments.iter().filter(|s| s.remove) {
        fs::remove_file(&seg.path).map_err(|e| StoreError::io("remove", &seg.path, e))?;
        removed += 1;
    }
    if removed > 0 {
        fsync_dir(&dir.wal())?;
    }
    Ok(removed)
}
