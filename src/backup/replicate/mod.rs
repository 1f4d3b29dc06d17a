//! Continuous replication: a background task that ships every committed WAL frame to a backup
//! location as WAL pieces of a generation, within a bounded time, and the snapshots the
//! server takes.
//!
//! - **Never in the commit path.** The replicator reads committed frames from the WAL files
//!   ([`tail`]), up to the engine's published seq, byte for byte; commits never wait for it,
//!   and a dead bucket never refuses a write.
//! - **Batched by time.** Every `interval` (default 200 ms) what was committed since the last
//!   piece goes up as one piece (at most `max_piece_bytes`; more go up at once in several). A
//!   piece is a WAL segment file of its own: the 64-byte header (its first seq, key id) then
//!   the frames as on disk, so sealed frames stay sealed and a restore can put pieces in `wal/`.
//! - **Unshipped WAL is held.** Trims (the automatic retention's too) keep every segment
//!   holding a seq not shipped yet ([`crate::store::Engine::hold_wal_from`]). An offline
//!   `trim-wal` can still remove them: the next start sees the gap and starts a new
//!   generation from a fresh snapshot, as it does for any gap.
//! - **Failures retried.** A failed upload is retried with capped exponential backoff (from
//!   `backoff_min` to `backoff_max`), with the same seq range first (so a piece whose manifest
//!   went up but whose answer was lost is found, not duplicated), and reported in
//!   [`ReplicationStatus`] (`/health`, `/metrics`).
//! - **Generations follow the lineage** ([`crate::store::lineage`], see [`line`]): a data
//!   directory continues its lineage's newest generation only if its log still holds the next
//!   seq and reaches it; otherwise (first replication, a restore, a gap) it takes a snapshot,
//!   starts a generation that names its parent `{generation, seq}`, uploads the snapshot, then
//!   ships pieces from the snapshot's `next_seq`.

pub mod line;
mod status;
pub mod tail;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::{info, warn};

pub use status::{ReplicationError, ReplicationReport, ReplicationStatus};

use self::tail::{Chunk, TailError, WalTail};
use crate::backup::{BackupError, PieceData, Target, UploadInfo};
use crate::store::error::StoreError;
use crate::store::{Engine, lineage};

/// How replication runs.
#[derive(Debug, Clone)]
pub struct ReplicateOptions {
    /// How often what was committed goes up (the lag is about this plus an upload).
    pub interval: Duration,
    /// Largest piece.
    pub max_piece_bytes: usize,
    /// First wait after a failure.
    pub backoff_min: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
}

