//! The commit thread's catch-up on a shared log: the commits other servers appended, applied
//! and published before a batch ([`Writer::begin`]) or when idle ([`Writer::idle`]); and, when
//! the log was trimmed past this server's state, the reload from the newest stored snapshot
//! ([`Writer::reload`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::warn;

use super::{Writer, error_chain, read, write};
use crate::store::error::{Result, StoreError};
use crate::store::log::{Reload, Tail};
use crate::store::state::State;

/// First and longest wait before a failed reload is tried again.
const RELOAD_BACKOFF: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(60));

/// When a failed reload may be tried again, and the wait that led there.
#[derive(Debug, Default)]
pub(crate) struct ReloadBackoff {
    retry_at: Option<Instant>,
    wait: Duration,
}

impl Writer {
    /// Deferred work when no request came: a deferred sync, or the commits others appended
    /// to a shared log.
    pub(super) fn idle(&mut self) {
        let applied = read(&self.shared.state).seq;
        let res = match self.log.idle(applied) {
            Ok(tail) if tail.is_empty() => Ok(()),
            Ok(tail) => {
                let mut working: State = (**read(&self.shared.state)).clone();
                self.apply_tail(&mut working, tail);
                Ok(())
            }
            Err(StoreError::LogTrimmed { next, floor }) => {
                let mut working: State = (**read(&self.shared.state)).clone();
                self.reload(&mut working, next, floor)
            }
            Err(e) => Err(e),
        };
        match res {
            Ok(()) => {}
            // A reload that failed waits for its backoff; its failure was logged.
            Err(StoreError::LogTrimmed { .. }) => {}
            Err(e) if self.log.failures_poison() => self.poison(&e),
            Err(e) => warn!(error = %error_chain(&e), "reading the shared log failed; will retry"),
        }
    }

    /// Brings `working` to the log's head before a batch ([`Log::begin`]; held for the batch
    /// with `write`): the commits others appended are applied and published; a log trimmed
    /// past `working` is reloaded first ([`Writer::reload`]).
    pub(super) fn begin(&mut self, working: &mut State, write: bool) -> Result<()> {
        match self.log.begin(working.seq, write) {
            Ok(tail) => {
                self.apply_tail(working, tail);
                Ok(())
            }
            Err(StoreError::LogTrimmed { next, floor }) => {
                // Nothing is held: the snapshot is fetched without the counter row.
                self.reload(working, next, floor)?;
                let tail = self.log.begin(working.seq, write)?;
                self.apply_tail(working, tail);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// The shared log was trimmed past this server's state (it fell behind while others
    /// wrote, snapshotted and trimmed): starts over from the newest stored snapshot plus the
    /// log after it, as a server starting would. The state is swapped under the watch hub's
    /// lock, which ends every live subscriber with `compacted` (the commits between its
    /// position and the snapshot are gone) and forgets its ring; the log's commits after the
    /// snapshot are then published like any tail, so nothing is delivered twice or skipped.
    ///
    /// A reload that fails (no stored snapshot reaches the floor, one that does not verify, the
    /// database unreachable) is tried again after 1 s, doubling to 1 min: until then this
    /// answers [`StoreError::LogTrimmed`] at once, so neither idle ticks nor writes fetch the
    /// snapshot again and again.
    fn reload(&mut self, working: &mut State, next: u64, floor: u64) -> Result<()> {
        let from = working.seq;
        let now = Instant::now();
        if self.reload_backoff.retry_at.is_some_and(|at| now < at) {
            return Err(StoreError::LogTrimmed { next, floor });
        }
        let reload = match self.log.reload() {
            Ok(r) => r,
            Err(e) => {
                let b = &mut self.reload_backoff;
                b.wait = (b.wait * 2).clamp(RELOAD_BACKOFF.0, RELOAD_BACKOFF.1);
                b.retry_at = Some(now + b.wait);
                warn!(
                    error = %error_chain(&e),
                    retry_in_ms = b.wait.as_millis() as u64,
                    "reloading from the newest stored snapshot failed; this server serves no writes until it succeeds"
                );
                return Err(e);
            }
        };
        self.reload_backoff = ReloadBackoff::default();
        let Reload {
            state,
            next_seq,
            snapshot_id,
            created_ms,
            oldest_available,
            tail,
        } = reload;
        warn!(
            from_seq = from,
            needed = next,
            log_floor = floor,
            snapshot = snapshot_id.as_deref().unwrap_or("none"),
            snapshot_seq = state.seq,
            tail = tail.len(),
            "the shared log was trimmed past this server's state; reloaded from the newest stored snapshot"
        );
        self.next_seq = next_seq.max(state.seq + 1);
        self.last_ts = self.last_ts.max(state.ts);
        self.shared.stats.reloaded(created_ms);
        let published = Arc::new(state.clone());
        let shared_state = &self.shared.state;
        let mut previous = None;
        self.shared
            .hub
            .reset(state.seq, self.next_seq, oldest_available, || {
                previous = Some(std::mem::replace(&mut *write(shared_state), published));
            });
        drop(previous);
        *working = state;
        self.apply_tail(working, tail);
        Ok(())
    }

    /// Applies commits others appended to `working` and publishes the result (they are in
    /// the log already: durable and ordered).
    pub(super) fn apply_tail(&mut self, working: &mut State, tail: Tail) {
        if tail.is_empty() {
            return;
        }
        let mut events = Vec::with_capacity(tail.len());
        for (record, size) in tail {
            working.apply(&record, &self.policy);
            self.next_seq = record.seq + 1;
            self.last_ts = self.last_ts.max(record.ts);
            events.push((Arc::new(record), size));
        }
        self.shared.stats.tailed(events.len() as u64);
        let state = &self.shared.state;
        let mut previous = None;
        let published = Arc::new(working.clone());
        self.shared.hub.publish(events, || {
            previous = Some(std::mem::replace(&mut *write(state), published));
        });
        drop(previous);
    }
}
