//! What comes from the worker on a link, and the events it makes: the reader of each
//! connection (replies to their requests, late replies dropped, the worker's own messages),
//! the end of a connection (a malformed frame rate-limited as an event, a pause before the
//! next one), and the queue of events recorded in order by a task of their own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::net::unix::OwnedReadHalf;

use super::{EVENT_BATCH, Link, MALFORMED_PAUSE, MAX_EVENT_DATA};
use crate::flow::events::Journal;
use crate::flow::socket::{FrameError, Message, decode, read_body};
use crate::store::state::flows::EventKind;

/// Records a link's events in order, as many as are queued (up to [`EVENT_BATCH`]) in one
/// commit. Ends with the link.
pub(super) async fn record_events(
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
pub(super) enum Ended {
    Closed(String),
    Malformed { reason: String, bytes: u64 },
}

impl Link {
    /// A frame that decoded: the reply of a pending request, a late reply, or a message.
    fn received(&self, msg: Message, bytes: usize) {
        {
            let mut s = self.lock();
            s.malformed_streak = 0;
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
        self.record(EventKind::MessageReceived, data);
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
                    let pause = MALFORMED_PAUSE
                        .0
                        .saturating_mul(1 << s.malformed_streak.min(6))
                        .min(MALFORMED_PAUSE.1);
                    s.malformed_streak = s.malformed_streak.saturating_add(1);
                    s.pause_until = Some(now + pause);
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
            self.record(EventKind::Error, data);
        }
    }

    /// Queues an event of this replica for [`record_events`], never waiting: the reader goes on
    /// reading replies whatever the journal's pace. When [`EVENT_QUEUE`] events already wait (a
    /// worker sending faster than the journal commits), the event is left out, counted, and
    /// logged at most once a second.
    pub(super) fn record(&self, kind: EventKind, data: serde_json::Value) {
        if let Err(tokio::sync::mpsc::error::TrySendError::Full(_)) =
            self.events.try_send((kind, data))
        {
            let mut s = self.lock();
            s.events_dropped += 1;
            let now = Instant::now();
            if s.events_dropped_warned
                .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1))
            {
                s.events_dropped_warned = Some(now);
                let dropped = std::mem::take(&mut s.events_dropped);
                tracing::warn!(
                    flow = %self.flow,
                    replica = %self.replica,
                    dropped,
                    "control socket events left out: the worker sends faster than they are recorded"
                );
            }
        }
    }
}

/// Reads frames of connection `generation` until it ends.
pub(super) async fn read_loop(link: Arc<Link>, mut read: OwnedReadHalf, generation: u64) {
    let why = loop {
        match read_body(&mut read).await {
            Ok(body) => match decode(&body) {
                Ok(msg) => link.received(msg, body.len()),
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
