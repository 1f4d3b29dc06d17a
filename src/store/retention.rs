//! Automatic snapshots for a running engine: take one every N bytes of WAL or every T, keep the
//! newest K snapshots, and trim the WAL segments the oldest kept snapshot covers (so any kept
//! snapshot can still be replayed forward for point-in-time restore).

use std::fs;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::store::engine::Engine;
use crate::store::error::{Result, StoreError};
use crate::store::offline::trim;
use crate::store::snapshot;
use crate::store::wal::segment::fsync_dir;

/// When to snapshot and what to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotPolicy {
    /// Snapshot after this many WAL bytes appended since the last one (`None`: not by size).
    pub every_bytes: Option<u64>,
    /// Snapshot this long after the last one, if anything was committed (`None`: not by time).
    pub every: Option<Duration>,
    /// Snapshots kept (at least 1).
    pub keep_last: usize,
}

/// What one round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RetentionReport {
    /// The snapshot taken, if any.
    pub snapshot_id: Option<String>,
    /// Snapshots deleted.
    pub snapshots_removed: Vec<String>,
    /// WAL segments deleted.
    pub segments_removed: u64,
}

/// Where the policy stands between rounds.
#[derive(Debug)]
pub struct PolicyState {
    wal_bytes_at_last: u64,
    seq_at_last: u64,
    last: Instant,
}

impl PolicyState {
    /// Starts counting from now.
    pub fn new(engine: &Engine) -> Self {
        PolicyState {
            wal_bytes_at_last: engine.stats().wal_bytes_appended,
            seq_at_last: engine.view().seq,
            last: Instant::now(),
        }
    }
}

impl SnapshotPolicy {
    /// Whether a snapshot is due.
    pub fn due(&self, engine: &Engine, st: &PolicyState) -> bool {
        let grown = engine
            .stats()
            .wal_bytes_appended
            .saturating_sub(st.wal_bytes_at_last);
        let changed = engine.view().seq != st.seq_at_last;
        self.every_bytes.is_some_and(|b| grown >= b)
            || (changed && self.every.is_some_and(|t| st.last.elapsed() >= t))
    }

    /// Takes a snapshot if one is due, then applies retention. Blocking: run it off the async
    /// executor.
    ///
    /// # Errors
    /// Snapshot or file errors; the engine keeps running either way.
    pub fn run_once(
        &self,
        engine: &Engine,
        st: &mut PolicyState,
    ) -> Result<Option<RetentionReport>> {
        if !self.due(engine, st) {
            return Ok(None);
        }
        st.wal_bytes_at_last = engine.stats().wal_bytes_appended;
        st.seq_at_last = engine.view().seq;
        st.last = Instant::now();
        let meta = engine.snapshot(snapshot::SnapshotOrigin::Automatic)?;
        let mut report = RetentionReport {
            snapshot_id: Some(meta.id),
            ..Default::default()
        };
        let dir = engine.dir();
        let snaps: Vec<_> = snapshot::list_snapshots(&dir.snapshots())?
            .into_iter()
            .filter(|s| s.meta.is_ok())
            .collect();
        let keep = self.keep_last.max(1);
        let excess = snaps.len().saturating_sub(keep);
        for old in &snaps[..excess] {
            fs::remove_file(&old.path).map_err(|e| StoreError::io("remove", &old.path, e))?;
            report.snapshots_removed.push(old.id.clone());
        }
        if excess > 0 {
            fsync_dir(&dir.snapshots())?;
        }
        if let Some(oldest_kept) = snaps.get(excess) {
            let plan = trim::plan(dir, &oldest_kept.id)?;
            report.segments_removed = trim::apply(dir, &plan)?;
        }
        Ok(Some(report))
    }
}
