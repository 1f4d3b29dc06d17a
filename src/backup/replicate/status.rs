//! Where replication stands, shared between the replicator, `/health` and `/metrics`.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::watch;

use crate::store::Engine;

/// What `/health` shows under `replication`, and what the metrics read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplicationReport {
    /// `starting` (no generation opened yet), `ok` (the last attempt succeeded) or `failing`
    /// (the last attempt failed: retried with backoff).
    pub status: &'static str,
    /// The backup location (no credentials).
    pub url: String,
    /// The generation WAL is shipped to.
    pub generation: Option<String>,
    /// Every commit up to this seq is in the location.
    pub replicated_seq: u64,
    /// The latest local commit.
    pub commit_seq: u64,
    /// Age of the oldest commit not in the location yet (0 when caught up).
    pub lag_seconds: f64,
    /// When a piece or a snapshot last reached the location.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last error, if any attempt failed since the start.
    pub last_error: Option<ReplicationError>,
    /// Failed attempts since the start.
    pub errors_total: u64,
    /// WAL pieces shipped since the start.
    pub pieces_total: u64,
    /// Bytes of WAL pieces shipped since the start.
    pub bytes_total: u64,
    /// Snapshots shipped since the start.
    pub snapshots_total: u64,
}

/// A failed attempt.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplicationError {
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// What failed (the object's URL and why; never credentials).
    pub message: String,
}

#[derive(Debug, Default)]
struct Inner {
    generation: Option<String>,
    replicated_seq: u64,
    /// Commit time (ms) of the oldest commit known not to be shipped; `None`: caught up as
    /// far as the replicator knows.
    unshipped_since_ms: Option<i64>,
    failing: bool,
    last_success_at: Option<DateTime<Utc>>,
    last_error: Option<ReplicationError>,
    errors_total: u64,
    pieces_total: u64,
    bytes_total: u64,
    snapshots_total: u64,
}

/// Where replication stands.
#[derive(Debug)]
pub struct ReplicationStatus {
    url: String,
    engine: Engine,
    inner: Mutex<Inner>,
    shipped: watch::Sender<u64>,
}

impl ReplicationStatus {
    pub(super) fn new(url: String, engine: Engine) -> ReplicationStatus {
        ReplicationStatus {
            url,
            engine,
            inner: Mutex::default(),
            shipped: watch::channel(0).0,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The report, read now.
    pub fn report(&self) -> ReplicationReport {
        let commit_seq = self.engine.view().seq;
        let i = self.lock();
        let lag_seconds = match i.unshipped_since_ms {
            Some(ms) if commit_seq > i.replicated_seq => {
                (self.engine.now_ms() - ms).max(0) as f64 / 1000.0
            }
            _ => 0.0,
        };
        ReplicationReport {
            status: if i.generation.is_none() && !i.failing {
                "starting"
            } else if i.failing {
                "failing"
            } else {
                "ok"
            },
            url: self.url.clone(),
            generation: i.generation.clone(),
            replicated_seq: i.replicated_seq,
            commit_seq,
            lag_seconds,
            last_success_at: i.last_success_at,
            last_error: i.last_error.clone(),
            errors_total: i.errors_total,
            pieces_total: i.pieces_total,
            bytes_total: i.bytes_total,
            snapshots_total: i.snapshots_total,
        }
    }

    /// Follows the replicated seq (every commit up to it is in the location).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.shipped.subscribe()
    }

    pub(super) fn opened(&self, generation: &str, replicated_seq: u64) {
        let mut i = self.lock();
        i.generation = Some(generation.to_owned());
        i.replicated_seq = replicated_seq;
        i.failing = false;
        drop(i);
        self.shipped.send_replace(replicated_seq);
    }

    /// The oldest commit not shipped was committed at `ms` (kept if an older one is known).
    pub(super) fn unshipped_since(&self, ms: i64) {
        let mut i = self.lock();
        if i.unshipped_since_ms.is_none_or(|old| ms < old) {
            i.unshipped_since_ms = Some(ms);
        }
    }

    /// A piece of `bytes` reached the location: everything up to `seq` is there; the oldest
    /// commit still waiting was committed at `next_since_ms` (`None`: none known).
    pub(super) fn shipped(&self, seq: u64, bytes: u64, next_since_ms: Option<i64>) {
        let mut i = self.lock();
        i.replicated_seq = seq;
        i.unshipped_since_ms = next_since_ms;
        i.failing = false;
        i.last_success_at = Some(Utc::now());
        i.pieces_total += 1;
        i.bytes_total += bytes;
        drop(i);
        self.shipped.send_replace(seq);
    }

    pub(super) fn snapshot_shipped(&self) {
        let mut i = self.lock();
        i.snapshots_total += 1;
        i.last_success_at = Some(Utc::now());
    }

    pub(super) fn failed(&self, message: String) {
        let mut i = self.lock();
        i.failing = true;
        i.errors_total += 1;
        i.last_error = Some(ReplicationError {
            at: Utc::now(),
            message,
        });
    }

    /// A failure that does not stop WAL shipping (a snapshot upload): counted and shown, the
    /// status stays what the WAL's last attempt made it.
    pub(super) fn failed_aside(&self, message: String) {
        let mut i = self.lock();
        i.errors_total += 1;
        i.last_error = Some(ReplicationError {
            at: Utc::now(),
            message,
        });
    }
}
