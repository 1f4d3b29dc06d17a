//! The manager's persistent connection to each running replica's control socket: one [`Link`]
//! per replica, connected once the replica runs and again whenever the connection drops, and
//! used both ways. Requests carry an `id` the worker's reply echoes; pending requests wait for
//! their own reply (a reply after its request timed out is dropped and counted). A frame with no
//! id, or an id nothing waits for, is the worker's own message: a `message_received` event and
//! the replica's `last_message_at` (events are written by a task of their own, several a
//! commit, so replies are never held behind them; when 1,024 wait, more are left out and
//! counted). A malformed frame (over the size limit, not UTF-8, not a JSON message) closes the
//! connection, fails the requests waiting on it and is an `error` event `malformed_frame` (at
//! most one a second per replica, with a count of the others); the link reconnects after a
//! pause that doubles with each malformed frame in a row (1 s to 60 s). A request whose caller
//! goes away mid-frame leaves the connection to be given up by the next one, never a frame cut
//! short followed by another. [`connector`] keeps the links of a flow's running replicas
//! connected, retrying with a capped backoff and quietly (a worker may serve no socket at all).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::net::UnixStream;
use tokio::net::unix::OwnedWriteHalf;
use tokio::sync::oneshot;

mod connector;
mod inbound;

use inbound::{read_loop, record_events};
#[cfg(test)]
mod tests;

pub(super) use connector::spawn_connector;

use super::events::Journal;
use super::socket::{Message, SocketError, write_frame};
use crate::store::Engine;
use crate::store::state::flows::EventKind;

/// The largest `data` a `message_received` event records (64 KiB of JSON text); larger data is
/// recorded as the start of its JSON text with `"truncated": true`.
pub const MAX_EVENT_DATA: usize = 64 * 1024;

/// Ids of timed-out requests remembered, so that their late replies are not taken for messages.
const TIMED_OUT_KEPT: usize = 256;

/// How long the connector waits before it reconnects a link closed for a malformed frame: 1 s,
/// doubling with each malformed frame in a row up to 60 s (a frame that decodes starts over).
const MALFORMED_PAUSE: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(60));

/// The links of one flow's replicas, by replica name.
pub(super) struct Links {
    flow: Arc<str>,
    socket_dir: PathBuf,
    journal: Arc<Journal>,
    clock: Engine,
    by_replica: Mutex<HashMap<String, Arc<Link>>>,
    /// Woken when a link's connection ends (the connector reconnects it).
    ended: Arc<tokio::sync::Notify>,
}

/// What status shows of a replica's link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct LinkView {
    /// The manager holds a connection to the replica's socket now.
    pub connected: bool,
    /// When the worker last sent a message of its own (ms since the epoch).
    pub last_message_at: Option<i64>,
}

impl Links {
    pub(super) fn new(
        flow: &str,
        socket_dir: PathBuf,
        journal: Arc<Journal>,
        clock: Engine,
    ) -> Links {
        Links {
            flow: flow.into(),
            socket_dir,
            journal,
            clock,
            by_replica: Mutex::default(),
            ended: Arc::default(),
        }
    }

    /// The link of `replica`, made (unconnected) if it has none.
    pub(super) fn get(&self, replica: &str) -> Arc<Link> {
        let mut map = self
            .by_replica
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.entry(replica.to_owned())
            .or_insert_with(|| {
                let (events, rx) = tokio::sync::mpsc::channel(EVENT_QUEUE);
                tokio::spawn(record_events(
                    self.journal.clone(),
                    self.flow.clone(),
                    replica.into(),
                    rx,
                ));
                Arc::new(Link {
                    events,
                    flow: self.flow.clone(),
                    replica: replica.into(),
                    path: super::manifest::socket_path(&self.socket_dir, &self.flow, replica),
                    clock: self.clock.clone(),
                    ended: self.ended.clone(),
                    writer: tokio::sync::Mutex::default(),
                    shared: Mutex::default(),
                })
            })
            .clone()
    }

    /// What status shows of `replica`'s link.
    pub(super) fn view(&self, replica: &str) -> LinkView {
        let map = self
            .by_replica
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(replica).map(|l| l.view()).unwrap_or_default()
    }

    /// Closes and forgets the links of replicas not in `keep`.
    fn retain(&self, keep: &HashSet<String>) {
        let mut map = self
            .by_replica
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.retain(|name, link| {
            let kept = keep.contains(name);
            if !kept {
                link.abort_reader();
            }
            kept
        });
    }
}

