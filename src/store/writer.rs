//! The commit thread: the only code that appends to the WAL and changes state.
//!
//! It takes whatever requests are waiting (group commit), runs each transaction against the
//! working state, encodes the resulting records into one buffer, makes one write and one
//! `fdatasync` (records sealed first when a key is configured), and only then swaps the new state in, publishes to watchers and answers the
//! callers. A failed write or sync poisons the engine: those commits fail, later ones are refused,
//! the visible state never includes them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tracing::error;

use crate::store::command::{Op, Record};
use crate::store::crypto::record::RecordEncoder;
use crate::store::error::{Rejection, Result, StoreError};
use crate::store::options::{Clock, Durability};
use crate::store::state::{HistoryPolicy, State};
use crate::store::stats::EngineStats;
use crate::store::wal::active::ActiveSegment;
use crate::store::wal::frame;
use crate::store::watch::WatchHub;

/// A transaction on its way through the commit thread: it runs once against the working
/// state (the ops to log, or a refusal), keeps the value it computed, and hands that value to
/// its caller with the outcome once the outcome is final.
pub trait Pending: Send {
    /// Runs the transaction: the ops of its commit (none: it writes nothing), or a refusal.
    fn run(&mut self, state: &State) -> Result<Vec<Op>, Rejection>;
    /// Answers the caller: `Ok(Some(_))` committed, `Ok(None)` wrote nothing, or the error.
    fn answer(self: Box<Self>, outcome: Result<Option<CommitInfo>>);
}

/// A boxed [`Pending`] transaction.
pub type Txn = Box<dyn Pending>;

/// What a transaction's caller receives: the commit (`None` when it wrote nothing) and the
/// transaction's value.
pub type Answer<T> = Result<(Option<CommitInfo>, T)>;

/// A typed transaction and the channel its answer goes back on.
struct Typed<F, T> {
    txn: Option<F>,
    value: Option<T>,
    reply: oneshot::Sender<Answer<T>>,
}

impl<F, T> Pending for Typed<F, T>
where
    F: FnOnce(&State) -> Result<(Vec<Op>, T), Rejection> + Send,
    T: Send,
{
    fn run(&mut self, state: &State) -> Result<Vec<Op>, Rejection> {
        let txn = self
            .txn
            .take()
            .ok_or_else(|| Rejection::Invalid("a transaction ran twice".into()))?;
        let (ops, value) = txn(state)?;
        self.value = Some(value);
        Ok(ops)
    }

    fn answer(self: Box<Self>, outcome: Result<Option<CommitInfo>>) {
        let Typed { value, reply, .. } = *self;
        let answer = outcome.and_then(|info| match value {
            Some(value) => Ok((info, value)),
            // Only a transaction that ran answers Ok, and running it set its value.
            None => Err(StoreError::Closed),
        });
        let _ = reply.send(answer);
    }
}

/// Boxes `txn` for the commit thread; the receiver gets its [`Answer`].
pub fn transaction<T, F>(txn: F) -> (Txn, oneshot::Receiver<Answer<T>>)
where
    F: FnOnce(&State) -> Result<(Vec<Op>, T), Rejection> + Send + 'static,
    T: Send + 'static,
{
    let (reply, rx) = oneshot::channel();
    let typed = Typed {
        txn: Some(txn),
        value: None,
        reply,
    };
    (Box::new(typed), rx)
}

/// What a successful commit returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitInfo {
    /// The commit's seq.
    pub seq: u64,
    /// Its timestamp (ms since the epoch).
    pub ts: i64,
}

/// Work for the commit thread.
pub enum Request {
    /// Run a transaction and commit its ops.
    Commit(Txn),
    /// Prune history at the current time (not logged).
    Prune,
    /// Sync, answer, and stop.
    Shutdown(std::sync::mpsc::Sender<Result<()>>),
}

/// State shared by the commit thread and readers.
pub struct Shared {
    /// The latest published state.
    pub state: RwLock<Arc<State>>,
    /// Set once a write or sync failed.
    pub poisoned: Mutex<Option<String>>,
    /// Watchers.
    pub hub: Arc<WatchHub>,
    /// The first seq of the segment the commit thread appends to (set when it rolls): what
    /// online trims never remove.
    pub active_first_seq: AtomicU64,
    /// Counters for metrics.
    pub stats: EngineStats,
}

