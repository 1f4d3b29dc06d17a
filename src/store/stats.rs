//! Counters the engine keeps for metrics and benchmarks (lock-free, read at any time).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Engine counters.
#[derive(Debug, Default)]
pub struct EngineStats {
    wal_bytes: AtomicU64,
    segments_rolled: AtomicU64,
    fsyncs: AtomicU64,
    fsync_nanos: AtomicU64,
    fsync_max_nanos: AtomicU64,
    snapshots: AtomicU64,
    snapshot_failures: AtomicU64,
    last_snapshot_ms: AtomicI64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatsSnapshot {
    /// Frame bytes appended to the WAL since open.
    pub wal_bytes_appended: u64,
    /// Segments started since open.
    pub segments_rolled: u64,
    /// fdatasync calls since open.
    pub fsyncs: u64,
    /// Total time spent in fdatasync (ns).
    pub fsync_nanos: u64,
    /// Longest fdatasync (ns).
    pub fsync_max_nanos: u64,
    /// Snapshots written and verified since open.
    pub snapshots: u64,
    /// Snapshots that failed (not written, or not verified when read back) since open.
    pub snapshot_failures: u64,
    /// When the newest snapshot that verified was taken (ms since the epoch; 0: none known).
    pub last_snapshot_ms: i64,
}

impl EngineStats {
    pub(crate) fn appended(&self, bytes: u64) {
        self.wal_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn segment_rolled(&self) {
        self.segments_rolled.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn synced(&self, took: Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.fsyncs.fetch_add(1, Ordering::Relaxed);
        self.fsync_nanos.fetch_add(ns, Ordering::Relaxed);
        self.fsync_max_nanos.fetch_max(ns, Ordering::Relaxed);
    }

    pub(crate) fn snapshot_taken(&self, created_ms: i64) {
        self.snapshots.fetch_add(1, Ordering::Relaxed);
        self.last_snapshot_ms
            .fetch_max(created_ms, Ordering::Relaxed);
    }

    pub(crate) fn snapshot_failed(&self) {
        self.snapshot_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Records the newest snapshot found at open (not counted as taken).
    pub(crate) fn snapshot_found(&self, created_ms: i64) {
        self.last_snapshot_ms
            .fetch_max(created_ms, Ordering::Relaxed);
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            wal_bytes_appended: self.wal_bytes.load(Ordering::Relaxed),
            segments_rolled: self.segments_rolled.load(Ordering::Relaxed),
            fsyncs: self.fsyncs.load(Ordering::Relaxed),
            fsync_nanos: self.fsync_nanos.load(Ordering::Relaxed),
            fsync_max_nanos: self.fsync_max_nanos.load(Ordering::Relaxed),
            snapshots: self.snapshots.load(Ordering::Relaxed),
            snapshot_failures: self.snapshot_failures.load(Ordering::Relaxed),
            last_snapshot_ms: self.last_snapshot_ms.load(Ordering::Relaxed),
        }
    }
}
