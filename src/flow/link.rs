//! The manager's persistent connection to each running replica's control socket: one [`Link`]
//! per replica, connected once the replica runs and again whenever the connection drops, and
//! used both ways. Requests carry an `id` the worker's reply echoes; pending requests wait for
//! their own reply (a reply after its request timed out is dropped and counted). A frame with no
//! id, or an id nothing waits for, is the worker's own message: a `message_received` event and
//! the replica's `last_message_at` (events are written by a task of their own, several a
//! commit, so replies are never held behind them). A malformed frame (over the size limit, not UTF-8, not a
//! JSON message) closes the connection, fails the requests waiting on it and is an `error`
//! event `malformed_frame` (at most one a second per replica, with a count of the others); the
//! link reconnects. [`connector`] keeps the links of a flow's running replicas connected,
//! retrying with a capped backoff and quietly (a worker may serve no socket at all).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::oneshot;

mod connector;
#[cfg(test)]
mod tests;

pub(super) use connector::spawn_connector;

use super::events::Journal;
use super::socket::{FrameError, Message, SocketError, decode, read_body, write_frame};
use crate::store::Engine;
use crate::store::state::flows::EventKind;

/// The largest `data` a `message_received` event records (64 KiB of JSON text); larger data is
/// recorded as the start of its JSON text with `"truncated": true`.
pub const MAX_EVENT_DATA: usize = 64 * 1024;

/// Ids of timed-out requests remembered, so that their late replies are not taken for messages.
const TIMED_OUT_KEPT: usize = 256;

/// How long the connector waits before it reconnects a link closed for a malformed frame.
const MALFORMED_PAUSE: Duration = Duration::from_secs(1);

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
    /// The connector leaves the link alone until then (after a malformed frame).
    pause_until: Option<Instant>,
    reader: Option<tokio::task::AbortHandle>,
}

/// Events of a link not yet recorded before its reader waits.
const EVENT_QUEUE: usize = 1024;

/// Events written in one commit at most.
const EVENT_BATCH: usize = 32;

/// Records a link's events in order, as many as are queued (up to [`EVENT_BATCH`]) in one
/// commit. Ends with the link.
async fn record_events(
    journal: Arc<Journal>,
    flow: Arc<str>,
    replica: Arc<str>,
    mut rx: tokio::sync::mpsc::Receiver<(EventKind, serde_json::Value)>,
) {
    let mut batch = Vec::with_capacity(EVENT_BATCH);
    while rx.recv_many(&mut batch, EVENT_BATCH).await > 0 {
        let events = std::mem::take(&mut batch);
        journal.record_many(&flow, Some(&replica), events).await;
    }
}

