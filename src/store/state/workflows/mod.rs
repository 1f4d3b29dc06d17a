//! The workflow domain's stored state: registered nodes, graph templates, runs and their
//! states, and the cron occurrences already fired, with the indexes the workflow engine needs
//! (due CREATED states per node, QUEUED states by timeout, states per run).
//!
//! The engine stores documents; what they mean (templating, fan-out, retries, unites) is decided
//! by the workflow module in transaction closures, which commit [`WorkflowOp`]s. Applying an op
//! is therefore plain bookkeeping, the same on the live path and on replay. JSON payloads are
//! kept as text (postcard cannot carry `serde_json::Value`).

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};
use serde::{Deserialize, Serialize};

pub use crate::workflow::status::StateStatus;

/// Validation outcome of a graph template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Validation {
    /// Not checked against the registered nodes yet.
    Pending,
    /// Every node is registered and fits.
    Valid,
    /// See the errors.
    Invalid,
}

impl Validation {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Validation::Pending => "PENDING",
            Validation::Valid => "VALID",
            Validation::Invalid => "INVALID",
        }
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

/// Changes to the workflow domain. Variants are append-only.
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

/// One snapshot item of the workflow domain.
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

type Pair = (Arc<str>, Arc<str>);
/// `(ns, node_name, enqueue_after, state id)`.
type ReadyKey = (Arc<str>, Arc<str>, i64, Arc<str>);
/// `(ns, graph, trigger)`.
type CronKey = (Arc<str>, Arc<str>, Arc<str>);

/// The workflow domain at one commit.
#[derive(Debug, Clone, Default)]
pub struct WorkflowState {
    nodes: OrdMap<Pair, Arc<NodeRecord>>,
    graphs: OrdMap<Pair, Arc<GraphRecord>>,
    runs: OrdMap<Arc<str>, Arc<RunRecord>>,
    states: OrdMap<Arc<str>, Arc<StateRecord>>,
    /// `(run_id, state_id)`.
    run_states: OrdSet<Pair>,
    /// CREATED states: `(ns, node_name, enqueue_after, id)`.
    ready: OrdSet<ReadyKey>,
    /// QUEUED states with a timeout: `(timeout_at, id)`.
    queued: OrdSet<(i64, Arc<str>)>,
    /// Last fired occurrence per `(ns, graph, trigger)`.
    cron: OrdMap<CronKey, i64>,
}

impl WorkflowState {
    /// Applies one op.
    pub fn apply(&mut self, op: &WorkflowOp) {
        match op {
            WorkflowOp::RegisterNodes { ns, nodes } => {
                for (name, node) in nodes {
                    self.nodes
                        .insert((ns.clone(), name.clone()), Arc::new(node.clone()));
                }
            }
            WorkflowOp::PutGraph { ns, name, graph } => {
                self.graphs
                    .insert((ns.clone(), name.clone()), Arc::new(graph.clone()));
            }
            WorkflowOp::SetValidation {
                ns,
                name,
                updated_at,
                validation,
                errors,
            } => {
                if let Some(g) = self.graphs.get_mut(&(ns.clone(), name.clone()))
                    && g.updated_at == *updated_at
                {
                    let g = Arc::make_mut(g);
                    g.validation = *validation;
                    g.errors = errors.clone();
                }
            }
            WorkflowOp::DeleteGraph { ns, name } => {
                self.graphs.remove(&(ns.clone(), name.clone()));
            }
            WorkflowOp::PutRun(run) => {
                self.runs.insert(run.run_id.clone(), Arc::new(run.clone()));
            }
            WorkflowOp::PutStates(states) => {
                for s in states {
                    self.put_state(s.clone());
                }
            }
            WorkflowOp::DeleteRuns(ids) => {
                for run_id in ids {
                    self.runs.remove(run_id);
                    let ids: Vec<Arc<str>> = self
                        .run_states
                        .range((run_id.clone(), Arc::from(""))..)
                        .take_while(|(r, _)| r == run_id)
                        .map(|(_, s)| s.clone())
                        .collect();
                    for id in ids {
                        if let Some(old) = self.states.remove(&id) {
                            self.unindex(&old);
                        }
                    }
                }
            }
            WorkflowOp::CronFired {
                ns,
                graph,
                trigger,
                at,
            } => {
                self.cron
                    .insert((ns.clone(), graph.clone(), trigger.clone()), *at);
            }
        }
    }

    fn unindex(&mut self, s: &StateRecord) {
        self.run_states.remove(&(s.run_id.clone(), s.id.clone()));
        self.ready.remove(&(
            s.ns.clone(),
            s.node_name.clone(),
            s.enqueue_after,
            s.id.clone(),
        ));
        if let Some(t) = s.timeout_at {
            self.queued.remove(&(t, s.id.clone()));
        }
    }

    fn put_state(&mut self, s: StateRecord) {
        if let Some(old) = self.states.get(&s.id).cloned() {
            self.unindex(&old);
        }
        self.run_states.insert((s.run_id.clone(), s.id.clone()));
        match s.status {
            StateStatus::Created => {
                self.ready.insert((
                    s.ns.clone(),
                    s.node_name.clone(),
                    s.enqueue_after,
                    s.id.clone(),
                ));
            }
            StateStatus::Queued => {
                if let Some(t) = s.timeout_at {
                    self.queued.insert((t, s.id.clone()));
                }
            }
            _ => {}
        }
        self.states.insert(s.id.clone(), Arc::new(s));
    }

