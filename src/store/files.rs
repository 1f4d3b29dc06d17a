//! The engine's files as the rest of stmgr sees them: the WAL segments and snapshots of a data
//! directory, listed with their sizes, and the operations that remove them.
//!
//! Two ways in, one set of rules:
//! - on a stopped server's directory, the functions below, by a caller that holds the
//!   directory's lock (the CLI's offline commands);
//! - on a running engine, [`crate::store::Engine::files`], which takes the engine's file lock
//!   so that removals never race one another (an operator's `trim-wal` against the automatic
//!   retention, or two trims), and which never removes the segment the commit thread writes
//!   to, whatever the listing said when the plan was made.
//!
//! Listings need no lock: they are read-only, and a file removed while it is listed is left
//! out.

use std::fs;
use std::path::PathBuf;
use std::sync::MutexGuard;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::offline::trim::{self, TrimPlan};
use crate::store::snapshot::{self, SnapshotInfo};
use crate::store::wal::segment::{self, fsync_dir};
use crate::store::writer::Shared;

/// A WAL segment on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalSegment {
    /// File name (`<first_seq, 20 digits>.wal`).
    pub name: String,
    /// Full path.
    pub path: PathBuf,
    /// Its first seq.
    pub first_seq: u64,
    /// File size in bytes (preallocated space included).
    pub size: u64,
}

/// The WAL segments of `dir`, oldest first.
///
/// # Errors
/// The WAL directory cannot be read.
pub fn wal_segments(dir: &DataDir) -> Result<Vec<WalSegment>> {
    Ok(segment::list_segments(&dir.wal())?
        .into_iter()
        .filter_map(|s| {
            // Gone since it was listed (a trim): not there any more.
            let size = fs::metadata(&s.path).ok()?.len();
            let name = s.path.file_name()?.to_string_lossy().into_owned();
            Some(WalSegment {
                name,
                path: s.path,
                first_seq: s.first_seq,
                size,
            })
        })
        .collect())
}

/// The snapshots of `dir`: readable ones in commit order, then unreadable ones with their
/// error.
///
/// # Errors
/// The snapshot directory cannot be read.
pub fn snapshots(dir: &DataDir) -> Result<Vec<SnapshotInfo>> {
    snapshot::list_snapshots(&dir.snapshots())
}

/// Bytes of every file in `dir`'s snapshot directory, unfinished snapshots included (0 when
/// it cannot be read).
pub fn snapshot_dir_bytes(dir: &DataDir) -> u64 {
    fs::read_dir(dir.snapshots())
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.metadata().ok())
        .filter(fs::Metadata::is_file)
        .map(|m| m.len())
        .sum()
}

/// Verifies the snapshot `snapshot_id` in full and removes (unless `dry_run`) the WAL segments
/// it covers entirely; never the last one. The caller holds the directory's lock.
///
/// # Errors
/// Unknown or damaged snapshot, I/O errors naming the file.
pub fn trim_wal(dir: &DataDir, snapshot_id: &str, dry_run: bool) -> Result<TrimPlan> {
    let plan = trim::plan(dir, snapshot_id)?;
    if !dry_run {
        trim::apply(dir, &plan)?;
    }
    Ok(plan)
}

/// Removes snapshot files (with their tags) and syncs the directory.
///
/// # Errors
/// I/O errors naming the file.
pub fn remove_snapshots(dir: &DataDir, doomed: &[&SnapshotInfo]) -> Result<()> {
    for s in doomed {
        fs::remove_file(&s.path).map_err(|e| StoreError::io("remove", &s.path, e))?;
        snapshot::remove_tags(&dir.snapshots(), &s.id)?;
    }
    if !doomed.is_empty() {
        fsync_dir(&dir.snapshots())?;
    }
    Ok(())
}

/// A running engine's files, held for removals: one holder at a time (see the module docs).
pub struct Files<'a> {
    pub(crate) dir: &'a DataDir,
    pub(crate) shared: &'a Shared,
    pub(crate) hold: &'a AtomicU64,
    pub(crate) _lock: MutexGuard<'a, ()>,
}

impl Files<'_> {
    /// The WAL segments, oldest first.
    ///
    /// # Errors
    /// The WAL directory cannot be read.
    pub fn wal_segments(&self) -> Result<Vec<WalSegment>> {
        wal_segments(self.dir)
    }

    /// The snapshots (see [`snapshots`]).
    ///
    /// # Errors
    /// The snapshot directory cannot be read.
    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>> {
        snapshots(self.dir)
    }

    /// Verifies the snapshot `snapshot_id` in full and removes (unless `dry_run`) the WAL
    /// segments it covers entirely. The segment the commit thread writes to is kept even if
    /// the directory listing made it look covered, and so are the segments holding seqs at or
    /// above the hold ([`crate::store::Engine::hold_wal_from`]: not replicated yet).
    ///
    /// # Errors
    /// Unknown or damaged snapshot, I/O errors naming the file.
    pub fn trim_wal(&self, snapshot_id: &str, dry_run: bool) -> Result<TrimPlan> {
        let mut plan = trim::plan(self.dir, snapshot_id)?;
        let active = self.shared.active_first_seq.load(Ordering::Acquire);
        for seg in plan.segments.iter_mut().filter(|s| s.first_seq >= active) {
            seg.remove = false;
            seg.reason = "active segment".to_string();
        }
        let hold = self.hold.load(Ordering::Acquire);
        for seg in plan.segments.iter_mut().filter(|s| s.remove) {
            // `last_seq` is known for every segment but the last (never removed).
            if seg.last_seq.is_none_or(|last| last >= hold) {
                seg.remove = false;
                seg.reason = format!("held: holds seqs from {hold} on, not replicated yet");
            }
        }
        if !dry_run {
            trim::apply(self.dir, &plan)?;
        }
        Ok(plan)
    }

    /// Removes snapshot files and syncs the directory.
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn remove_snapshots(&self, doomed: &[&SnapshotInfo]) -> Result<()> {
        remove_snapshots(self.dir, doomed)
    }
}
