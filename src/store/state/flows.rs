//! Flows (issue 20): each flow's manifest and desired state, by name, as the flow manager
//! (`crate::flow`) last committed them. The engine does not read manifests: it keeps their
//! JSON text, so the manifest's schema can grow without touching the log format.
//!
//! It also keeps the flow event journal ([`FlowEvent`]): the last events of every flow, bounded
//! by count and age. Each [`FlowOp::Event`] carries its own retention, so replaying the log
//! prunes exactly as the live server did.

use std::sync::Arc;

use imbl::OrdMap;
use serde::{Deserialize, Serialize};

use crate::store::tags::stored_enum;

stored_enum! {
    /// What a flow should be doing. Tags are append-only (see [`crate::store::tags`]).
    pub enum FlowDesired {
        /// Its workers run.
        Running = 0 as "running",
        /// Its workers are stopped (the flow is kept).
        Stopped = 1 as "stopped",
    }
}

stored_enum! {
    /// Where the last deploy of a flow stands. Tags are append-only.
    pub enum DeployStatus {
        /// Workers are being replaced; not every replica of the new manifest is ready yet.
        Deploying = 0 as "deploying",
        /// Every replica of the manifest in place became ready (or the flow is stopped).
        Ready = 1 as "ready",
        /// A replica of the new manifest never became ready: the previous manifest is back.
        RolledBack = 2 as "rolled_back",
        /// A first deploy whose replicas never became ready (nothing to roll back to).
        Failed = 3 as "failed",
    }
}

/// One flow as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRecord {
    /// The manifest in place, as JSON text.
    pub manifest: Arc<str>,
    /// The manifest it replaced (what a rollback goes back to), as JSON text.
    pub previous: Option<Arc<str>>,
    /// Running or stopped.
    pub desired: FlowDesired,
    /// Deploys so far (1 after the first).
    pub generation: u64,
    /// Where the last deploy stands.
    pub deploy: DeployStatus,
    /// Why it stands there (a rollback's reason), if anything needs saying.
    pub message: Option<Arc<str>>,
    /// First deploy (ms since the epoch).
    pub created_at: i64,
    /// Last change (ms since the epoch).
    pub updated_at: i64,
}

stored_enum! {
    /// What a flow event says happened. Tags are append-only.
    pub enum EventKind {
        /// A replica changed state (`data`: `from`, `to`, `reason`).
        StatusChanged = 0 as "status_changed",
        /// A replica's process ended on its own (`data`: `code` or `signal`, `exit`).
        Crashed = 1 as "crashed",
        /// A replica was started again after it ended (`data`: `restarts`, `pid`).
        Restarted = 2 as "restarted",
        /// A replica's readiness or liveness probe fails (`data`: `reason`).
        HealthWarning = 3 as "health_warning",
        /// A replica crossed a resource threshold, up or back down (`data`: `resource`,
        /// `value`, `threshold`, `over`).
        ResourceAlert = 4 as "resource_alert",
        /// A replica sent a frame on its control socket unprompted (`data`: the frame).
        MessageReceived = 5 as "message_received",
        /// The manager acted on the flow (`data`: `action` and its arguments).
        Activity = 6 as "activity",
        /// Something failed (`data`: `error`, a typed code such as `malformed_frame`, and
        /// `message`).
        Error = 7 as "error",
    }
}

/// One event of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowEvent {
    /// Increases with every event of this server: the resume cursor.
    pub id: u64,
    /// The flow.
    pub flow: Arc<str>,
    /// The replica (`WORKER-N`), when the event is about one.
    pub replica: Option<Arc<str>>,
    /// What happened.
    pub kind: EventKind,
    /// When (ms since the epoch).
    pub time: i64,
    /// Details, as JSON text (an object).
    pub data: Arc<str>,
}

/// How many events the journal keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// At most this many events (the oldest go first).
    pub keep: u32,
    /// Events older than this many ms before the newest go (0: no age limit).
    pub max_age_ms: u64,
}

/// Changes to flows. Tags (append-only): `Put` 0, `Delete` 1, `Event` 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FlowOp {
    /// Creates or replaces a flow.
    Put {
        /// Flow name.
        name: Arc<str>,
        /// The whole record.
        flow: FlowRecord,
    },
    /// Removes a flow.
    Delete {
        /// Flow name.
        name: Arc<str>,
    },
    /// Appends an event to the journal, then prunes it to `retention`.
    Event {
        /// The event.
        event: FlowEvent,
        /// What the journal keeps after it.
        retention: Retention,
    },
}

/// Flows by name, and the event journal.
#[derive(Debug, Clone, Default)]
pub struct FlowState {
    flows: OrdMap<Arc<str>, FlowRecord>,
    events: OrdMap<u64, FlowEvent>,
}

