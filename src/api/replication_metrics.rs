//! Continuous replication's figures for `GET /metrics`, read at scrape time from the
//! replicator's status; none when the server does not replicate.

use std::sync::{Arc, OnceLock};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use crate::backup::replicate::ReplicationStatus;

/// Replication figures read at scrape time.
#[derive(Debug)]
pub(super) struct ReplicationCollector(pub(super) Arc<OnceLock<Arc<ReplicationStatus>>>);

impl Collector for ReplicationCollector {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(status) = self.0.get() else {
            return Ok(());
        };
        let r = status.report();
        let last_success = r
            .last_success_at
            .map_or(0.0, |t| t.timestamp_millis() as f64 / 1000.0);
        let floats: [(&str, &str, f64); 3] = [
            (
                "replication_lag_seconds",
                "Age of the oldest commit not in the backup location yet (0 when caught up)",
                r.lag_seconds,
            ),
            (
                "replication_last_success_timestamp_seconds",
                "When a WAL piece or a snapshot last reached the backup location (0: never since the start)",
                last_success,
            ),
            (
                "replication_up",
                "1 while the last attempt to reach the backup location succeeded, else 0",
                if r.status == "ok" { 1.0 } else { 0.0 },
            ),
        ];
        for (name, help, v) in floats {
            let g = ConstGauge::new(v);
            g.encode(enc.encode_descriptor(name, help, None, g.metric_type())?)?;
        }
        let gauges: [(&str, &str, i64); 2] = [
            (
                "replication_replicated_seq",
                "Every commit up to this seq is in the backup location",
                r.replicated_seq as i64,
            ),
            (
                "replication_pending_commits",
                "Commits not in the backup location yet",
                r.commit_seq.saturating_sub(r.replicated_seq) as i64,
            ),
        ];
        for (name, help, v) in gauges {
            let g = ConstGauge::new(v);
            g.encode(enc.encode_descriptor(name, help, None, g.metric_type())?)?;
        }
        let counters: [(&str, &str, u64); 4] = [
            (
                "replication_errors",
                "Failed attempts to reach the backup location (each is retried with backoff)",
                r.errors_total,
            ),
            (
                "replication_pieces",
                "WAL pieces shipped to the backup location",
                r.pieces_total,
            ),
            (
                "replication_bytes",
                "Bytes of WAL pieces shipped to the backup location",
                r.bytes_total,
            ),
            (
                "replication_snapshots",
                "Snapshots shipped to the backup location",
                r.snapshots_total,
            ),
        ];
        for (name, help, v) in counters {
            let c = ConstCounter::new(v);
            c.encode(enc.encode_descriptor(name, help, None, c.metric_type())?)?;
        }
        Ok(())
    }
}