/// Why a connection ended.
enum Ended {
    Closed(String),
    Malformed { reason: String, bytes: u64 },
}

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

    fn abort_reader(&self) {
        if let Some(r) = self.lock().reader.take() {
            r.abort();
        }
    }

    /// Connects when the link has no open connection (`writer` is its lock, held).
    async fn connect_locked(
        self: &Arc<Self>,
        writer: &mut Option<Writer>,
    ) -> Result<(), SocketError> {
        if let Some(w) = writer.as_ref() {
            let s = self.lock();
            if s.connected && s.generation == w.generation {
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
        let (id, rx) = {
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
            let msg = Message {
                command: command.to_owned(),
                data,
                timestamp: crate::time::format_ts(self.clock.now_ms()),
                id: Some(id.clone()),
            };
            let written = tokio::time::timeout_at(deadline, write_frame(&mut w.half, &msg)).await;
            let failed = match written {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(self.protocol(&e.to_string())),
                Err(_) => Some(timed_out()),
            };
            if let Some(e) = failed {
                // A frame cut short leaves the connection without framing.
                *writer = None;
                self.lock().pending.remove(&id);
                return Err(e);
            }
            (id, rx)
        };
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
                self.record(EventKind::Error, data).await;
                Err(e)
            }
        }
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

    /// A frame that decoded: the reply of a pending request, a late reply, or a message.
    async fn received(&self, msg: Message, bytes: usize) {
        {
            let mut s = self.lock();
            if let Some(id) = &msg.id {
                if let Some((_, tx)) = s.pending.remove(id) {
                    let _ = tx.send(Ok(msg));
                    return;
                }
                if s.timed_out.contains(id) {
                    s.late_replies += 1;
                    tracing::debug!(
                        flow = %self.flow,
                        replica = %self.replica,
                        id = %id,
                        late_replies = s.late_replies,
                        "reply after its request timed out, dropped"
                    );
                    return;
                }
            }
            s.last_message_at = Some(self.clock.now_ms());
        }
        let mut data = json!({
            "command": msg.command,
            "timestamp": msg.timestamp,
            "bytes": bytes,
        });
        let text = msg.data.to_string();
        if text.len() > MAX_EVENT_DATA {
            let mut end = MAX_EVENT_DATA;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            data["data"] = text[..end].into();
            data["truncated"] = true.into();
        } else {
            data["data"] = msg.data;
        }
        if let Some(id) = msg.id {
            data["id"] = id.into();
        }
        self.record(EventKind::MessageReceived, data).await;
    }

    /// The connection `generation` ended: fail its pending requests, mark the link down, and
    /// record a malformed frame (rate-limited).
    async fn ended(&self, generation: u64, why: Ended) {
        let event = {
            let mut s = self.lock();
            let reason = match &why {
                Ended::Closed(r) => r.clone(),
                Ended::Malformed { reason, .. } => format!("malformed frame: {reason}"),
            };
            self.fail_pending(&mut s, |g| g == generation, &reason);
            if s.generation == generation {
                s.connected = false;
                s.reader = None;
                self.ended.notify_one();
            }
            match why {
                Ended::Closed(_) => None,
                Ended::Malformed { reason, bytes } => {
                    let now = Instant::now();
                    s.pause_until = Some(now + MALFORMED_PAUSE);
                    if s.malformed_at
                        .is_some_and(|at| now.duration_since(at) < Duration::from_secs(1))
                    {
                        s.malformed_suppressed += 1;
                        None
                    } else {
                        s.malformed_at = Some(now);
                        let suppressed = std::mem::take(&mut s.malformed_suppressed);
                        Some(json!({
                            "error": "malformed_frame",
                            "message": reason,
                            "bytes": bytes,
                            "suppressed": suppressed,
                        }))
                    }
                }
            }
        };
        {
            let mut writer = self.writer.lock().await;
            if writer.as_ref().is_some_and(|w| w.generation == generation) {
                *writer = None;
            }
        }
        if let Some(data) = event {
            tracing::warn!(flow = %self.flow, replica = %self.replica, "malformed frame on a control socket; reconnecting");
            self.record(EventKind::Error, data).await;
        }
    }

    /// Queues an event of this replica for [`record_events`] (waits only while the queue is
    /// full: a worker sending faster than the journal commits is slowed down, and replies are
    /// not held behind the commits).
    async fn record(&self, kind: EventKind, data: serde_json::Value) {
        let _ = self.events.send((kind, data)).await;
    }
}

/// Reads frames of connection `generation` until it ends.
async fn read_loop(link: Arc<Link>, mut read: OwnedReadHalf, generation: u64) {
    let why = loop {
        match read_body(&mut read).await {
            Ok(body) => match decode(&body) {
                Ok(msg) => link.received(msg, body.len()).await,
                Err(reason) => {
                    break Ended::Malformed {
                        reason,
                        bytes: body.len() as u64,
                    };
                }
            },
            Err(FrameError::Malformed { reason, bytes }) => {
                break Ended::Malformed { reason, bytes };
            }
            Err(FrameError::Io(e)) => break Ended::Closed(format!("connection closed: {e}")),
        }
    };
    drop(read);
    link.ended(generation, why).await;
}
