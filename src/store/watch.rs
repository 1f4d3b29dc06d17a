//! The watch hub: subscribers follow the log from any `commit_seq`.
//!
//! A subscription first *catches up* (from the in-memory ring of recent commits, or from the WAL
//! for older ones) without buffering live events, then switches to *live* under the hub lock, so
//! no commit is missed or delivered twice. Live subscribers get a bounded queue (events and
//! bytes); a subscriber that falls behind it is ended with [`WatchError::Overflow`], never
//! skipped silently. A resume point below the trimmed log is [`WatchError::Compacted`].
//! Catching up beyond the ring reads the engine's log through a [`LogSource`]: the WAL's
//! segment files, or the PostgreSQL log table.

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::store::command::Record;
use crate::store::crypto::Keyring;
use crate::store::error::StoreError;
use crate::store::wal::reader;

/// A committed record as watchers see it.
pub type Event = Arc<Record>;

/// Where catching-up subscribers read commits older than the ring.
pub trait LogSource: Send + Sync {
    /// Calls `visit(record, frame_len)` for every record with `seq >= from`, in seq order,
    /// until it returns `false`.
    ///
    /// # Errors
    /// The log cannot be read; a `NotFound` I/O error means the part asked for was trimmed.
    fn read(
        &self,
        from: u64,
        visit: &mut dyn FnMut(Record, usize) -> bool,
    ) -> Result<(), StoreError>;

    /// The first seq still in the log, if any.
    fn oldest(&self) -> Option<u64>;
}

/// The WAL's segment files.
pub struct WalSource {
    /// The WAL directory.
    pub wal_dir: PathBuf,
    /// Keys that open sealed segments.
    pub keys: Keyring,
}

impl LogSource for WalSource {
    fn read(
        &self,
        from: u64,
        visit: &mut dyn FnMut(Record, usize) -> bool,
    ) -> Result<(), StoreError> {
        reader::read_log(&self.wal_dir, &self.keys, from, |rec, size| {
            Ok(visit(rec, size))
        })
        .map(|_| ())
    }

    fn oldest(&self) -> Option<u64> {
        oldest_in_log(&self.wal_dir, &self.keys)
    }
}

/// Decides which records a subscriber receives (positions still advance past the others).
pub type Filter = Arc<dyn Fn(&Record) -> bool + Send + Sync>;

/// Why a subscription ended.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The resume point is older than the log keeps; re-list and watch from the current seq.
    #[error(
        "commits after {from} are no longer in the log; the oldest available is {oldest_available}"
    )]
    Compacted {
        /// The requested resume point.
        from: u64,
        /// The oldest commit_seq still readable.
        oldest_available: u64,
    },
    /// The resume point is ahead of the log (the data was restored to an earlier point).
    #[error(
        "resume point {from} is ahead of the log (now at {head}); the data was restored: re-list"
    )]
    Reset {
        /// The requested resume point.
        from: u64,
        /// The newest commit_seq.
        head: u64,
    },
    /// The subscriber did not keep up with its bounded queue.
    #[error("watcher fell too far behind; last delivered commit_seq {last_delivered}")]
    Overflow {
        /// Resume after this seq.
        last_delivered: u64,
    },
    /// The engine is shutting down.
    #[error("the engine is shutting down")]
    Closed,
    /// Reading the log failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Default)]
struct Queue {
    events: VecDeque<(Event, usize)>,
    bytes: usize,
    overflow: bool,
    closed: bool,
    /// Ended by [`WatchHub::reset`]: the oldest commit still available.
    compacted: Option<u64>,
}

struct Subscriber {
    queue: Mutex<Queue>,
    notify: Notify,
    filter: Option<Filter>,
}

struct HubState {
    /// Recent commits, `(event, frame bytes)`, oldest first.
    ring: VecDeque<(Event, usize)>,
    /// The newest published seq.
    head: u64,
    live: Vec<Arc<Subscriber>>,
    closed: bool,
    /// `(r, n)`: after seq `r` the log continues at `n > r + 1` (a restore boundary). Resume
    /// points strictly between them were rolled back.
    jumps: Vec<(u64, u64)>,
}

