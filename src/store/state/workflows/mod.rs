//! The workflow domain's stored state: registered nodes, graph templates, runs and their
//! states, and the cron occurrences already fired, with the indexes the workflow engine needs
//! (due CREATED states per node, QUEUED states by timeout, states per run, and the states of a
//! run a merge decision looks at).
//!
//! The engine stores documents; what they mean (templating, fan-out, retries, unites) is decided
//! by the workflow module in transaction closures, which commit [`WorkflowOp`]s. Applying an op
//! is therefore plain bookkeeping, the same on the live path and on replay. JSON payloads are
//! kept as text (postcard cannot carry `serde_json::Value`).

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

mod records;
mod status;

pub use records::{
    GraphRecord, NodeRecord, RunRecord, StateRecord, Validation, WorkflowItem, WorkflowOp,
};
pub use status::StateStatus;

type Pair = (Arc<str>, Arc<str>);

/// The `(run_id, _)` pairs of one run: each sorts before `(run_id + "\0", "")`, and every pair
/// of another run outside the range.
fn run_range(run_id: &str) -> std::ops::Range<Pair> {
    (Arc::from(run_id), Arc::from(""))..(Arc::from(format!("{run_id}\0")), Arc::from(""))
}

/// Whether a merge decision must look at `s`: pending, failed, or a merge itself. Branch
/// states that succeeded (or were pruned, or replaced by a retry) are settled.
pub fn is_unsettled(s: &StateRecord) -> bool {
    s.does_unites || !s.status.is_settled_success()
}
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
    /// `(run_id, state_id)` of the states other than settled successes: pending ones, failed
    /// ones and merges. A merge (`unites`) is due once none of these is left under its target,
    /// so deciding it reads these, not the thousands of finished branches of a fan-out.
    unsettled: OrdSet<Pair>,
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
                        .range(run_range(run_id))
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
        if is_unsettled(s) {
            self.unsettled.remove(&(s.run_id.clone(), s.id.clone()));
        }
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
        if is_unsettled(&s) {
            self.unsettled.insert((s.run_id.clone(), s.id.clone()));
        }
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
        run_id: &str,
    ) -> impl Iterator<Item = &'a Arc<StateRecord>> + 'a {
        self.run_states
            .range(run_range(run_id))
            .filter_map(|(_, id)| self.states.get(id))
    }

    /// The states of a run other than settled successes (see [`is_unsettled`]), by id.
    pub fn unsettled_run_states<'a>(
        &'a self,
        run_id: &str,
    ) -> impl Iterator<Item = &'a Arc<StateRecord>> + 'a {
        self.unsettled
            .range(run_range(run_id))
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

    /// How many items [`WorkflowState::items`] yields (O(1)).
    pub fn item_count(&self) -> u64 {
        let (nodes, graphs, runs, states, cron) = self.documents();
        (nodes.len() + graphs.len() + runs.len() + states.len() + cron.len()) as u64
    }

    /// The documents a snapshot holds; the rest are indexes rebuilt from them on restore.
    /// Destructured without `..`: a new field does not compile until it is placed here.
    #[allow(clippy::type_complexity)]
    fn documents(
        &self,
    ) -> (
        &OrdMap<Pair, Arc<NodeRecord>>,
        &OrdMap<Pair, Arc<GraphRecord>>,
        &OrdMap<Arc<str>, Arc<RunRecord>>,
        &OrdMap<Arc<str>, Arc<StateRecord>>,
        &OrdMap<CronKey, i64>,
    ) {
        let WorkflowState {
            nodes,
            graphs,
            runs,
            states,
            cron,
            run_states: _,
            unsettled: _,
            ready: _,
            queued: _,
        } = self;
        (nodes, graphs, runs, states, cron)
    }

    /// Everything, as snapshot items.
    pub fn items(&self) -> impl Iterator<Item = WorkflowItem> + '_ {
        let (nodes, graphs, runs, states, cron) = self.documents();
        let nodes = nodes
            .iter()
            .map(|((ns, n), r)| WorkflowItem::Node(ns.clone(), n.clone(), r.as_ref().clone()));
        let graphs = graphs
            .iter()
            .map(|((ns, n), g)| WorkflowItem::Graph(ns.clone(), n.clone(), g.as_ref().clone()));
        let runs = runs.values().map(|r| WorkflowItem::Run(r.as_ref().clone()));
        let states = states
            .values()
            .map(|s| WorkflowItem::State(s.as_ref().clone()));
        let cron = cron
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
impl WorkflowState {
    /// Compares with `got` field by field, the indexes included: they are not in a snapshot
    /// and must be rebuilt from its documents exactly as the live path maintains them (see
    /// `crate::store::state::diff`).
    pub(crate) fn diff(&self, got: &Self, d: &mut super::diff::Diff) {
        let WorkflowState {
            nodes,
            graphs,
            runs,
            states,
            run_states,
            unsettled,
            ready,
            queued,
            cron,
        } = self;
        let WorkflowState {
            nodes: got_nodes,
            graphs: got_graphs,
            runs: got_runs,
            states: got_states,
            run_states: got_run_states,
            unsettled: got_unsettled,
            ready: got_ready,
            queued: got_queued,
            cron: got_cron,
        } = got;
        d.map("workflows.nodes", nodes, got_nodes);
        d.map("workflows.graphs", graphs, got_graphs);
        d.map("workflows.runs", runs, got_runs);
        d.map("workflows.states", states, got_states);
        d.set("workflows.run_states", run_states, got_run_states);
        d.set("workflows.unsettled", unsettled, got_unsettled);
        d.set("workflows.ready", ready, got_ready);
        d.set("workflows.queued", queued, got_queued);
        d.map("workflows.cron", cron, got_cron);
    }
}

#[cfg(test)]
mod tests;
