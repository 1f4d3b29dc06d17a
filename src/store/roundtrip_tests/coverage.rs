//! What the round-trip test exercised: every variant of [`Op`] and of each inner op enum, every
//! [`StateStatus`], every snapshot [`Item`], the object shapes the engine must carry (tags, TTL,
//! parents, history, tombstones) and each way of rebuilding state.
//!
//! [`Seen::op`] and [`Seen::item`] match without a wildcard: a new variant does not compile
//! until it gets an arm, the arm sets a new field of [`Seen`], and the field is listed by
//! [`Seen::missing`] until the generator produces it (the fixed-seed test fails meanwhile).

use crate::store::command::{CheckpointOp, DeleteReason, LeaseOp, ObjectOp, Op};
use crate::store::snapshot::Item;
use crate::store::state::flows::{DeployStatus, EventKind, FlowDesired, FlowOp};
use crate::store::state::workflows::{StateStatus, Validation, WorkflowItem, WorkflowOp};

/// Declares [`Seen`] with one flag per listed name; [`Seen::missing`] names the flags not set.
macro_rules! seen {
    ($($flag:ident),* $(,)?) => {
        /// One flag per thing the test must exercise.
        #[derive(Debug, Default, Clone)]
        pub(super) struct Seen {
            $(pub(super) $flag: bool,)*
        }

        impl Seen {
            /// The flags not set, by name.
            pub(super) fn missing(&self) -> Vec<&'static str> {
                let Seen { $($flag),* } = self;
                let mut out = Vec::new();
                $(if !*$flag { out.push(stringify!($flag)); })*
                out
            }

            /// Sets every flag `other` has.
            pub(super) fn merge(&mut self, other: &Seen) {
                $(self.$flag |= other.$flag;)*
            }
        }
    };
}

seen! {
    // Ops, by domain.
    object_put, object_delete_deleted, object_delete_expired, object_remember,
    lease_acquire, lease_renew, lease_release,
    checkpoint_create, checkpoint_delete,
    workflow_register_nodes, workflow_put_graph, workflow_set_validation, workflow_delete_graph,
    workflow_put_run, workflow_put_states, workflow_delete_runs, workflow_cron_fired,
    flow_put, flow_delete, flow_event, flow_event_with_replica, flow_event_pruned_by_age,
    event_status_changed, event_crashed, event_restarted, event_health_warning,
    event_resource_alert, event_message_received, event_activity, event_error,
    flow_running, flow_stopped,
    deploy_deploying, deploy_ready, deploy_rolled_back, deploy_failed,
    validation_pending, validation_valid, validation_invalid,
    // Every state status.
    status_created, status_queued, status_executed, status_errored, status_next_created_error,
    status_success, status_pruned, status_retry_created, status_timedout, status_cancelled,
    // Shapes the generator must produce.
    put_with_tags, put_with_ttl, put_with_parents, graph_with_secrets, graph_with_cron_trigger,
    run_cancelled, state_with_timeout, merge_state,
    // Snapshot items, by kind.
    item_object, item_idempotency, item_lease, item_checkpoints,
    item_node, item_graph, item_run, item_state, item_cron, item_flow, item_flow_event,
    // What snapshots held.
    snapshot_with_history, snapshot_with_pruned_history, snapshot_with_tombstone,
    // Ways of rebuilding state.
    sealed_case, plaintext_case, reopened_from_snapshot, reopened_after_trim,
    recovered_to_seq, recovered_to_time, restored_plaintext, restored_sealed,
}

/// The flags only an engine run can set (the ways state was rebuilt); a fixed log of ops sets
/// every other one.
pub(super) const REBUILDS: [&str; 8] = [
    "sealed_case",
    "plaintext_case",
    "reopened_from_snapshot",
    "reopened_after_trim",
    "recovered_to_seq",
    "recovered_to_time",
    "restored_plaintext",
    "restored_sealed",
];

