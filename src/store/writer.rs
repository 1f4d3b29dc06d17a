//! The commit thread: the only code that appends to the log and changes state.
//!
//! It takes whatever requests are waiting (group commit), brings its state to the log's head
//! (a shared log may hold commits of other servers: [`Log::begin`]), runs each transaction
//! against the working state, encodes the resulting records into one buffer, appends it to the
//! [`Log`] as one durable write (the WAL: one write and one `fdatasync`, records sealed first
//! when a key is configured; PostgreSQL: one transaction), and only then swaps the new state
//! in, publishes to watchers and answers the callers. A failed WAL write or sync poisons the
//! engine: those commits fail, later ones are refused, the visible state never includes them.
//! A batch a shared log did not take fails alone: its commits are answered with the error and
//! the next batch starts again from the published state. A shared log trimmed past the
//! state (this server fell behind) is not caught up commit by commit: the commit thread
//! reloads the newest stored snapshot and the log after it ([`Log::reload`]) and swaps that
//! state in, ending the live watchers with `compacted`.

use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tracing::{error, warn};

use crate::store::command::{Op, Record};
use crate::store::crypto::record::RecordEncoder;
use crate::store::error::{Rejection, Result, StoreError};
use crate::store::log::Log;
use crate::store::options::Clock;
use crate::store::state::{HistoryPolicy, State};
use crate::store::stats::EngineStats;
use crate::store::wal::frame;
use crate::store::watch::WatchHub;

mod catch_up;

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
    /// A read barrier: bring the state to the log's head as of now (a shared log's commits
    /// by other servers included), publish it, and answer with its seq.
    Sync(oneshot::Sender<Result<u64>>),
    /// The shared log moved (a notification): apply what others appended.
    Tail,
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
    /// Whether this server runs the time-driven work (TTL expiry; the server's workflow
    /// timeouts): always on the embedded engine; on a shared log, only the server holding
    /// the leader lock (see [`crate::store::pg::listen`]).
    pub leader: std::sync::atomic::AtomicBool,
}

/// Everything the commit thread owns.
pub struct Writer {
    pub(crate) shared: Arc<Shared>,
    /// Where commits are made durable (the WAL, or PostgreSQL).
    pub(crate) log: Box<dyn Log>,
    /// Encodes (and seals, with a key) each record; its key id is the segment's.
    pub(crate) encoder: RecordEncoder,
    pub(crate) next_seq: u64,
    pub(crate) last_ts: i64,
    pub(crate) policy: HistoryPolicy,
    pub(crate) clock: Clock,
    /// After a reload from a stored snapshot failed, when to try again.
    pub(crate) reload_backoff: catch_up::ReloadBackoff,
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
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut spinner = Spinner::default();
        loop {
            let wait = self.log.idle_wait();
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
                    self.idle();
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
            self.process(batch, &mut buf, &mut shutdown);
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
        shutdown: &mut Option<std::sync::mpsc::Sender<Result<()>>>,
    ) {
        let poisoned = self.poison_message();
        let mut working: State = (**read(&self.shared.state)).clone();
        // A shared log may hold commits of other servers: the batch runs at its head.
        let writes = poisoned.is_none() && batch.iter().any(|r| matches!(r, Request::Commit(_)));
        let reads = batch
            .iter()
            .any(|r| matches!(r, Request::Sync(_) | Request::Tail));
        if writes || reads {
            match self.begin(&mut working, writes) {
                Ok(()) => {}
                Err(e) => {
                    let msg = error_chain(&e);
                    warn!(error = %msg, "the shared log cannot be reached; the waiting requests fail");
                    let mut rest = Vec::new();
                    for req in batch {
                        match req {
                            Request::Commit(txn) => {
                                txn.answer(Err(StoreError::Backend(msg.clone())))
                            }
                            Request::Sync(reply) => {
                                let _ = reply.send(Err(StoreError::Backend(msg.clone())));
                            }
                            Request::Tail => {}
                            other => rest.push(other),
                        }
                    }
                    if !rest.is_empty() {
                        self.process(rest, buf, shutdown);
                    }
                    return;
                }
            }
        }
        let first_seq = self.next_seq;
        let first_ts = self.last_ts;
        let mut syncs = Vec::new();
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
                Request::Sync(reply) => syncs.push(reply),
                Request::Tail => {}
                Request::Shutdown(reply) => {
                    *shutdown = Some(reply);
                    break;
                }
            }
        }
        if done.is_empty() && writes {
            self.log.release();
        }
        if !done.is_empty()
            && let Err(e) = self.append(buf, done.len())
        {
            let msg = error_chain(&e);
            if !self.log.failures_poison() {
                // Not in the log: these commits fail alone and nothing of them is visible;
                // the published state (with what others committed) stays, and the requests
                // still waiting go next round.
                warn!(error = %msg, "the shared log did not take a batch; its commits fail");
                self.next_seq = first_seq;
                self.last_ts = first_ts;
                let err = || match &e {
                    StoreError::OutcomeUnknown(m) => StoreError::OutcomeUnknown(m.clone()),
                    _ => StoreError::Backend(msg.clone()),
                };
                for (_, _, txn) in done {
                    txn.answer(Err(err()));
                }
                for (txn, _) in settled {
                    txn.answer(Err(err()));
                }
                let seq = read(&self.shared.state).seq;
                for reply in syncs {
                    let _ = reply.send(Ok(seq));
                }
                let leftover: Vec<Request> = rest.collect();
                if !leftover.is_empty() && shutdown.is_none() {
                    self.process(leftover, buf, shutdown);
                }
                return;
            }
            for (_, _, txn) in done {
                txn.answer(Err(StoreError::Poisoned(msg.clone())));
            }
            // Their basis included commits that were not persisted.
            for (txn, _) in settled {
                txn.answer(Err(StoreError::Poisoned(msg.clone())));
            }
            for reply in syncs {
                let _ = reply.send(Err(StoreError::Poisoned(msg.clone())));
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
        if !syncs.is_empty() {
            let seq = read(&self.shared.state).seq;
            for reply in syncs {
                let _ = reply.send(Ok(seq));
            }
        }
        // Requests left after an early break (batch size limit or shutdown) go next round.
        let leftover: Vec<Request> = rest.collect();
        if !leftover.is_empty() {
            if shutdown.is_some() {
                for req in leftover {
                    refuse(req, || StoreError::Closed, &mut None);
                }
            } else {
                self.process(leftover, buf, shutdown);
            }
        }
    }

    /// Appends a batch to the log; a failure of a log that poisons poisons the engine.
    fn append(&mut self, buf: &[u8], records: usize) -> Result<()> {
        let res = self.log.append(buf, records);
        if let Err(e) = &res
            && self.log.failures_poison()
        {
            self.poison(e);
        }
        res
    }

    fn final_sync(&mut self) -> Result<()> {
        if self.poison_message().is_some() {
            return Ok(());
        }
        let res = self.log.close();
        if let Err(e) = &res
            && self.log.failures_poison()
        {
            self.poison(e);
        }
        res
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
        Request::Prune | Request::Tail => {}
        Request::Sync(reply) => {
            let _ = reply.send(Err(err()));
        }
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
