//! Point-in-time `restore`: a snapshot plus the WAL replayed up to a seq or a time, written as a
//! fresh snapshot; the old `wal/` and `snapshots/` are moved aside, never deleted.
//!
//! The swap is crash-safe: everything new is first built in `.restore-staging/` and a `RESTORE`
//! marker (naming the aside directory) is synced last; the swap is a sequence of renames that
//! [`finish_pending`] completes if a crash interrupts it (the engine calls it on open). The next
//! commit gets a seq above the highest ever issued, so no seq is reused. The new snapshot and
//! segment are sealed with the directory's current key if it has one. The directory gets a new
//! `LINEAGE` ([`crate::store::lineage`]), swapped in with the rest, so replication starts a new
//! generation instead of appending the restored line to the one it branched from.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::lineage::{self, Lineage, LineageParent};
use crate::store::recovery::{self, Base, Target};
use crate::store::snapshot::{self, SnapshotMeta};
use crate::store::state::HistoryPolicy;
use crate::store::wal::active::ActiveSegment;
use crate::store::wal::reader;
use crate::store::wal::segment::{self, fsync_dir};

const STAGING: &str = ".restore-staging";
const MARKER: &str = "RESTORE";

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreOutcome {
    /// The snapshot it started from (`null`: none, the WAL from seq 1).
    pub from_snapshot: Option<String>,
    /// The new snapshot holding the restored state.
    pub snapshot: SnapshotMeta,
    /// The commit_seq of the restored state.
    pub restored_seq: u64,
    /// Commits replayed from the WAL.
    pub replayed: u64,
    /// The seq the next commit will get.
    pub next_seq: u64,
    /// Where the previous `wal/` and `snapshots/` now are.
    pub moved_aside_to: PathBuf,
}

/// The highest seq ever issued in `dir`: the end of the log, or a snapshot's boundary.
///
/// # Errors
/// Corruption in the last segment, I/O errors.
pub fn highest_issued(dir: &DataDir) -> Result<u64> {
    // Reads only frame prefixes (seqs): works on sealed segments without decrypting.
    let end = reader::read_log(&dir.wal(), dir.keys(), u64::MAX, |_, _| Ok(true))?;
    let mut high = end.next_seq.map_or(0, |n| n.saturating_sub(1));
    for info in snapshot::list_snapshots(&dir.snapshots())? {
        if let Ok(m) = info.meta {
            high = high.max(m.next_seq.saturating_sub(1)).max(m.commit_seq);
        }
    }
    Ok(high)
}

/// Total WAL bytes (for progress bars).
pub fn wal_bytes(dir: &DataDir) -> u64 {
    segment::list_segments(&dir.wal())
        .unwrap_or_default()
        .iter()
        .filter_map(|s| fs::metadata(&s.path).ok())
        .map(|m| m.len())
        .sum()
}

/// Restores `dir` to `target` starting from snapshot `snapshot_id`. The caller holds the lock.
/// `progress` gets the WAL bytes replayed so far.
///
/// # Errors
/// Unknown or damaged snapshot, a target the WAL cannot reach, corruption, I/O errors.
pub fn restore(
    dir: &DataDir,
    snapshot_id: &str,
    target: Target,
    progress: &mut dyn FnMut(u64),
) -> Result<RestoreOutcome> {
    restore_from(dir, dir, Some(snapshot_id), target, progress)
}

