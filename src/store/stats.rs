//! Counters the engine keeps for metrics and benchmarks (lock-free, read at any time).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (bytes) of the buckets of [`StatsSnapshot::wal_batches`]: powers of 4 from
/// 256 B to 16 MiB (the writer closes a batch once it passes 16 MiB); one more bucket counts
/// the larger ones.
pub const BATCH_BYTES_BOUNDS: [u64; 9] = [
    256,
    1 << 10,
    4 << 10,
    16 << 10,
    64 << 10,
    256 << 10,
    1 << 20,
    4 << 20,
    16 << 20,
];

/// Engine counters.
#[derive(Debug, Default)]
pub struct EngineStats {
    wal_bytes: AtomicU64,
    wal_records: AtomicU64,
    batches: [AtomicU64; BATCH_BYTES_BOUNDS.len() + 1],
    segments_rolled: AtomicU64,
    fsyncs: AtomicU64,
    fsync_nanos: AtomicU64,
    fsync_max_nanos: AtomicU64,
    snapshots: AtomicU64,
    snapshot_failures: AtomicU64,
    last_snapshot_ms: AtomicI64,
    tailed: AtomicU64,
    reloads: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatsSnapshot {
    /// Frame bytes appended to the WAL since open.
    pub wal_bytes_appended: u64,
    /// Records (one per commit) appended to the WAL since open.
    pub wal_records_appended: u64,
    /// Batches appended to the WAL since open (one write of the commits that were waiting),
    /// by size: `wal_batches[i]` counts those of at most `BATCH_BYTES_BOUNDS[i]` bytes and
    /// more than the bound before; the last, those over every bound. Their sizes add up to
    /// `wal_bytes_appended`.
    pub wal_batches: [u64; BATCH_BYTES_BOUNDS.len() + 1],
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
    /// Commits of other servers applied from a shared log (PostgreSQL backend) since open.
    pub tailed_records: u64,
    /// Times a shared log was trimmed past this server's state and it started over from the
    /// newest stored snapshot (PostgreSQL backend) since open.
    pub log_reloads: u64,
}

impl EngineStats {
    /// Counts one batch of `records` records, `bytes` long, appended to the WAL.
    pub(crate) fn appended(&self, bytes: u64, records: u64) {
        self.wal_bytes.fetch_add(bytes, Ordering::Relaxed);
        self.wal_records.fetch_add(records, Ordering::Relaxed);
        let bucket = BATCH_BYTES_BOUNDS.partition_point(|&bound| bound < bytes);
        self.batches[bucket].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts commits of other servers applied from a shared log.
    pub(crate) fn tailed(&self, records: u64) {
        self.tailed.fetch_add(records, Ordering::Relaxed);
    }

    /// Counts a reload from a stored snapshot taken at `created_ms`.
    pub(crate) fn reloaded(&self, created_ms: i64) {
        self.reloads.fetch_add(1, Ordering::Relaxed);
        self.snapshot_found(created_ms);
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
            wal_records_appended: self.wal_records.load(Ordering::Relaxed),
            wal_batches: std::array::from_fn(|i| self.batches[i].load(Ordering::Relaxed)),
            segments_rolled: self.segments_rolled.load(Ordering::Relaxed),
            fsyncs: self.fsyncs.load(Ordering::Relaxed),
            fsync_nanos: self.fsync_nanos.load(Ordering::Relaxed),
            fsync_max_nanos: self.fsync_max_nanos.load(Ordering::Relaxed),
            snapshots: self.snapshots.load(Ordering::Relaxed),
            snapshot_failures: self.snapshot_failures.load(Ordering::Relaxed),
            last_snapshot_ms: self.last_snapshot_ms.load(Ordering::Relaxed),
            tailed_records: self.tailed.load(Ordering::Relaxed),
            log_reloads: self.reloads.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_land_in_the_bucket_of_their_size() {
        let s = EngineStats::default();
        for (bytes, records) in [
            (1, 1),
            (256, 2),
            (257, 1),
            (16 << 20, 9),
            ((16 << 20) + 1, 3),
        ] {
            s.appended(bytes, records);
        }
        let snap = s.snapshot();
        assert_eq!(snap.wal_batches, [2, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
        assert_eq!(snap.wal_records_appended, 16);
        assert_eq!(snap.wal_bytes_appended, 1 + 256 + 257 + (32 << 20) + 1);
    }
}