impl Default for ReplicateOptions {
    fn default() -> Self {
        ReplicateOptions {
            interval: Duration::from_millis(200),
            max_piece_bytes: 16 * 1024 * 1024,
            backoff_min: Duration::from_millis(250),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// Why an attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplError {
    /// The location.
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// The local data directory.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The local log does not continue where the generation is.
    #[error(transparent)]
    Tail(#[from] TailError),
    /// Anything else local.
    #[error("{0}")]
    Local(String),
}

/// A running replicator.
pub struct Replication {
    status: Arc<ReplicationStatus>,
    stop: watch::Sender<bool>,
    snapshots: mpsc::UnboundedSender<String>,
    task: JoinHandle<()>,
    snapshot_task: JoinHandle<()>,
}

impl Replication {
    /// Starts replicating `engine`'s data directory to `target` (on the current tokio
    /// runtime). Returns at once; the generation is opened in the background.
    pub fn start(engine: Engine, target: Target, options: ReplicateOptions) -> Replication {
        let status = Arc::new(ReplicationStatus::new(
            target.location().to_string(),
            engine.clone(),
        ));
        let (stop, stop_rx) = watch::channel(false);
        let (snap_tx, snap_rx) = mpsc::unbounded_channel();
        let shipper = Shipper {
            engine: engine.clone(),
            target: target.clone(),
            status: status.clone(),
            options: options.clone(),
            stop: stop_rx.clone(),
        };
        let task = tokio::spawn(shipper.run());
        let snapshot_task = tokio::spawn(ship_snapshots(
            engine,
            target,
            status.clone(),
            options,
            snap_rx,
            stop_rx,
        ));
        Replication {
            status,
            stop,
            snapshots: snap_tx,
            task,
            snapshot_task,
        }
    }

    /// Where it stands.
    pub fn status(&self) -> &Arc<ReplicationStatus> {
        &self.status
    }

    /// A handle that ships the server's snapshots.
    pub fn snapshot_shipper(&self) -> SnapshotShipper {
        SnapshotShipper(self.snapshots.clone())
    }

    /// Stops: one last flush of what is committed (bounded by `final_flush`: the bucket may be
    /// down), then the tasks end.
    pub async fn stop(self, final_flush: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(final_flush, &mut task).await.is_err() {
            warn!(timeout = ?final_flush, "replication could not ship the last commits before the server stopped");
            task.abort();
        }
        self.snapshot_task.abort();
        let _ = self.snapshot_task.await;
    }
}

/// Ships snapshots of the data directory to the replication's location.
#[derive(Debug, Clone)]
pub struct SnapshotShipper(mpsc::UnboundedSender<String>);

impl SnapshotShipper {
    /// Ships the snapshot `snapshot_id` (in the background, tagged with the generation, with
    /// retries; one the retention removed meanwhile is skipped).
    pub fn ship(&self, snapshot_id: &str) {
        let _ = self.0.send(snapshot_id.to_owned());
    }
}

struct Shipper {
    engine: Engine,
    target: Target,
    status: Arc<ReplicationStatus>,
    options: ReplicateOptions,
    stop: watch::Receiver<bool>,
}

/// A piece cut and not shipped yet: retried as is until it is in the location.
struct Pending {
    chunk: Chunk,
    bytes: Bytes,
    /// When it was cut (engine clock, ms): what was committed later waits for the next one.
    cut_ms: i64,
}

impl Shipper {
    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// Waits `d` or until the server stops; true when it stops.
    async fn wait(&self, d: Duration) -> bool {
        // `wait_for` answers at once once stopped: the caller's next round is the last.
        let mut stop = self.stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => self.stopping(),
            _ = stop.wait_for(|s| *s) => true,
        }
    }

    fn backoff(&self, failures: u32) -> Duration {
        let exp = self
            .options
            .backoff_min
            .saturating_mul(1u32 << failures.min(16));
        exp.min(self.options.backoff_max)
    }

    async fn run(self) {
        let mut failures = 0u32;
        let mut lost = None;
        'open: loop {
            let dir = self.engine.dir().clone();
            let lineage = match tokio::task::spawn_blocking(move || lineage::ensure(&dir)).await {
                Ok(Ok(l)) => l,
                Ok(Err(e)) => {
                    self.failure(&ReplError::from(e), &mut failures);
                    if self.wait(self.backoff(failures)).await {
                        return;
                    }
                    continue;
                }
                Err(_) => return,
            };
            let pos = match line::open(&self.engine, &self.target, &lineage, lost.take()).await {
                Ok(p) => p,
                Err(e) => {
                    self.failure(&e, &mut failures);
                    if self.wait(self.backoff(failures)).await {
                        return;
                    }
                    continue;
                }
            };
            failures = 0;
            let generation = pos.generation.generation.clone();
            self.status.opened(&generation, pos.next_seq - 1);
            let mut tail = Some(WalTail::new(&self.engine.dir().wal(), pos.next_seq));
            let mut pending: Option<Pending> = None;
            // A piece is cut once per interval, or at once after a full one.
            let mut last_cut: Option<Instant> = None;
            let mut full = false;
            loop {
                if pending.is_none() && !full {
                    let since = last_cut.map_or(self.options.interval, |t| t.elapsed());
                    if let Some(rest) = self.options.interval.checked_sub(since) {
                        self.wait(rest).await;
                    }
                }
                // Once the server stops, one more round ships what was committed meanwhile.
                let stopping = self.stopping();
                if pending.is_none() {
                    last_cut = Some(Instant::now());
                    let cut_ms = self.engine.now_ms();
                    let upto = self.engine.view().seq;
                    let Some(mut t) = tail.take() else { return };
                    let max = self.options.max_piece_bytes;
                    let Ok((t, read)) = tokio::task::spawn_blocking(move || {
                        let r = t.read(upto, max);
                        (t, r)
                    })
                    .await
                    else {
                        return;
                    };
                    tail = Some(t);
                    match read {
                        Ok(Some(chunk)) => {
                            full = chunk.frames.len() >= self.options.max_piece_bytes;
                            self.status.unshipped_since(chunk.first_ts_ms);
                            let bytes = chunk.to_segment(cut_ms).into();
                            pending = Some(Pending {
                                chunk,
                                bytes,
                                cut_ms,
                            });
                        }
                        Ok(None) => full = false,
                        Err(TailError::Gap { expected, why }) => {
                            let why =
                                format!("the local WAL does not continue at seq {expected}: {why}");
                            warn!(generation = %generation, "{why}; starting a new generation");
                            lost = Some((generation.clone(), expected - 1, why));
                            continue 'open;
                        }
                        Err(e) => {
                            self.failure(&e.into(), &mut failures);
                            if stopping {
                                return;
                            }
                            self.wait(self.backoff(failures)).await;
                            continue;
                        }
                    }
                }
                let Some(p) = &pending else {
                    if stopping {
                        return;
                    }
                    continue;
                };
                let c = &p.chunk;
                let up = self
                    .target
                    .upload_wal_piece(
                        &generation,
                        c.first_seq,
                        c.last_seq,
                        (c.key_id != 0).then_some(c.key_id),
                        PieceData::Bytes(p.bytes.clone()),
                    )
                    .await;
                match up {
                    // Already there: an earlier attempt went up but its answer was lost.
                    Ok(_) | Err(BackupError::AlreadyExists { .. }) => {
                        failures = 0;
                        let last = c.last_seq;
                        let size = p.bytes.len() as u64;
                        let cut_ms = p.cut_ms;
                        pending = None;
                        self.engine.hold_wal_from(Some(last + 1));
                        let more = self.engine.view().seq > last;
                        self.status.shipped(last, size, more.then_some(cut_ms));
                        if !more && stopping {
                            return;
                        }
                    }
                    // The generation is gone from the location (deleted, or a store that
                    // lost its data): start again, from a fresh snapshot.
                    Err(e @ BackupError::NotFound { .. }) => {
                        self.failure(&e.into(), &mut failures);
                        warn!(generation = %generation, "the generation is gone from the location; starting a new one");
                        continue 'open;
                    }
                    Err(e) => {
                        self.failure(&e.into(), &mut failures);
                        if stopping {
                            return;
                        }
                        self.wait(self.backoff(failures)).await;
                    }
                }
            }
        }
    }

    fn failure(&self, e: &ReplError, failures: &mut u32) {
        *failures = failures.saturating_add(1);
        let message = e.to_string();
        warn!(error = %message, retry_in = ?self.backoff(*failures), "replication failed; will retry");
        self.status.failed(message);
    }
}

/// Uploads the snapshots sent on `rx`, tagged with the generation being shipped.
async fn ship_snapshots(
    engine: Engine,
    target: Target,
    status: Arc<ReplicationStatus>,
    options: ReplicateOptions,
    mut rx: mpsc::UnboundedReceiver<String>,
    mut stop: watch::Receiver<bool>,
) {
    while let Some(id) = rx.recv().await {
        let mut wait = options.backoff_min;
        loop {
            let Ok(path) = crate::store::snapshot::find_snapshot(&engine.dir().snapshots(), &id)
            else {
                info!(snapshot = %id, "snapshot removed before it was shipped; skipped");
                break;
            };
            let info = UploadInfo {
                generation: status.report().generation,
                ..Default::default()
            };
            match target.upload_snapshot(&path, info).await {
                Ok(_) | Err(BackupError::AlreadyExists { .. }) => {
                    status.snapshot_shipped();
                    break;
                }
                Err(e) => {
                    let message = e.to_string();
                    warn!(snapshot = %id, error = %message, "shipping a snapshot failed; will retry");
                    status.failed_aside(message);
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            wait = (wait * 2).min(options.backoff_max);
        }
    }
}
