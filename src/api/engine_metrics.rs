//! The engine's figures for `GET /metrics`, read at scrape time: commit_seq, whether writes
//! are refused (poisoned), WAL records, bytes, batches and segments, fsyncs, bytes on disk,
//! snapshot outcomes and process memory.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use crate::store::Engine;
use crate::store::stats::{BATCH_BYTES_BOUNDS, StatsSnapshot};

/// `kind` label (`wal` or `snapshots`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Kind {
    kind: &'static str,
}

/// Engine figures read at scrape time.
#[derive(Debug)]
pub(super) struct EngineCollector(pub(super) Engine);

impl Collector for EngineCollector {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let e = &self.0;
        let stats = e.stats();
        let segments = e.wal_segments().unwrap_or_default();
        let wal_bytes: u64 = segments.iter().map(|s| s.size).sum();
        let gauges: [(&str, &str, i64); 7] = [
            (
                "engine_poisoned",
                "1 while writes are refused after a failed WAL write or sync (until restart; /health answers 503), else 0",
                i64::from(e.poisoned().is_some()),
            ),
            ("commit_seq", "The latest commit_seq", e.view().seq as i64),
            ("wal_segments", "WAL segment files", segments.len() as i64),
            (
                "wal_active_segments",
                "WAL segment files (AgentState's name for wal_segments)",
                segments.len() as i64,
            ),
            (
                "wal_size_bytes",
                "Bytes of WAL segment files on disk (preallocated space included)",
                wal_bytes as i64,
            ),
            (
                "watch_backlog_events",
                "Events queued for live watchers, all watchers together",
                e.watch_backlog() as i64,
            ),
            (
                "process_resident_memory_bytes",
                "Resident memory of the server process (0 where /proc is not available)",
                resident_bytes() as i64,
            ),
        ];
        for (name, help, v) in gauges {
            let g = ConstGauge::new(v);
            g.encode(enc.encode_descriptor(name, help, None, g.metric_type())?)?;
        }
        let counters: [(&str, &str, u64); 4] = [
            (
                "wal_appended_bytes",
                "Frame bytes appended to the WAL since start",
                stats.wal_bytes_appended,
            ),
            (
                "wal_bytes",
                "Frame bytes appended to the WAL since start (AgentState's name for wal_appended_bytes)",
                stats.wal_bytes_appended,
            ),
            (
                "wal_records",
                "Records appended to the WAL since start (one per commit)",
                stats.wal_records_appended,
            ),
            ("wal_fsync", "fdatasync calls since start", stats.fsyncs),
        ];
        for (name, help, v) in counters {
            let c = ConstCounter::new(v);
            c.encode(enc.encode_descriptor(name, help, None, c.metric_type())?)?;
        }
        let secs = ConstCounter::new(stats.fsync_nanos as f64 / 1e9);
        secs.encode(enc.encode_descriptor(
            "wal_fsync_seconds",
            "Time spent in fdatasync since start",
            None,
            secs.metric_type(),
        )?)?;
        let max = ConstGauge::new(stats.fsync_max_nanos as f64 / 1e9);
        max.encode(enc.encode_descriptor(
            "wal_fsync_max_seconds",
            "Longest fdatasync since start",
            None,
            max.metric_type(),
        )?)?;
        encode_batches(&mut enc, &stats)?;
        let mut storage = enc.encode_descriptor(
            "storage_bytes_total",
            "Bytes of files on disk by kind: WAL segments (preallocated space included), snapshots",
            None,
            MetricType::Gauge,
        )?;
        let snapshot_bytes = e.snapshot_dir_bytes();
        for (kind, bytes) in [("wal", wal_bytes), ("snapshots", snapshot_bytes)] {
            ConstGauge::new(bytes as i64).encode(storage.encode_family(&Kind { kind })?)?;
        }
        encode_snapshot_figures(&stats, &mut enc)
    }
}

/// `wal_batch_bytes`: the size of each batch of commits written to the WAL at once.
fn encode_batches(enc: &mut DescriptorEncoder, stats: &StatsSnapshot) -> std::fmt::Result {
    let bounds = BATCH_BYTES_BOUNDS
        .iter()
        .map(|&b| b as f64)
        .chain([f64::INFINITY]);
    let buckets: Vec<(f64, u64)> = bounds.zip(stats.wal_batches).collect();
    let count = stats.wal_batches.iter().sum();
    enc.encode_descriptor(
        "wal_batch_bytes",
        "Bytes of each batch of commits written to the WAL at once (one write, one fdatasync under durability always)",
        None,
        MetricType::Histogram,
    )?
    .encode_histogram::<NoLabelSet>(stats.wal_bytes_appended as f64, count, &buckets, None)
}

/// Snapshot outcomes, automatic and by hand (a failure is a snapshot not written or not
/// verified when read back), and when the newest snapshot that verified was taken: from the
/// snapshot recovery started from until one is taken (0 when there is none), so that an alert
/// on its age works from the first scrape.
fn encode_snapshot_figures(
    stats: &crate::store::stats::StatsSnapshot,
    enc: &mut DescriptorEncoder,
) -> Result<(), std::fmt::Error> {
    let failures = ConstCounter::new(stats.snapshot_failures);
    failures.encode(enc.encode_descriptor(
        "snapshot_failures",
        "Snapshots that failed (not written, or not verified when read back) since start",
        None,
        failures.metric_type(),
    )?)?;
    let taken = ConstCounter::new(stats.snapshots);
    taken.encode(enc.encode_descriptor(
        "snapshots_taken",
        "Snapshots written and verified since start",
        None,
        taken.metric_type(),
    )?)?;
    let reloads = ConstCounter::new(stats.log_reloads);
    reloads.encode(enc.encode_descriptor(
        "log_reloads",
        "Times the shared log (PostgreSQL) was trimmed past this server's state and it reloaded from the newest stored snapshot, since start",
        None,
        reloads.metric_type(),
    )?)?;
    let last = ConstGauge::new(stats.last_snapshot_ms as f64 / 1e3);
    last.encode(enc.encode_descriptor(
        "last_snapshot_success_timestamp_seconds",
        "When the newest snapshot that verified was taken (Unix time; 0: none)",
        None,
        last.metric_type(),
    )?)?;
    Ok(())
}

/// Resident memory of this process, from `VmRSS` in `/proc/self/status` (0 when unavailable).
pub fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
