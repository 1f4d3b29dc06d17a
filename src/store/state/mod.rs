//! The in-memory state machine: applies records in seq order and answers reads.
//!
//! State is built from persistent maps (`imbl`), so cloning a [`State`] is O(1) and a clone is a
//! consistent view that later commits never change: readers and snapshots hold such a view while
//! the writer goes on. Each domain owns one field; a new domain adds a field and a match arm.

pub mod checkpoints;
pub mod flows;
pub mod idempotency;
pub mod leases;
mod objects;
pub mod workflows;

use std::time::Duration;

pub use objects::{
    Entry, FreshIds, FreshOps, History, Namespace, NamespaceStats, ObjectRef, ObjectState,
    OutOfWindow, Version,
};

use crate::store::command::{ObjectOp, Op, Record};

/// How much history to keep per object.
#[derive(Debug, Clone, Copy)]
pub struct HistoryPolicy {
    /// Earlier versions kept per object.
    pub versions: usize,
    /// Earlier versions superseded longer ago than this are dropped (milliseconds).
    pub age_ms: i64,
}

impl HistoryPolicy {
    /// Builds a policy from a count and an age.
    pub fn new(versions: usize, age: Duration) -> Self {
        HistoryPolicy {
            versions,
            age_ms: i64::try_from(age.as_millis()).unwrap_or(i64::MAX),
        }
    }
}

/// The whole state at one commit_seq.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// The last applied commit_seq (0 when nothing was ever committed).
    pub seq: u64,
    /// The time of that commit (ms since the epoch).
    pub ts: i64,
    /// The objects domain.
    pub objects: ObjectState,
    /// Remembered answers of idempotent writes.
    pub idempotency: idempotency::IdempotencyState,
    /// Leases.
    pub leases: leases::LeaseState,
    /// Named checkpoints of objects.
    pub checkpoints: checkpoints::CheckpointState,
    /// Workflow graphs, runs and states.
    pub workflows: workflows::WorkflowState,
    /// Flows of supervised workers and their desired state.
    pub flows: flows::FlowState,
}

impl State {
    /// Applies one record. Records must come in seq order.
    pub fn apply(&mut self, record: &Record, policy: &HistoryPolicy) {
        self.apply_replayed(record, policy, FreshOps::NONE);
    }

    /// Applies one record read back from the log, with the hints a [`FreshIds`] made for it
    /// (created on this state, and shown every record applied since, in order).
    pub fn apply_replayed(&mut self, record: &Record, policy: &HistoryPolicy, fresh: FreshOps) {
        for (i, op) in record.ops.iter().enumerate() {
            match op {
                Op::Object(ObjectOp::Remember {
                    ns,
                    key,
                    request,
                    id,
                    data,
                }) => {
                    self.idempotency.remember(
                        ns.clone(),
                        key.clone(),
                        idempotency::Remembered {
                            request: *request,
                            id: id.clone(),
                            seq: record.seq,
                            ts: record.ts,
                            data: data.clone(),
                        },
                    );
                }
                Op::Object(op) => {
                    self.objects
                        .apply_op(record.seq, record.ts, op, policy, fresh.is_fresh(i));
                }
                Op::Lease(op) => self.leases.apply(record.seq, record.ts, op),
                Op::Checkpoint(op) => self.checkpoints.apply(record.seq, record.ts, op),
                Op::Workflow(op) => self.workflows.apply(op),
                Op::Flow(op) => self.flows.apply(op),
            }
        }
        self.seq = record.seq;
        self.ts = record.ts;
    }

    /// Drops history older than the policy allows at time `now` and forgets tombstones whose
    /// history is gone. Not logged: history is a read convenience, not state.
    pub fn prune_history(&mut self, now: i64, policy: &HistoryPolicy) {
        self.objects.prune_history(now, policy);
        self.idempotency.prune(now);
    }
}

#[cfg(test)]
pub(crate) mod diff;
#[cfg(test)]
mod replay_tests;
