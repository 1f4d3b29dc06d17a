//! Flow events: what happened to a flow and its replicas (state changes, crashes, restarts,
//! failing probes, resource alerts, frames a worker sent, the manager's own actions, errors).
//!
//! [`Journal`] writes each event to the engine ([`FlowOp::Event`], so events survive a restart
//! and are replayed from the journal kept in [`crate::store::state::flows`]), then hands it to
//! live subscribers. Event ids increase by one per event of this server and are the resume
//! cursor: [`Journal::subscribe`] replays the journal after an id, then follows live events,
//! with no gap and no duplicate (it subscribes to live events before reading the journal and
//! skips what it already sent). [`watch`] turns a flow's supervisor events and `/proc` samples
//! into events. Only events are written: a sampling tick that crosses no threshold writes
//! nothing.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;

use super::FlowError;
use super::wire::FlowEventOut;
use crate::store::state::flows::{EventKind, FlowEvent, FlowOp, Retention};
use crate::store::{Engine, Op};

pub(super) mod watch;

/// How events are kept and how often replicas are sampled (`stmgr server start
/// --flow-events-keep`, `--flow-events-max-age`, `--flow-sample-interval`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventOptions {
    /// What the journal keeps (default: the last 10,000 events of the server, up to 7 days).
    pub retention: Retention,
    /// How often each running replica's CPU and memory are checked against its thresholds
    /// (default 1 s).
    pub sample_every: Duration,
}

impl Default for EventOptions {
    fn default() -> Self {
        EventOptions {
            retention: Retention {
                keep: 10_000,
                max_age_ms: 7 * 24 * 3600 * 1000,
            },
            sample_every: Duration::from_secs(1),
        }
    }
}

impl EventOptions {
    /// Keep at most `keep` events, none older than `max_age` before the newest (zero: no age
    /// limit), and sample replicas every `sample_every`.
    pub fn new(keep: u32, max_age: Duration, sample_every: Duration) -> EventOptions {
        EventOptions {
            retention: Retention {
                keep,
                max_age_ms: u64::try_from(max_age.as_millis()).unwrap_or(u64::MAX),
            },
            sample_every,
        }
    }
}

/// Why a subscription cannot start or ended.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Events after the resume point were dropped from the journal (retention).
    #[error("events after {since} are no longer in the journal; the oldest kept is {oldest}")]
    Compacted {
        /// The resume point asked for.
        since: u64,
        /// The oldest event id kept.
        oldest: u64,
    },
    /// The subscriber fell behind the live queue; resume from the last id received.
    #[error("the subscriber fell behind; resume from the last event id received")]
    Lagged,
}

/// Writes events to the engine and hands them to subscribers. Cheap to share (in an `Arc`).
pub struct Journal {
    engine: Engine,
    retention: Retention,
    /// The next id; held across the commit so ids are committed in order.
    next: tokio::sync::Mutex<u64>,
    live: broadcast::Sender<Arc<FlowEvent>>,
}

impl Journal {
    /// A journal over `engine`, continuing after the last event it holds.
    pub fn new(engine: Engine, retention: Retention) -> Journal {
        let next = engine.view().flows.last_event_id().unwrap_or(0) + 1;
        Journal {
            engine,
            retention,
            next: tokio::sync::Mutex::new(next),
            live: broadcast::channel(4096).0,
        }
    }

    /// Records one event; its id.
    ///
    /// # Errors
    /// The commit fails.
    pub async fn emit(
        &self,
        flow: &str,
        replica: Option<&str>,
        kind: EventKind,
        data: serde_json::Value,
    ) -> Result<u64, FlowError> {
        let mut next = self.next.lock().await;
        let event = FlowEvent {
            id: *next,
            flow: flow.into(),
            replica: replica.map(Arc::from),
            kind,
            time: self.engine.now_ms(),
            data: data.to_string().into(),
        };
        let op = Op::Flow(FlowOp::Event {
            event: event.clone(),
            retention: self.retention,
        });
        self.engine.commit_ops(vec![op]).await?;
        *next += 1;
        let id = event.id;
        // No subscriber is not an error.
        let _ = self.live.send(Arc::new(event));
        Ok(id)
    }