impl Drop for Links {
    fn drop(&mut self) {
        let map = self
            .by_replica
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        for link in map.values() {
            link.abort_reader();
        }
    }
}

/// One replica's connection.
pub(super) struct Link {
    flow: Arc<str>,
    replica: Arc<str>,
    path: PathBuf,
    clock: Engine,
    ended: Arc<tokio::sync::Notify>,
    /// The link's events (messages, malformed frames, timeouts), to the task that records
    /// them in order (see [`record_events`]).
    events: tokio::sync::mpsc::Sender<(EventKind, serde_json::Value)>,
    /// The write half of the current connection (held while a frame is written).
    writer: tokio::sync::Mutex<Option<Writer>>,
    shared: Mutex<Shared>,
}

struct Writer {
    half: OwnedWriteHalf,
    generation: u64,
    /// A frame is being written (or was, by a request dropped before it finished: the
    /// connection has lost its framing and is given up by whoever takes the lock next).
    dirty: bool,
}

type Reply = oneshot::Sender<Result<Message, SocketError>>;

#[derive(Default)]
struct Shared {
    /// Of the newest connection (each connect adds one).
    generation: u64,
    /// The newest connection is open.
    connected: bool,
    next_id: u64,
    /// Requests waiting for their reply: id → (connection generation, where the reply goes).
    pending: HashMap<String, (u64, Reply)>,
    timed_out: VecDeque<String>,
    late_replies: u64,
    last_message_at: Option<i64>,
    /// When the last `malformed_frame` event was written, and how many were left out since.
    malformed_at: Option<Instant>,
    malformed_suppressed: u64,
    /// Malformed frames in a row (each doubles the pause before the next connection).
    malformed_streak: u32,
    /// Events left out because the link's queue was full, since the last warning.
    events_dropped: u64,
    events_dropped_warned: Option<Instant>,
    /// The connector leaves the link alone until then (after a malformed frame).
    pause_until: Option<Instant>,
    reader: Option<tokio::task::AbortHandle>,
}

/// Events of a link not yet recorded before its reader waits.
const EVENT_QUEUE: usize = 1024;

/// Events written in one commit at most.
const EVENT_BATCH: usize = 32;

impl Link {
    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn view(&self) -> LinkView {
        let s = self.lock();
        LinkView {
            connected: s.connected,
            last_message_at: s.last_message_at,
        }
    }

    /// Closes the link for good (its replica is gone): the reader stops, and the requests
    /// waiting on it fail now rather than at their timeouts.
    fn abort_reader(&self) {
        let mut s = self.lock();
        if let Some(r) = s.reader.take() {
            r.abort();
        }
        s.connected = false;
        self.fail_pending(&mut s, |_| true, "the replica is gone");
    }

    /// Connects when the link has no open connection (`writer` is its lock, held).
    async fn connect_locked(
        self: &Arc<Self>,
        writer: &mut Option<Writer>,
    ) -> Result<(), SocketError> {
        if let Some(w) = writer.as_ref() {
            let mut s = self.lock();
            if w.dirty {
                // A request was dropped (its caller went away) in the middle of a frame.
                self.give_up(
                    &mut s,
                    w.generation,
                    "connection given up: a frame was cut short",
                );
            } else if s.connected && s.generation == w.generation {
                return Ok(());
            }
        }
        *writer = None;
        let stream =
            UnixStream::connect(&self.path)
                .await
                .map_err(|source| SocketError::Connect {
                    path: self.path.clone(),
                    source,
                })?;
        let (read, write) = stream.into_split();
        let mut s = self.lock();
        s.generation += 1;
        s.connected = true;
        let generation = s.generation;
        let task = tokio::spawn(read_loop(self.clone(), read, generation));
        if let Some(old) = s.reader.replace(task.abort_handle()) {
            // The previous connection was given up (a frame cut short): what waited on it
            // gets no reply.
            old.abort();
            self.fail_pending(&mut s, |g| g < generation, "connection closed");
        }
        *writer = Some(Writer {
            half: write,
            generation,
            dirty: false,
        });
        Ok(())
    }

    /// Connects when the link has no open connection.
    ///
    /// # Errors
    /// [`SocketError::Connect`]: nothing listens on the replica's socket.
    pub(super) async fn connect(self: &Arc<Self>) -> Result<(), SocketError> {
        let mut writer = self.writer.lock().await;
        self.connect_locked(&mut writer).await
    }