/// Everything the commit thread owns.
pub struct Writer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) segment: ActiveSegment,
    /// Encodes (and seals, with a key) each record; its key id is the segment's.
    pub(crate) encoder: RecordEncoder,
    pub(crate) next_seq: u64,
    pub(crate) last_ts: i64,
    pub(crate) durability: Durability,
    pub(crate) sync_interval: Duration,
    pub(crate) policy: HistoryPolicy,
    pub(crate) clock: Clock,
}

const MAX_BATCH: usize = 4096;

/// How long the commit thread polls for the next request before it sleeps. A writer that
/// commits again as soon as it is answered comes back within tens of microseconds; polling that
/// long spares it the thread wakeup (itself tens of microseconds on a virtual machine), which
/// is most of a commit's cost beyond the fdatasync. The thread stops polling after [`MISSES`]
/// polls in a row found nothing: at a steady thousand commits a second, each a millisecond
/// apart, polling would burn 5% of a core for nothing.
const SPIN: Duration = Duration::from_micros(50);
/// Polls that found nothing, in a row, before the commit thread stops polling.
const MISSES: u32 = 8;

/// Whether the commit thread polls for the next request: while polls keep finding one, or
/// after a wait that ended soon (within a few [`SPIN`]s, its own wakeup included).
#[derive(Debug, Default)]
struct Spinner {
    /// Polls in a row that found nothing.
    misses: u32,
}

impl Spinner {
    fn polling(&self) -> bool {
        self.misses < MISSES
    }

    /// The next request, if one arrives within [`SPIN`] and polling is on.
    fn poll(&mut self, rx: &Receiver<Request>) -> Option<Request> {
        if !self.polling() {
            return None;
        }
        let found = spin_recv(rx);
        self.polled(found.is_some());
        found
    }

    fn polled(&mut self, found: bool) {
        self.misses = if found { 0 } else { self.misses + 1 };
    }

    /// A blocking wait for a request took `waited`.
    fn waited(&mut self, waited: Duration) {
        if waited < 3 * SPIN {
            self.misses = 0;
        }
    }
}