impl FlowState {
    /// Applies one op.
    pub fn apply(&mut self, op: &FlowOp) {
        match op {
            FlowOp::Put { name, flow } => {
                self.flows.insert(name.clone(), flow.clone());
            }
            FlowOp::Delete { name } => {
                self.flows.remove(name);
            }
            FlowOp::Event { event, retention } => {
                let newest = event.time;
                self.events.insert(event.id, event.clone());
                while self.events.len() > retention.keep as usize {
                    self.drop_oldest_event();
                }
                if retention.max_age_ms > 0 {
                    let age = i64::try_from(retention.max_age_ms).unwrap_or(i64::MAX);
                    let cutoff = newest.saturating_sub(age);
                    while self
                        .events
                        .get_min()
                        .is_some_and(|(_, e)| e.time < cutoff && e.id != event.id)
                    {
                        self.drop_oldest_event();
                    }
                }
            }
        }
    }

    fn drop_oldest_event(&mut self) {
        if let Some(id) = self.events.get_min().map(|(id, _)| *id) {
            self.events.remove(&id);
        }
    }

    /// Journal events with an id above `after`, oldest first.
    pub fn events_after(&self, after: u64) -> impl Iterator<Item = &FlowEvent> {
        self.events
            .range((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
            .map(|(_, e)| e)
    }

    /// The id of the newest event in the journal.
    pub fn last_event_id(&self) -> Option<u64> {
        self.events.get_max().map(|(id, _)| *id)
    }

    /// Number of journal events (O(1)).
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Puts an event back as read from a snapshot.
    pub fn restore_event(&mut self, event: FlowEvent) {
        self.events.insert(event.id, event);
    }

    /// The flow `name`.
    pub fn get(&self, name: &str) -> Option<&FlowRecord> {
        self.flows.get(name)
    }

    /// Puts a flow back as read from a snapshot.
    pub fn restore(&mut self, name: Arc<str>, flow: FlowRecord) {
        self.flows.insert(name, flow);
    }

    /// Number of flows (O(1)).
    pub fn len(&self) -> usize {
        self.flows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }

    /// Every flow, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &FlowRecord)> {
        self.flows.iter()
    }
}

#[cfg(test)]
impl FlowState {
    /// Compares with `got` field by field (see `crate::store::state::diff`).
    pub(crate) fn diff(&self, got: &Self, d: &mut super::diff::Diff) {
        let FlowState { flows, events } = self;
        let FlowState {
            flows: got_flows,
            events: got_events,
        } = got;
        d.map("flows", flows, got_flows);
        d.map("flows.events", events, got_events);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(generation: u64) -> FlowRecord {
        FlowRecord {
            manifest: r#"{"name":"f"}"#.into(),
            previous: None,
            desired: FlowDesired::Running,
            generation,
            deploy: DeployStatus::Ready,
            message: None,
            created_at: 1,
            updated_at: 2,
        }
    }

    #[test]
    fn put_replaces_and_delete_removes() {
        let mut s = FlowState::default();
        s.apply(&FlowOp::Put {
            name: "f".into(),
            flow: record(1),
        });
        s.apply(&FlowOp::Put {
            name: "f".into(),
            flow: record(2),
        });
        assert_eq!(s.get("f").map(|f| f.generation), Some(2));
        assert_eq!(s.len(), 1);
        s.apply(&FlowOp::Delete { name: "f".into() });
        assert!(s.is_empty() && s.get("f").is_none());
    }

    fn event(id: u64, time: i64, keep: u32, max_age_ms: u64) -> FlowOp {
        FlowOp::Event {
            event: FlowEvent {
                id,
                flow: "f".into(),
                replica: None,
                kind: EventKind::Activity,
                time,
                data: "{}".into(),
            },
            retention: Retention { keep, max_age_ms },
        }
    }

    #[test]
    fn the_journal_keeps_what_each_event_says_by_count_and_age() {
        let mut s = FlowState::default();
        for id in 1..=5 {
            s.apply(&event(id, 1000 * i64::try_from(id).unwrap(), 3, 0));
        }
        let ids: Vec<u64> = s.events_after(0).map(|e| e.id).collect();
        assert_eq!(ids, [3, 4, 5]);
        assert_eq!(s.events_after(4).count(), 1);
        // Age: events more than 1.5 s older than the newest go.
        s.apply(&event(6, 6000, 100, 1500));
        let ids: Vec<u64> = s.events_after(0).map(|e| e.id).collect();
        assert_eq!(ids, [5, 6]);
        assert_eq!(s.last_event_id(), Some(6));
        assert_eq!(s.event_count(), 2);
    }
}
