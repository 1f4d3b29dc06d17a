//! Flows (issue 20): each flow's manifest and desired state, by name, as the flow manager
//! (`crate::flow`) last committed them. The engine does not read manifests: it keeps their
//! JSON text, so the manifest's schema can grow without touching the log format.

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

/// Changes to flows. Tags (append-only): `Put` 0, `Delete` 1.
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
}

/// Flows by name.
#[derive(Debug, Clone, Default)]
pub struct FlowState {
    flows: OrdMap<Arc<str>, FlowRecord>,
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
        }
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
        let FlowState { flows } = self;
        let FlowState { flows: got_flows } = got;
        d.map("flows", flows, got_flows);
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
}