/// The next request if one arrives within [`SPIN`].
fn spin_recv(rx: &Receiver<Request>) -> Option<Request> {
    let start = Instant::now();
    loop {
        match rx.try_recv() {
            Ok(r) => return Some(r),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
        if start.elapsed() >= SPIN {
            return None;
        }
        std::hint::spin_loop();
    }
}
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

impl Writer {
    /// Runs until a shutdown request or until every sender is gone.
    pub fn run(mut self, rx: Receiver<Request>) {
        let mut dirty_since: Option<Instant> = None;
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut spinner = Spinner::default();
        loop {
            let wait = match (self.durability, dirty_since) {
                (Durability::Interval, Some(t)) => self.sync_interval.saturating_sub(t.elapsed()),
                _ => Duration::from_secs(3600),
            };
            let first = match spinner.poll(&rx).map_or_else(
                || {
                    let idle = Instant::now();
                    let r = rx.recv_timeout(wait);
                    spinner.waited(idle.elapsed());
                    r
                },
                Ok,
            ) {
                Ok(r) => r,
                Err(RecvTimeoutError::Timeout) => {
                    if dirty_since.take().is_some() {
                        let _ = self.sync_or_poison();
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = self.final_sync();
                    return;
                }
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(r) => batch.push(r),
                    Err(_) => break,
                }
            }
            let mut shutdown = None;
            self.process(batch, &mut buf, &mut dirty_since, &mut shutdown);
            if let Some(reply) = shutdown {
                let _ = reply.send(self.final_sync());
                return;
            }
        }
    }

    fn process(
        &mut self,
        batch: Vec<Request>,
        buf: &mut Vec<u8>,
        dirty_since: &mut Option<Instant>,
        shutdown: &mut Option<std::sync::mpsc::Sender<Result<()>>>,
    ) {
        let poisoned = self.poison_message();
        let mut working: State = (**read(&self.shared.state)).clone();
        let mut changed = false;
        let mut done: Vec<(Arc<Record>, usize, Txn)> = Vec::new();
        // Transactions that wrote nothing (`None`) or were refused are answered after the batch
        // is published: their answer may rest on an earlier commit of the same batch, which
        // must be durable and visible first.
        let mut settled: Vec<(Txn, Option<Rejection>)> = Vec::new();
        buf.clear();
        let mut rest = batch.into_iter();
        for req in rest.by_ref() {
            match req {
                Request::Commit(mut txn) => {
                    if let Some(msg) = &poisoned {
                        txn.answer(Err(StoreError::Poisoned(msg.clone())));
                        continue;
                    }
                    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        txn.run(&working)
                    }));
                    let Ok(result) = run else {
                        error!("a transaction panicked; it was refused");
                        txn.answer(Err(
                            Rejection::Invalid("the transaction panicked".into()).into()
                        ));
                        continue;
                    };
                    let ops = match result {
                        Ok(ops) if ops.is_empty() => {
                            settled.push((txn, None));
                            continue;
                        }
                        Ok(ops) => ops,
                        Err(rej) => {
                            settled.push((txn, Some(rej)));
                            continue;
                        }
                    };
                    let seq = self.next_seq;
                    let ts = self.clock.now_ms().max(self.last_ts);
                    let start = frame::begin_frame(buf);
                    if let Err(e) = self.encoder.encode_into(seq, ts, &ops, buf) {
                        buf.truncate(start);
                        txn.answer(Err(StoreError::Encoding(e)));
                        continue;
                    }
                    let size = buf.len() - start;
                    if size - frame::FRAME_HEADER_LEN > frame::MAX_FRAME_LEN {
                        buf.truncate(start);
                        txn.answer(Err(Rejection::Invalid(format!(
                            "a commit of {size} bytes exceeds the limit of {} bytes",
                            frame::MAX_FRAME_LEN
                        ))
                        .into()));
                        continue;
                    }
                    frame::finish_frame(buf, start);
                    let record = Record { seq, ts, ops };
                    working.apply(&record, &self.policy);
                    self.next_seq += 1;
                    self.last_ts = ts;
                    done.push((Arc::new(record), size, txn));
                    if buf.len() >= MAX_BATCH_BYTES {
                        break;
                    }
                }
                Request::Prune => {
                    working.prune_history(self.clock.now_ms(), &self.policy);
                    changed = true;
                }
                Request::Shutdown(reply) => {
                    *shutdown = Some(reply);
                    break;
                }
            }
        }
        if !done.is_empty()
            && let Err(e) = self.write_batch(buf, done.len(), dirty_since)
        {
            let msg = error_chain(&e);
            for (_, _, txn) in done {
                txn.answer(Err(StoreError::Poisoned(msg.clone())));
            }
            // Their basis included commits that were not persisted.
            for (txn, _) in settled {
                txn.answer(Err(StoreError::Poisoned(msg.clone())));
            }
            // Nothing of this batch becomes visible; the rest of the queue is refused.
            for req in rest {
                refuse(req, || StoreError::Poisoned(msg.clone()), shutdown);
            }
            return;
        }
        if done.is_empty() && changed {
            *write(&self.shared.state) = Arc::new(working);
        } else if !done.is_empty() {
            let events: Vec<_> = done.iter().map(|(r, size, _)| (r.clone(), *size)).collect();
            let state = &self.shared.state;
            let mut previous = None;
            self.shared.hub.publish(events, || {
                previous = Some(std::mem::replace(&mut *write(state), Arc::new(working)));
            });
            for (rec, _, txn) in done {
                txn.answer(Ok(Some(CommitInfo {
                    seq: rec.seq,
                    ts: rec.ts,
                })));
            }
            // The replaced state's own nodes are freed here, after the answers, not under the
            // hub's lock.
            drop(previous);
        }
        for (txn, refusal) in settled {
            txn.answer(match refusal {
                None => Ok(None),
                Some(rej) => Err(rej.into()),
            });
        }
        // Requests left after an early break (batch size limit or shutdown) go next round.
        let leftover: Vec<Request> = rest.collect();
        if !leftover.is_empty() {
            if shutdown.is_some() {
                for req in leftover {
                    refuse(req, || StoreError::Closed, &mut None);
                }
            } else {
                self.process(leftover, buf, dirty_since, shutdown);
            }
        }
    }

    fn write_batch(
        &mut self,
        buf: &[u8],
        records: usize,
        dirty_since: &mut Option<Instant>,
    ) -> Result<()> {
        if self.segment.is_full() {
            // The first record of this batch starts the new segment.
            let first = Record::peek(&buf[frame::FRAME_HEADER_LEN..])
                .map(|(seq, _)| seq)
                .map_err(StoreError::Encoding)?;
            self.segment.roll(first, self.clock.now_ms())?;
            self.shared.active_first_seq.store(first, Ordering::Release);
            self.shared.stats.segment_rolled();
        }
        let res = self
            .segment
            .append(buf)
            .and_then(|()| match self.durability {
                Durability::Always => self.timed_sync(),
                Durability::Interval => {
                    let since = *dirty_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= self.sync_interval {
                        *dirty_since = None;
                        self.timed_sync()
                    } else {
                        Ok(())
                    }
                }
                Durability::Never => Ok(()),
            });
        match res {
            Ok(()) => {
                self.shared.stats.appended(buf.len() as u64, records as u64);
                Ok(())
            }
            Err(e) => {
                self.poison(&e);
                Err(e)
            }
        }
    }

    fn timed_sync(&mut self) -> Result<()> {
        let t = Instant::now();
        self.segment.sync()?;
        self.shared.stats.synced(t.elapsed());
        Ok(())
    }

    fn sync_or_poison(&mut self) -> Result<()> {
        let res = self.timed_sync();
        if let Err(e) = &res {
            self.poison(e);
        }
        res
    }

    fn final_sync(&mut self) -> Result<()> {
        if self.poison_message().is_some() {
            return Ok(());
        }
        self.sync_or_poison()
    }

    fn poison(&self, e: &StoreError) {
        error!(error = %error_chain(e), "WAL write or sync failed: the engine refuses writes until restarted");
        let mut p = self
            .shared
            .poisoned
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        p.get_or_insert_with(|| error_chain(e));
    }

    fn poison_message(&self) -> Option<String> {
        self.shared
            .poisoned
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn refuse(
    req: Request,
    err: impl Fn() -> StoreError,
    shutdown: &mut Option<std::sync::mpsc::Sender<Result<()>>>,
) {
    match req {
        Request::Commit(txn) => txn.answer(Err(err())),
        Request::Prune => {}
        Request::Shutdown(reply) => *shutdown = Some(reply),
    }
}

/// An error and its sources on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// Read access to the published state, tolerating a poisoned lock (the state is immutable).
pub fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spinner_stops_polling_after_misses_and_resumes_when_requests_come_soon() {
        let mut s = Spinner::default();
        assert!(s.polling());
        // A hit clears earlier misses.
        for _ in 0..MISSES - 1 {
            s.polled(false);
        }
        s.polled(true);
        assert!(s.polling());
        for _ in 0..MISSES - 1 {
            s.polled(false);
        }
        assert!(s.polling(), "one miss short of the limit");
        s.polled(false);
        assert!(!s.polling(), "a steady slow writer is not polled for");
        // A millisecond between requests: still not worth polling.
        s.waited(Duration::from_millis(1));
        assert!(!s.polling());
        // A request that came soon after the thread went to sleep: poll again.
        s.waited(SPIN);
        assert!(s.polling());

        // With polling off, `poll` does not look.
        let (tx, rx) = std::sync::mpsc::channel::<Request>();
        for _ in 0..MISSES {
            s.polled(false);
        }
        assert!(s.poll(&rx).is_none());
        assert_eq!(s.misses, MISSES, "a poll with polling off is not a miss");
        drop(tx);
        // Polling on again: a poll that finds nothing counts as a miss.
        s.waited(Duration::ZERO);
        assert!(s.poll(&rx).is_none());
        assert_eq!(s.misses, 1);
    }
}
