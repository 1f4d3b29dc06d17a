//! The workflow domain's documents as stored: registered nodes, graph templates, runs, states,
//! and the commands ([`WorkflowOp`]) and snapshot items ([`WorkflowItem`]) that carry them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::StateStatus;
use crate::store::derived::Derived;
use crate::store::tags::stored_enum;

stored_enum! {
    /// Validation outcome of a graph template. Tags are append-only (see
    /// [`crate::store::tags`]).
    pub enum Validation {
        /// Not checked against the registered nodes yet.
        Pending = 0 as "PENDING",
        /// Every node is registered and fits.
        Valid = 1 as "VALID",
        /// See the errors.
        Invalid = 2 as "INVALID",
    }
}

/// A registered node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeRecord {
    /// The runtime that registered it last.
    pub runtime_name: Arc<str>,
    /// `{name, inputs_schema, outputs_schema, secrets}` as JSON text.
    pub spec: Arc<str>,
    /// First registration (ms).
    pub created_at: i64,
    /// Last registration (ms).
    pub updated_at: i64,
}

/// A graph template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphRecord {
    /// The template without its secrets (`{nodes, retry_policy, store_config, triggers}`), JSON.
    pub template: Arc<str>,
    /// Secret names and their sealed values (AES-256-GCM, URL-safe base64).
    pub secrets: Vec<(Arc<str>, Arc<str>)>,
    /// Validation against the registered nodes.
    pub validation: Validation,
    /// Why it is invalid.
    pub errors: Vec<String>,
    /// First upsert (ms).
    pub created_at: i64,
    /// Last upsert (ms).
    pub updated_at: i64,
    /// The template parsed by the workflow domain, once per stored version (not stored).
    #[serde(skip)]
    pub parsed: Derived,
}

/// A run of a graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Run id.
    pub run_id: Arc<str>,
    /// Namespace.
    pub ns: Arc<str>,
    /// Graph.
    pub graph_name: Arc<str>,
    /// Trigger time (ms).
    pub created_at: i64,
    /// Store values set at trigger time (defaults filled in).
    pub store: Vec<(String, String)>,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<i64>,
}

/// One state (one node execution of a run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateRecord {
    /// State id.
    pub id: Arc<str>,
    /// Namespace.
    pub ns: Arc<str>,
    /// Registered node name.
    pub node_name: Arc<str>,
    /// Identifier of the node in the graph.
    pub identifier: Arc<str>,
    /// Graph.
    pub graph_name: Arc<str>,
    /// Run.
    pub run_id: Arc<str>,
    /// Status.
    pub status: StateStatus,
    /// Inputs, a JSON object as text.
    pub inputs: String,
    /// Outputs, a JSON object as text (`{}` until executed).
    pub outputs: String,
    /// Prune payload, JSON text.
    pub data: Option<String>,
    /// Error text.
    pub error: Option<String>,
    /// Ancestors: identifier -> state id, root first.
    pub parents: Vec<(Arc<str>, Arc<str>)>,
    /// Not enqueued before this time (ms).
    pub enqueue_after: i64,
    /// How many retries came before this state.
    pub retry_count: u32,
    /// Fan-out branch id.
    pub fanout_id: Arc<str>,
    /// The `fanout_id` of the manual retry that created it.
    pub manual_retry_fanout_id: Option<Arc<str>>,
    /// Whether it is the merge state of a `unites` node.
    pub does_unites: bool,
    /// When it was handed out (ms).
    pub queued_at: Option<i64>,
    /// When a QUEUED state times out (ms).
    pub timeout_at: Option<i64>,
    /// Creation (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
}

/// Changes to the workflow domain. Variants are append-only; tags: `RegisterNodes` 0,
/// `PutGraph` 1, `SetValidation` 2, `DeleteGraph` 3, `PutRun` 4, `PutStates` 5, `DeleteRuns` 6,
/// `CronFired` 7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkflowOp {
    /// Upserts the nodes of a runtime.
    RegisterNodes {
        /// Namespace.
        ns: Arc<str>,
        /// `(name, record)` pairs.
        nodes: Vec<(Arc<str>, NodeRecord)>,
    },
    /// Creates or replaces a graph template.
    PutGraph {
        /// Namespace.
        ns: Arc<str>,
        /// Graph name.
        name: Arc<str>,
        /// The template.
        graph: GraphRecord,
    },
    /// Records the validation outcome of a graph (only if the template is still the one
    /// validated: `updated_at` must match).
    SetValidation {
        /// Namespace.
        ns: Arc<str>,
        /// Graph name.
        name: Arc<str>,
        /// The template version validated.
        updated_at: i64,
        /// Outcome.
        validation: Validation,
        /// Why invalid.
        errors: Vec<String>,
    },
    /// Deletes a graph template (its runs stay).
    DeleteGraph {
        /// Namespace.
        ns: Arc<str>,
        /// Graph name.
        name: Arc<str>,
    },
    /// Creates or replaces a run.
    PutRun(RunRecord),
    /// Creates or replaces states.
    PutStates(Vec<StateRecord>),
    /// Removes runs and all their states (retention).
    DeleteRuns(Vec<Arc<str>>),
    /// Records that a cron occurrence fired, so it fires once.
    CronFired {
        /// Namespace.
        ns: Arc<str>,
        /// Graph name.
        graph: Arc<str>,
        /// The trigger (`expression` or `expression@zone`).
        trigger: Arc<str>,
        /// The occurrence (ms).
        at: i64,
    },
}

/// One snapshot item of the workflow domain. Variants are append-only; tags: `Node` 0,
/// `Graph` 1, `Run` 2, `State` 3, `Cron` 4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkflowItem {
    /// A registered node.
    Node(Arc<str>, Arc<str>, NodeRecord),
    /// A graph template.
    Graph(Arc<str>, Arc<str>, GraphRecord),
    /// A run.
    Run(RunRecord),
    /// A state.
    State(StateRecord),
    /// The last fired occurrence of a cron trigger.
    Cron(Arc<str>, Arc<str>, Arc<str>, i64),
}