/// Shared between the engine's writer and its subscribers.
pub struct WatchHub {
    state: Mutex<HubState>,
    source: Box<dyn LogSource>,
    ring_cap: usize,
    max_events: usize,
    max_bytes: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Events taken from the ring per catch-up step.
const CATCH_UP_BATCH: usize = 4096;
/// Records read from the WAL per catch-up step (each step reads from the start of a segment,
/// so steps are large: about a quarter of a default segment of small records).
const WAL_CATCH_UP_BATCH: usize = 32_768;

impl WatchHub {
    /// A hub whose log is at `head`; the next commit gets `next_seq` (above `head + 1` right
    /// after a restore).
    pub fn new(
        source: Box<dyn LogSource>,
        head: u64,
        next_seq: u64,
        ring_cap: usize,
        max_events: usize,
        max_bytes: usize,
    ) -> Self {
        let mut jumps = Vec::new();
        if next_seq > head + 1 {
            jumps.push((head, next_seq));
        }
        WatchHub {
            state: Mutex::new(HubState {
                ring: VecDeque::new(),
                head,
                live: Vec::new(),
                closed: false,
                jumps,
            }),
            source,
            ring_cap: ring_cap.max(1),
            max_events: max_events.max(1),
            max_bytes: max_bytes.max(1),
        }
    }

    /// Publishes committed records (already durable), in seq order. `make_visible` swaps in
    /// the state that includes them; it runs under the hub lock, so a reader that saw that
    /// state never finds the hub behind it.
    pub fn publish(&self, events: Vec<(Event, usize)>, make_visible: impl FnOnce()) {
        let mut st = lock(&self.state);
        make_visible();
        for (event, _) in &events {
            if event.seq != st.head + 1 {
                // A restore boundary: the seqs in between were never issued in this history.
                let jump = (st.head, event.seq);
                st.jumps.push(jump);
            }
            st.head = event.seq;
        }
        // Each subscriber's queue is locked and notified once per batch, not once per event.
        st.live.retain(|sub| {
            let mut q = lock(&sub.queue);
            // A queue that already holds events was notified when it got the first of them,
            // and its subscriber looks at the queue again before it waits: notifying again would
            // only cost (most subscribers of a busy log are lingering over a full queue).
            let notify = q.events.is_empty();
            let mut pushed = false;
            for (event, size) in &events {
                if sub.filter.as_ref().is_some_and(|f| !f(event)) {
                    continue;
                }
                if q.events.len() >= self.max_events || q.bytes + size > self.max_bytes {
                    q.overflow = true;
                    drop(q);
                    sub.notify.notify_one();
                    return false;
                }
                q.events.push_back((event.clone(), *size));
                q.bytes += size;
                pushed = true;
            }
            drop(q);
            if pushed && notify {
                sub.notify.notify_one();
            }
            true
        });
        for (event, size) in events {
            if st.ring.len() >= self.ring_cap {
                st.ring.pop_front();
            }
            st.ring.push_back((event, size));
        }
    }

    /// The state jumped to `head` (a reload from a snapshot: the commits between the old
    /// head and it are not in the log any more; `oldest_available` is the first one that is).
    /// `make_visible` swaps in that state under the hub lock. Every live subscriber gets what
    /// is queued for it, then [`WatchError::Compacted`]; the ring is emptied (it cannot bridge
    /// the jump), so later subscribers positioned below `oldest_available` read the log and
    /// are told the same. The next commit gets `next_seq`.
    pub fn reset(
        &self,
        head: u64,
        next_seq: u64,
        oldest_available: u64,
        make_visible: impl FnOnce(),
    ) {
        let mut st = lock(&self.state);
        make_visible();
        st.ring.clear();
        st.head = head;
        if next_seq > head + 1 {
            st.jumps.push((head, next_seq));
        }
        for sub in st.live.drain(..) {
            lock(&sub.queue).compacted = Some(oldest_available);
            sub.notify.notify_one();
        }
    }

    /// The seq the log continues at after `seq`: across a restore boundary recorded here
    /// (at open, or by a reload), its far side; else `seq + 1`.
    pub fn next_after(&self, seq: u64) -> u64 {
        lock(&self.state)
            .jumps
            .iter()
            .filter(|&&(r, _)| r == seq)
            .map(|&(_, n)| n)
            .max()
            .unwrap_or(seq + 1)
    }