    /// Sends `command` with `data` over the link (connecting it first if need be) and waits
    /// for the reply that echoes the request's id, at most `timeout` in all. A timeout is also
    /// an `error` event `socket_timeout`.
    ///
    /// # Errors
    /// [`SocketError`]: no listener, the connection broke or a malformed frame closed it, or no
    /// reply in time.
    pub(super) async fn request(
        self: &Arc<Self>,
        command: &str,
        data: serde_json::Value,
        timeout: Duration,
    ) -> Result<Message, SocketError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let timed_out = || SocketError::Timeout {
            path: self.path.clone(),
            after: timeout,
        };
        let (forget, rx) = {
            let mut writer = tokio::time::timeout_at(deadline, self.writer.lock())
                .await
                .map_err(|_| timed_out())?;
            tokio::time::timeout_at(deadline, self.connect_locked(&mut writer))
                .await
                .map_err(|_| timed_out())??;
            let Some(w) = writer.as_mut() else {
                return Err(self.protocol("connection closed"));
            };
            let (id, rx) = {
                let mut s = self.lock();
                if !s.connected || s.generation != w.generation {
                    return Err(self.protocol("connection closed"));
                }
                s.next_id += 1;
                let id = s.next_id.to_string();
                let (tx, rx) = oneshot::channel();
                s.pending.insert(id.clone(), (w.generation, tx));
                (id, rx)
            };
            // Whatever happens from here (even this future dropped by a caller that went
            // away), the request does not stay pending.
            let forget = Forget { link: self, id };
            let id = forget.id.clone();
            let msg = Message {
                command: command.to_owned(),
                data,
                timestamp: crate::time::format_ts(self.clock.now_ms()),
                id: Some(id.clone()),
            };
            w.dirty = true;
            let written = tokio::time::timeout_at(deadline, write_frame(&mut w.half, &msg)).await;
            let failed = match written {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(self.protocol(&e.to_string())),
                Err(_) => Some(timed_out()),
            };
            if let Some(e) = failed {
                // A frame cut short leaves the connection without framing.
                let generation = w.generation;
                *writer = None;
                let mut s = self.lock();
                s.pending.remove(&id);
                self.give_up(
                    &mut s,
                    generation,
                    "connection given up: a frame was cut short",
                );
                return Err(e);
            }
            w.dirty = false;
            (forget, rx)
        };
        let id = forget.id.clone();
        match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(self.protocol("connection closed")),
            Err(_) => {
                {
                    let mut s = self.lock();
                    s.pending.remove(&id);
                    s.timed_out.push_back(id.clone());
                    if s.timed_out.len() > TIMED_OUT_KEPT {
                        s.timed_out.pop_front();
                    }
                }
                let e = timed_out();
                let data = json!({
                    "error": "socket_timeout",
                    "message": e.to_string(),
                    "command": command,
                    "id": id,
                    "timeout_ms": u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                });
                self.record(EventKind::Error, data);
                Err(e)
            }
        }
    }

    /// Gives up connection `generation` (it lost its framing): the link is down, its reader
    /// stopped, the requests waiting on it fail, and the connector is woken.
    fn give_up(&self, s: &mut Shared, generation: u64, reason: &str) {
        if s.generation == generation {
            s.connected = false;
            if let Some(r) = s.reader.take() {
                r.abort();
            }
        }
        self.fail_pending(s, |g| g == generation, reason);
        self.ended.notify_one();
    }

    /// Fails the requests waiting on the connections `which` generations.
    fn fail_pending(&self, s: &mut Shared, which: impl Fn(u64) -> bool, reason: &str) {
        let failed: Vec<String> = (s.pending.iter())
            .filter(|(_, (g, _))| which(*g))
            .map(|(id, _)| id.clone())
            .collect();
        for id in failed {
            if let Some((_, tx)) = s.pending.remove(&id) {
                let _ = tx.send(Err(self.protocol(reason)));
            }
        }
    }

    fn protocol(&self, message: &str) -> SocketError {
        SocketError::Protocol {
            path: self.path.clone(),
            message: message.to_owned(),
        }
    }
}

/// Removes a request from the pending ones when dropped (answered, failed, timed out, or its
/// caller gone).
struct Forget<'a> {
    link: &'a Link,
    id: String,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.link.lock().pending.remove(&self.id);
    }
}