/// Restores `dir` to `target` from the snapshots and WAL of `source`: `dir` itself, or a
/// directory fetched from a backup location. Without `snapshot_id`, the newest snapshot of
/// `source` at or before the target that verifies; with none, the WAL must start at seq 1.
/// Nothing in `dir` changes until the new state is complete. The caller holds `dir`'s lock.
///
/// # Errors
/// Unknown or damaged snapshot, a WAL that neither a snapshot nor seq 1 starts, a target the
/// WAL cannot reach, corruption, I/O errors.
pub fn restore_from(
    dir: &DataDir,
    source: &DataDir,
    snapshot_id: Option<&str>,
    target: Target,
    progress: &mut dyn FnMut(u64),
) -> Result<RestoreOutcome> {
    finish_pending(dir)?;
    let base = match snapshot_id {
        Some(id) => Base::Snapshot(snapshot::find_snapshot(&source.snapshots(), id)?),
        None => Base::Newest,
    };
    // History is rebuilt from here on; keep none in the restored snapshot.
    let policy = HistoryPolicy {
        versions: 0,
        age_ms: 0,
    };
    let rec = recovery::recover(source, base, target, &policy, progress)?;
    if rec.snapshot.is_none() {
        let first = segment::list_segments(&source.wal())?
            .first()
            .map(|s| s.first_seq);
        if first.is_some_and(|f| f > 1) {
            return Err(StoreError::OutOfRange(format!(
                "no snapshot at or before the target in {} and its WAL starts at seq {} (not 1): \
                 nothing to start from",
                source.root().display(),
                first.unwrap_or_default()
            )));
        }
    }
    let mut high = highest_issued(dir)?;
    if source.root() != dir.root() {
        high = high.max(highest_issued(source)?);
    }
    let next_seq = high.max(rec.state.seq) + 1;

    let staging = dir.root().join(STAGING);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| StoreError::io("remove", &staging, e))?;
    }
    let staged_snaps = staging.join("snapshots");
    let staged_wal = staging.join("wal");
    fs::create_dir_all(&staged_wal)
        .map_err(|e| StoreError::io("create directory", &staged_wal, e))?;
    let meta = snapshot::write_snapshot(
        &staged_snaps,
        &rec.state,
        next_seq,
        dir.key(),
        snapshot::SnapshotOrigin::Restore,
        // No reserve: a restore is the operator's way out of trouble, with no server running.
        0,
    )?;
    ActiveSegment::create(
        &staged_wal,
        next_seq,
        dir.keys().current_id(),
        chrono::Utc::now().timestamp_millis(),
        u64::MAX,
        None,
        false,
    )?;
    // A new line of history: what this directory commits next must never be appended to
    // the line it branched from (see `crate::store::lineage`). Swapped in with `wal/`.
    // The line the restored state comes from: the fetched copy's (a backup location's
    // generation, written by the fetch), else this directory's own.
    let from = match source.root() == dir.root() {
        true => None,
        false => lineage::read(source.root())?,
    };
    let from = match from {
        Some(l) => Some(l),
        None => lineage::read(dir.root())?,
    };
    let parent = from.map(|old| LineageParent {
        lineage: old.lineage,
        seq: meta.commit_seq,
    });
    lineage::write(
        &staging,
        &Lineage::new(parent, format!("restore to seq {}", meta.commit_seq)),
    )?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let aside_name = format!("restore-{stamp}");
    let aside = dir.aside().join(&aside_name);
    // The marker appears atomically, complete and synced, or not at all; it names only the
    // leaf of the aside directory, which is resolved under `aside/` (a relative data
    // directory stays correct from any working directory).
    let marker = staging.join(MARKER);
    let tmp = staging.join(".marker.tmp");
    fs::write(&tmp, &aside_name)
        .and_then(|()| fs::File::open(&tmp)?.sync_all())
        .map_err(|e| StoreError::io("write", &tmp, e))?;
    fs::rename(&tmp, &marker).map_err(|e| StoreError::io("rename", &tmp, e))?;
    fsync_dir(&staging)?;
    fsync_dir(dir.root())?;
    finish_pending(dir)?;
    Ok(RestoreOutcome {
        from_snapshot: rec.snapshot.as_ref().map(|m| m.id.clone()),
        restored_seq: meta.commit_seq,
        snapshot: meta,
        replayed: rec.replayed,
        next_seq,
        moved_aside_to: aside,
    })
}

/// Completes a restore interrupted after its staging was complete; removes an incomplete
/// staging directory. Idempotent.
///
/// # Errors
/// I/O errors naming the path.
pub fn finish_pending(dir: &DataDir) -> Result<()> {
    let staging = dir.root().join(STAGING);
    if !staging.exists() {
        return Ok(());
    }
    let marker = staging.join(MARKER);
    // Only a plain `restore-...` leaf name is trusted; anything else means staging never
    // completed.
    let leaf = fs::read_to_string(&marker)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| t.starts_with("restore-") && !t.contains('/') && !t.contains(".."));
    let aside = match leaf {
        Some(leaf) => dir.aside().join(leaf),
        None => {
            // Staging never completed: the data directory was not touched.
            return fs::remove_dir_all(&staging).map_err(|e| StoreError::io("remove", &staging, e));
        }
    };
    fs::create_dir_all(&aside).map_err(|e| StoreError::io("create directory", &aside, e))?;
    // The lineage first: the restored log never appears under the old one.
    for name in [lineage::FILE, "snapshots", "wal"] {
        let live = dir.root().join(name);
        let staged = staging.join(name);
        if !staged.exists() {
            continue; // already swapped in
        }
        move_if_present(&live, &aside.join(name))?;
        rename(&staged, &live)?;
    }
    fsync_dir(&aside)?;
    fsync_dir(dir.root())?;
    fs::remove_dir_all(&staging).map_err(|e| StoreError::io("remove", &staging, e))?;
    fsync_dir(dir.root())
}

fn move_if_present(from: &Path, to: &Path) -> Result<()> {
    if from.exists() && !to.exists() {
        rename(from, to)?;
    }
    Ok(())
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|e| StoreError::io("rename", from, e))
}