    /// Records a restore boundary found on disk: after `r` the log continues at `n`.
    pub fn add_jump(&self, r: u64, n: u64) {
        if n > r + 1 {
            lock(&self.state).jumps.push((r, n));
        }
    }

    /// Ends every subscription with [`WatchError::Closed`].
    pub fn close(&self) {
        let mut st = lock(&self.state);
        st.closed = true;
        for sub in st.live.drain(..) {
            lock(&sub.queue).closed = true;
            sub.notify.notify_one();
        }
    }

    /// The newest published seq.
    pub fn head(&self) -> u64 {
        lock(&self.state).head
    }

    /// Events queued for live subscribers, all together.
    pub fn backlog(&self) -> usize {
        let st = lock(&self.state);
        st.live.iter().map(|s| lock(&s.queue).events.len()).sum()
    }

    /// Number of live subscribers.
    pub fn live_subscribers(&self) -> usize {
        lock(&self.state).live.len()
    }

    /// Subscribes to every commit after `from` (exclusive) that passes `filter`.
    pub fn subscribe(self: &Arc<Self>, from: u64, filter: Option<Filter>) -> Subscription {
        Subscription {
            hub: self.clone(),
            sub: Arc::new(Subscriber {
                queue: Mutex::new(Queue::default()),
                notify: Notify::new(),
                filter,
            }),
            next: from.saturating_add(1),
            from,
            live: false,
            pending: VecDeque::new(),
            last_delivered: from,
        }
    }
}

/// One watcher's position in the log.
pub struct Subscription {
    hub: Arc<WatchHub>,
    sub: Arc<Subscriber>,
    /// The next seq to look at while catching up.
    next: u64,
    from: u64,
    live: bool,
    pending: VecDeque<Event>,
    last_delivered: u64,
}

impl Subscription {
    /// The seq of the last event handed out (or the starting point).
    pub fn last_delivered(&self) -> u64 {
        self.last_delivered
    }

    /// Waits for the next event.
    ///
    /// # Errors
    /// [`WatchError`]: the subscription is over and must not be polled again.
    pub async fn next(&mut self) -> Result<Event, WatchError> {
        loop {
            if let Some(ev) = self.try_next()? {
                return Ok(ev);
            }
            let sub = self.sub.clone();
            let notified = sub.notify.notified();
            if let Some(ev) = self.try_next()? {
                return Ok(ev);
            }
            notified.await;
        }
    }

    /// Moves events that are ready (caught up or queued) into `out`, up to `max` in all, without
    /// waiting and without reporting errors: call after [`Subscription::next`] to take a burst
    /// at once; an error (overflow, shutdown) comes from the next call to `next`.
    pub fn drain_ready(&mut self, out: &mut Vec<Event>, max: usize) {
        while out.len() < max {
            match self.pending.pop_front() {
                Some(ev) => out.push(ev),
                None => break,
            }
        }
        if self.live && out.len() < max {
            let mut q = lock(&self.sub.queue);
            while out.len() < max {
                let Some((ev, size)) = q.events.pop_front() else {
                    break;
                };
                q.bytes = q.bytes.saturating_sub(size);
                out.push(ev);
            }
        }
        if let Some(last) = out.last() {
            self.last_delivered = last.seq;
        }
    }

    /// Returns the next event if one is ready, without waiting.
    ///
    /// # Errors
    /// As [`Subscription::next`].
    pub fn try_next(&mut self) -> Result<Option<Event>, WatchError> {
        loop {
            if let Some(ev) = self.pending.pop_front() {
                self.last_delivered = ev.seq;
                return Ok(Some(ev));
            }
            if self.live {
                let mut q = lock(&self.sub.queue);
                if let Some((ev, size)) = q.events.pop_front() {
                    q.bytes = q.bytes.saturating_sub(size);
                    drop(q);
                    self.last_delivered = ev.seq;
                    return Ok(Some(ev));
                }
                if q.overflow {
                    return Err(WatchError::Overflow {
                        last_delivered: self.last_delivered,
                    });
                }
                if let Some(oldest_available) = q.compacted {
                    return Err(WatchError::Compacted {
                        from: self.last_delivered,
                        oldest_available,
                    });
                }
                if q.closed {
                    return Err(WatchError::Closed);
                }
                return Ok(None);
            }
            // Catching up may read WAL segments: on a multi-threaded runtime, tell tokio this
            // worker blocks so other tasks move elsewhere meanwhile.
            let multi_thread = tokio::runtime::Handle::try_current()
                .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
            if multi_thread {
                tokio::task::block_in_place(|| self.catch_up())?;
            } else {
                self.catch_up()?;
            }
        }
    }