    /// A registered node.
    pub fn node(&self, ns: &str, name: &str) -> Option<&Arc<NodeRecord>> {
        self.nodes.get(&(Arc::from(ns), Arc::from(name)))
    }

    /// The registered nodes of a namespace, by name.
    pub fn nodes_in<'a>(
        &'a self,
        ns: &'a str,
    ) -> impl Iterator<Item = (&'a Arc<str>, &'a Arc<NodeRecord>)> + 'a {
        self.nodes
            .range((Arc::from(ns), Arc::from(""))..)
            .take_while(move |((n, _), _)| n.as_ref() == ns)
            .map(|((_, name), node)| (name, node))
    }

    /// Namespaces with registered nodes.
    pub fn node_namespaces(&self) -> Vec<Arc<str>> {
        let mut out: Vec<Arc<str>> = Vec::new();
        for (ns, _) in self.nodes.keys() {
            if out.last() != Some(ns) {
                out.push(ns.clone());
            }
        }
        out
    }

    /// A graph template.
    pub fn graph(&self, ns: &str, name: &str) -> Option<&Arc<GraphRecord>> {
        self.graphs.get(&(Arc::from(ns), Arc::from(name)))
    }

    /// The graph templates of a namespace, by name.
    pub fn graphs_in<'a>(
        &'a self,
        ns: &'a str,
    ) -> impl Iterator<Item = (&'a Arc<str>, &'a Arc<GraphRecord>)> + 'a {
        self.graphs
            .range((Arc::from(ns), Arc::from(""))..)
            .take_while(move |((n, _), _)| n.as_ref() == ns)
            .map(|((_, name), g)| (name, g))
    }

    /// Every graph template: `((ns, name), graph)`.
    pub fn all_graphs(&self) -> impl Iterator<Item = (&Pair, &Arc<GraphRecord>)> {
        self.graphs.iter()
    }

    /// A run.
    pub fn run(&self, run_id: &str) -> Option<&Arc<RunRecord>> {
        self.runs.get(run_id)
    }

    /// Every run, by id (ULIDs: creation order).
    pub fn runs(&self) -> impl DoubleEndedIterator<Item = &Arc<RunRecord>> {
        self.runs.values()
    }

    /// A state.
    pub fn state(&self, id: &str) -> Option<&Arc<StateRecord>> {
        self.states.get(id)
    }

    /// The states of a run, by id.
    pub fn run_states<'a>(
        &'a self,
        run_id: &'a str,
    ) -> impl Iterator<Item = &'a Arc<StateRecord>> + 'a {
        self.run_states
            .range((Arc::from(run_id), Arc::from(""))..)
            .take_while(move |(r, _)| r.as_ref() == run_id)
            .filter_map(|(_, id)| self.states.get(id))
    }

    /// CREATED states of `node` in `ns` due at `now`, oldest due first.
    pub fn due<'a>(
        &'a self,
        ns: &'a str,
        node: &'a str,
        now: i64,
    ) -> impl Iterator<Item = &'a Arc<StateRecord>> + 'a {
        let start = (Arc::from(ns), Arc::from(node), i64::MIN, Arc::from(""));
        self.ready
            .range(start..)
            .take_while(move |(n, node_name, after, _)| {
                n.as_ref() == ns && node_name.as_ref() == node && *after <= now
            })
            .filter_map(|(_, _, _, id)| self.states.get(id))
    }

    /// QUEUED states whose timeout is at or before `now`.
    pub fn timed_out(&self, now: i64) -> impl Iterator<Item = &Arc<StateRecord>> {
        self.queued
            .iter()
            .take_while(move |(t, _)| *t <= now)
            .filter_map(|(_, id)| self.states.get(id))
    }

    /// The last fired occurrence of a cron trigger.
    pub fn cron_fired(&self, ns: &str, graph: &str, trigger: &str) -> Option<i64> {
        self.cron
            .get(&(Arc::from(ns), Arc::from(graph), Arc::from(trigger)))
            .copied()
    }

    /// Everything, as snapshot items.
    pub fn items(&self) -> impl Iterator<Item = WorkflowItem> + '_ {
        let nodes = self
            .nodes
            .iter()
            .map(|((ns, n), r)| WorkflowItem::Node(ns.clone(), n.clone(), r.as_ref().clone()));
        let graphs = self
            .graphs
            .iter()
            .map(|((ns, n), g)| WorkflowItem::Graph(ns.clone(), n.clone(), g.as_ref().clone()));
        let runs = self
            .runs
            .values()
            .map(|r| WorkflowItem::Run(r.as_ref().clone()));
        let states = self
            .states
            .values()
            .map(|s| WorkflowItem::State(s.as_ref().clone()));
        let cron = self
            .cron
            .iter()
            .map(|((ns, g, t), at)| WorkflowItem::Cron(ns.clone(), g.clone(), t.clone(), *at));
        nodes.chain(graphs).chain(runs).chain(states).chain(cron)
    }

    /// Restores one snapshot item.
    pub fn restore(&mut self, item: WorkflowItem) {
        match item {
            WorkflowItem::Node(ns, n, r) => {
                self.nodes.insert((ns, n), Arc::new(r));
            }
            WorkflowItem::Graph(ns, n, g) => {
                self.graphs.insert((ns, n), Arc::new(g));
            }
            WorkflowItem::Run(r) => {
                self.runs.insert(r.run_id.clone(), Arc::new(r));
            }
            WorkflowItem::State(s) => self.put_state(s),
            WorkflowItem::Cron(ns, g, t, at) => {
                self.cron.insert((ns, g, t), at);
            }
        }
    }
}

#[cfg(test)]
mod tests;
