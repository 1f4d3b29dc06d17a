//! The durable log the commit thread appends to: the embedded WAL ([`crate::store::wal::log`])
//! or a PostgreSQL table ([`crate::store::pg`]). The commit thread, the state machine and every
//! domain are the same over both; only where commits are ordered and made durable differs.
//!
//! A log shared by several servers hands the commit thread the commits the others appended
//! ([`Log::begin`], [`Log::idle`]) so its state is a replica of the log's head before a batch
//! runs; a log of one process (the WAL) never has any. A server that fell behind a shared
//! log's trim floor cannot catch up commit by commit: the log says so
//! ([`StoreError::LogTrimmed`]) and the commit thread starts over from the newest stored
//! snapshot plus the log after it ([`Log::reload`]).

use std::time::Duration;

use crate::store::command::Record;
use crate::store::error::{Result, StoreError};
use crate::store::state::State;

/// Commits read from the log, oldest first, each with its encoded size (frame bytes).
pub type Tail = Vec<(Record, usize)>;

/// A state to start over from ([`Log::reload`]): the newest stored snapshot and the log after
/// it, read by a server the log was trimmed past.
pub struct Reload {
    /// The snapshot's state (its seq is the snapshot's commit_seq).
    pub state: State,
    /// The seq the log continues at after the snapshot (above `state.seq + 1` after a
    /// restore's jump).
    pub next_seq: u64,
    /// The snapshot's id (`None`: the log was never trimmed below seq 1: an empty state).
    pub snapshot_id: Option<String>,
    /// When the snapshot was taken (ms since the epoch; 0: none).
    pub created_ms: i64,
    /// The first commit the log still holds: watchers positioned below it cannot be served.
    pub oldest_available: u64,
    /// The commits after the snapshot, up to the log's head as of the read.
    pub tail: Tail,
}

/// Where the commit thread makes commits durable.
pub trait Log: Send {
    /// Before a batch runs: the commits appended by others after `applied` (the seq the
    /// commit thread's state is at), up to the log's head. With `write`, the log is then held
    /// for this batch until [`Log::append`] or [`Log::release`]: nobody else appends meanwhile,
    /// so the batch's commits get the seqs after that head.
    ///
    /// # Errors
    /// The log cannot be reached; nothing is held.
    fn begin(&mut self, applied: u64, write: bool) -> Result<Tail>;

    /// Appends one batch of frames (one per commit, dense seqs following the head) and makes
    /// them durable before returning. Ends what [`Log::begin`] held.
    ///
    /// # Errors
    /// The batch is not in the log (for a shared log, an outcome that could not be told is
    /// reported as such; its commits may appear later through [`Log::idle`]).
    fn append(&mut self, frames: &[u8], records: usize) -> Result<()>;

    /// Ends a batch begun with `write` that appends nothing.
    fn release(&mut self);

    /// How long the commit thread may wait for requests before calling [`Log::idle`].
    fn idle_wait(&self) -> Duration;

    /// Called when the commit thread waited [`Log::idle_wait`] or was woken by
    /// `Request::Tail`: deferred syncs, and the commits others appended after `applied`.
    ///
    /// # Errors
    /// A failed sync or read.
    fn idle(&mut self, applied: u64) -> Result<Tail>;

    /// Makes everything appended durable before shutdown.
    ///
    /// # Errors
    /// The final sync failed.
    fn close(&mut self) -> Result<()>;

    /// After [`Log::begin`] or [`Log::idle`] failed with [`StoreError::LogTrimmed`] (nothing is
    /// held then): the newest stored snapshot and the log after it. Later catch-ups start
    /// after the snapshot.
    ///
    /// # Errors
    /// The log cannot be read; a log of one process never reloads.
    fn reload(&mut self) -> Result<Reload> {
        Err(StoreError::Backend(
            "this log cannot reload a snapshot".into(),
        ))
    }

    /// Whether a failed append or sync leaves the log unusable (the engine is poisoned and
    /// refuses writes until restarted), or fails only that batch (a shared log whose
    /// transaction rolled back).
    fn failures_poison(&self) -> bool;
}