    /// One step of catching up: from the ring, from the WAL, or the switch to live.
    fn catch_up(&mut self) -> Result<(), WatchError> {
        {
            let mut st = lock(&self.hub.state);
            if st.closed {
                return Err(WatchError::Closed);
            }
            if self.next == self.from.saturating_add(1) {
                let rolled_back = st
                    .jumps
                    .iter()
                    .any(|&(r, n)| r < self.from && self.from < n);
                if self.from > st.head || rolled_back {
                    return Err(WatchError::Reset {
                        from: self.from,
                        head: st.head,
                    });
                }
            }
            // After a restore boundary the log continues at the jump's far side.
            if let Some(&(_, n)) = st.jumps.iter().find(|&&(r, _)| r + 1 == self.next) {
                self.next = n;
            }
            if self.next > st.head {
                self.live = true;
                st.live.push(self.sub.clone());
                return Ok(());
            }
            if let Some((front, _)) = st.ring.front()
                && front.seq <= self.next
            {
                // The ring is in seq order (with jumps at restore boundaries).
                let skip = st.ring.partition_point(|(ev, _)| ev.seq < self.next);
                for (ev, _) in st.ring.iter().skip(skip).take(CATCH_UP_BATCH) {
                    if self.sub.filter.as_ref().is_none_or(|f| f(ev)) {
                        self.pending.push_back(ev.clone());
                    }
                    self.next = ev.seq + 1;
                }
                if self.next > st.head {
                    self.live = true;
                    st.live.push(self.sub.clone());
                }
                return Ok(());
            }
        }
        self.read_wal()
    }

    fn read_wal(&mut self) -> Result<(), WatchError> {
        let want = self.next;
        // Records past the published head may be in the file before they are published; they
        // come through the live queue, so stop there.
        let head = self.hub.head();
        let mut first: Option<u64> = None;
        let mut count = 0usize;
        let filter = self.sub.filter.clone();
        let pending = &mut self.pending;
        let mut next = self.next;
        let res = self.hub.source.read(want, &mut |rec, _| {
            if rec.seq > head {
                return false;
            }
            first.get_or_insert(rec.seq);
            if rec.seq != next {
                // A jump (restore boundary) or a missing range: stop here.
                return false;
            }
            next = rec.seq + 1;
            if filter.as_ref().is_none_or(|f| f(&rec)) {
                pending.push_back(Arc::new(rec));
            }
            count += 1;
            count < WAL_CATCH_UP_BATCH
        });
        match res {
            Ok(_) => {}
            Err(StoreError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                // A segment was trimmed while we read it.
                return Err(self.compacted());
            }
            Err(e) => return Err(e.into()),
        };
        if first != Some(want) || count == 0 {
            return Err(self.compacted());
        }
        self.next = next;
        Ok(())
    }

    fn compacted(&self) -> WatchError {
        let oldest = self
            .hub
            .source
            .oldest()
            .unwrap_or_else(|| self.hub.head() + 1);
        WatchError::Compacted {
            from: self.from,
            oldest_available: oldest,
        }
    }
}

/// The first seq present in the log, if any record is.
fn oldest_in_log(wal_dir: &std::path::Path, keys: &Keyring) -> Option<u64> {
    let mut first = None;
    let _ = reader::read_log(wal_dir, keys, 0, |rec, _| {
        first = Some(rec.seq);
        Ok(false)
    });
    first
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if self.live {
            let mut st = lock(&self.hub.state);
            st.live.retain(|s| !Arc::ptr_eq(s, &self.sub));
        }
    }
}