    /// Records several events of one replica in one commit (ids in order), logging a failure
    /// (a worker's burst of messages: one commit each would bound it to the commit rate).
    pub async fn record_many(
        &self,
        flow: &str,
        replica: Option<&str>,
        events: Vec<(EventKind, serde_json::Value)>,
    ) {
        let mut next = self.next.lock().await;
        let time = self.engine.now_ms();
        let flow: Arc<str> = flow.into();
        let replica: Option<Arc<str>> = replica.map(Arc::from);
        let events: Vec<FlowEvent> = events
            .into_iter()
            .zip(*next..)
            .map(|((kind, data), id)| FlowEvent {
                id,
                flow: flow.clone(),
                replica: replica.clone(),
                kind,
                time,
                data: data.to_string().into(),
            })
            .collect();
        let ops = events
            .iter()
            .map(|event| {
                Op::Flow(FlowOp::Event {
                    event: event.clone(),
                    retention: self.retention,
                })
            })
            .collect();
        if let Err(e) = self.engine.commit_ops(ops).await {
            tracing::warn!(flow = %flow, error = %e, "flow events not recorded");
            return;
        }
        *next += events.len() as u64;
        for event in events {
            let _ = self.live.send(Arc::new(event));
        }
    }

    /// [`Journal::emit`], logging a failure instead of returning it (for event sources that
    /// cannot do anything about it).
    pub async fn record(
        &self,
        flow: &str,
        replica: Option<&str>,
        kind: EventKind,
        data: serde_json::Value,
    ) {
        if let Err(e) = self.emit(flow, replica, kind, data).await {
            tracing::warn!(flow, error = %e, kind = kind.as_str(), "flow event not recorded");
        }
    }

    /// Events of `flow` (every flow when `None`) from the journal after `since`, then live
    /// ones (unless not `follow`); `since` `None`: live events only.
    ///
    /// # Errors
    /// [`StreamError::Compacted`] when events after `since` were dropped by retention.
    pub fn subscribe(
        &self,
        flow: Option<String>,
        since: Option<u64>,
        follow: bool,
    ) -> Result<Subscription, StreamError> {
        let rx = self.live.subscribe();
        let view = self.engine.view();
        let journal = &view.flows;
        let mut backlog = VecDeque::new();
        let mut last = journal.last_event_id().unwrap_or(0);
        if let Some(since) = since {
            if let Some(oldest) = journal.events_after(0).next().map(|e| e.id)
                && since + 1 < oldest
                && since > 0
            {
                return Err(StreamError::Compacted { since, oldest });
            }
            backlog = journal
                .events_after(since)
                .filter(|e| flow.as_deref().is_none_or(|f| *e.flow == *f))
                .cloned()
                .map(Arc::new)
                .collect();
            last = last.max(since);
        }
        Ok(Subscription {
            flow,
            backlog,
            rx: follow.then_some(rx),
            last,
        })
    }

    /// Journal events of `flow` (or every flow) after `since`, oldest first, at most `limit`.
    pub fn replay(&self, flow: Option<&str>, since: u64, limit: usize) -> Vec<FlowEventOut> {
        self.engine
            .view()
            .flows
            .events_after(since)
            .filter(|e| flow.is_none_or(|f| *e.flow == *f))
            .take(limit)
            .map(FlowEventOut::from)
            .collect()
    }
}

/// A journal replay followed by live events (see [`Journal::subscribe`]).
pub struct Subscription {
    flow: Option<String>,
    backlog: VecDeque<Arc<FlowEvent>>,
    /// Live events (`None`: the replay only).
    rx: Option<broadcast::Receiver<Arc<FlowEvent>>>,
    /// The highest id already delivered or known to be in the journal read.
    last: u64,
}

impl Subscription {
    /// The next event; `None` after the replay when not following, or when the journal is
    /// closed.
    ///
    /// # Errors
    /// [`StreamError::Lagged`]: the subscriber fell behind (resume from its last id).
    pub async fn next(&mut self) -> Option<Result<FlowEventOut, StreamError>> {
        if let Some(e) = self.backlog.pop_front() {
            return Some(Ok(FlowEventOut::from(&*e)));
        }
        let rx = self.rx.as_mut()?;
        loop {
            match rx.recv().await {
                Ok(e) => {
                    if e.id <= self.last {
                        continue;
                    }
                    self.last = e.id;
                    if self.flow.as_deref().is_some_and(|f| *e.flow != *f) {
                        continue;
                    }
                    return Some(Ok(FlowEventOut::from(&*e)));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some(Err(StreamError::Lagged));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

impl From<&FlowEvent> for FlowEventOut {
    fn from(e: &FlowEvent) -> FlowEventOut {
        FlowEventOut {
            id: e.id,
            flow: e.flow.to_string(),
            replica: e.replica.as_deref().map(str::to_owned),
            kind: e.kind.as_str().to_owned(),
            time: crate::time::format_ts(e.time),
            data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
        }
    }
}