impl Seen {
    /// Notes an op the generator produced.
    pub(super) fn op(&mut self, op: &Op) {
        match op {
            Op::Object(op) => match op {
                ObjectOp::Put { data, .. } => {
                    self.object_put = true;
                    self.put_with_tags |= !data.tags().is_empty();
                    self.put_with_ttl |= data.ttl_seconds().is_some();
                    self.put_with_parents |= !data.parents().is_empty();
                }
                ObjectOp::Delete { reason, .. } => match reason {
                    DeleteReason::Deleted => self.object_delete_deleted = true,
                    DeleteReason::Expired => self.object_delete_expired = true,
                },
                ObjectOp::Remember { .. } => self.object_remember = true,
            },
            Op::Lease(op) => match op {
                LeaseOp::Acquire { .. } => self.lease_acquire = true,
                LeaseOp::Renew { .. } => self.lease_renew = true,
                LeaseOp::Release { .. } => self.lease_release = true,
            },
            Op::Checkpoint(op) => match op {
                CheckpointOp::Create { .. } => self.checkpoint_create = true,
                CheckpointOp::Delete { .. } => self.checkpoint_delete = true,
            },
            Op::Workflow(op) => self.workflow(op),
            Op::Flow(op) => match op {
                FlowOp::Put { flow, .. } => {
                    self.flow_put = true;
                    match flow.desired {
                        FlowDesired::Running => self.flow_running = true,
                        FlowDesired::Stopped => self.flow_stopped = true,
                    }
                    match flow.deploy {
                        DeployStatus::Deploying => self.deploy_deploying = true,
                        DeployStatus::Ready => self.deploy_ready = true,
                        DeployStatus::RolledBack => self.deploy_rolled_back = true,
                        DeployStatus::Failed => self.deploy_failed = true,
                    }
                }
                FlowOp::Delete { .. } => self.flow_delete = true,
                FlowOp::Event { event, retention } => {
                    self.flow_event = true;
                    self.flow_event_with_replica |= event.replica.is_some();
                    self.flow_event_pruned_by_age |= retention.max_age_ms > 0;
                    match event.kind {
                        EventKind::StatusChanged => self.event_status_changed = true,
                        EventKind::Crashed => self.event_crashed = true,
                        EventKind::Restarted => self.event_restarted = true,
                        EventKind::HealthWarning => self.event_health_warning = true,
                        EventKind::ResourceAlert => self.event_resource_alert = true,
                        EventKind::MessageReceived => self.event_message_received = true,
                        EventKind::Activity => self.event_activity = true,
                        EventKind::Error => self.event_error = true,
                    }
                }
            },
        }
    }

    fn workflow(&mut self, op: &WorkflowOp) {
        match op {
            WorkflowOp::RegisterNodes { .. } => self.workflow_register_nodes = true,
            WorkflowOp::PutGraph { graph, .. } => {
                self.workflow_put_graph = true;
                self.validation(graph.validation);
                self.graph_with_secrets |= !graph.secrets.is_empty();
                self.graph_with_cron_trigger |= graph.template.contains("\"CRON\"");
            }
            WorkflowOp::SetValidation { validation, .. } => {
                self.workflow_set_validation = true;
                self.validation(*validation);
            }
            WorkflowOp::DeleteGraph { .. } => self.workflow_delete_graph = true,
            WorkflowOp::PutRun(run) => {
                self.workflow_put_run = true;
                self.run_cancelled |= run.cancelled_at.is_some();
            }
            WorkflowOp::PutStates(states) => {
                self.workflow_put_states = true;
                for s in states {
                    self.status(s.status);
                    self.state_with_timeout |= s.timeout_at.is_some();
                    self.merge_state |= s.does_unites;
                }
            }
            WorkflowOp::DeleteRuns(_) => self.workflow_delete_runs = true,
            WorkflowOp::CronFired { .. } => self.workflow_cron_fired = true,
        }
    }

    fn validation(&mut self, v: Validation) {
        match v {
            Validation::Pending => self.validation_pending = true,
            Validation::Valid => self.validation_valid = true,
            Validation::Invalid => self.validation_invalid = true,
        }
    }

    fn status(&mut self, s: StateStatus) {
        match s {
            StateStatus::Created => self.status_created = true,
            StateStatus::Queued => self.status_queued = true,
            StateStatus::Executed => self.status_executed = true,
            StateStatus::Errored => self.status_errored = true,
            StateStatus::NextCreatedError => self.status_next_created_error = true,
            StateStatus::Success => self.status_success = true,
            StateStatus::Pruned => self.status_pruned = true,
            StateStatus::RetryCreated => self.status_retry_created = true,
            StateStatus::Timedout => self.status_timedout = true,
            StateStatus::Cancelled => self.status_cancelled = true,
        }
    }

    /// Notes an item read back from a snapshot.
    pub(super) fn item(&mut self, item: &Item) {
        match item {
            Item::Object { entry, .. } => {
                self.item_object = true;
                let history = entry.history.as_deref();
                self.snapshot_with_history |= history.is_some_and(|h| !h.versions.is_empty());
                self.snapshot_with_pruned_history |= history.is_some_and(|h| h.pruned);
                self.snapshot_with_tombstone |= entry.current.data.is_none();
            }
            Item::Idempotency { .. } => self.item_idempotency = true,
            Item::Lease { .. } => self.item_lease = true,
            Item::Checkpoints { .. } => self.item_checkpoints = true,
            Item::Workflow(item) => match item.as_ref() {
                WorkflowItem::Node(..) => self.item_node = true,
                WorkflowItem::Graph(..) => self.item_graph = true,
                WorkflowItem::Run(_) => self.item_run = true,
                WorkflowItem::State(_) => self.item_state = true,
                WorkflowItem::Cron(..) => self.item_cron = true,
            },
            Item::Flow { .. } => self.item_flow = true,
            Item::FlowEvent(_) => self.item_flow_event = true,
        }
    }
}
