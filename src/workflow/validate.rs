//! Structural validation of a graph template on upsert (upstream's synchronous checks, the
//! 400 of `PUT graph/{name}`): [`validate_graph`], and the graph's shape ([`GraphShape`]:
//! root, ancestors, children, unites, topological order) that the state machine uses to
//! create next states.
//!
//! Every error is collected, in a stable order; the HTTP layer answers
//! `"Error validating graph template: " + errors.join("; ")`. Messages follow upstream's
//! wording where upstream has one.
//!
//! Decisions where upstream is ambiguous or buggy:
//! - Ancestors ("parents") of a node are the union, over all its next_nodes predecessors
//!   `p`, of `parents(p) ∪ {p}`. For a unites node `U` with target `T` they are
//!   `parents(T) ∪ {T}` (upstream's rule): `U` may reference `T`, `T`'s ancestors and the
//!   store, but not the branches between `T` and `U` (there are many branch states at run
//!   time, so such a reference would be ambiguous; upstream's docs/unite.md example that does
//!   it is rejected by upstream's code too). Children of `U` get `parents(U) ∪ {U}`
//!   (upstream forgets `U` itself, which we fix).
//! - A unites node must be reachable through next_nodes (otherwise nothing ever creates it)
//!   and each node that lists it in next_nodes must be `T` or descend from `T` (upstream
//!   accepts other placements and then fails at run time). `T` listing `U` directly is
//!   allowed: the state machine must treat the executed `T` state as the target state.
//! - Whitespace-only names and identifiers count as empty.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use super::cron::CronSchedule;
use super::model::{GraphInput, NodeTemplate, StoreConfig, Unites};
use super::template::{Part, Template};

/// The validated structure of a graph.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GraphShape {
    root: String,
    order: Vec<String>,
    parents: BTreeMap<String, BTreeSet<String>>,
    children: BTreeMap<String, Vec<String>>,
    predecessors: BTreeMap<String, Vec<String>>,
    unites: BTreeMap<String, Unites>,
}

const NO_IDS: &[String] = &[];

impl GraphShape {
    /// The structural checks only (names, identifiers, next_nodes, unites, one root,
    /// reachability, acyclicity): what is needed to rebuild the shape of a stored graph.
    pub fn of(nodes: &[NodeTemplate]) -> Result<GraphShape, Vec<String>> {
        let errors = check_identity(nodes);
        if !errors.is_empty() {
            return Err(errors);
        }
        build(nodes)
    }

    /// The root's identifier.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// Every identifier, parents before children (a unites node after its target).
    pub fn order(&self) -> &[String] {
        &self.order
    }

    /// Whether the graph has this node.
    pub fn contains(&self, id: &str) -> bool {
        self.parents.contains_key(id)
    }

    /// The ancestors a node's inputs may reference (see the module docs).
    pub fn parents(&self, id: &str) -> Option<&BTreeSet<String>> {
        self.parents.get(id)
    }

    /// The node's `next_nodes`, in declaration order (unites nodes included).
    pub fn children(&self, id: &str) -> &[String] {
        self.children.get(id).map_or(NO_IDS, Vec::as_slice)
    }

    /// The nodes that list this one in their `next_nodes`, in declaration order.
    pub fn predecessors(&self, id: &str) -> &[String] {
        self.predecessors.get(id).map_or(NO_IDS, Vec::as_slice)
    }

    /// The node's fan-in, if it is a unites node.
    pub fn unites(&self, id: &str) -> Option<&Unites> {
        self.unites.get(id)
    }

    /// Every unites node and its fan-in.
    pub fn unites_nodes(&self) -> impl Iterator<Item = (&str, &Unites)> {
        self.unites.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The unites nodes whose target is `target`.
    pub fn united_by<'a>(&'a self, target: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.unites
            .iter()
            .filter(move |(_, u)| u.identifier == target)
            .map(|(k, _)| k.as_str())
    }

    /// The nodes that have `id` among their ancestors.
    pub fn descendants(&self, id: &str) -> BTreeSet<String> {
        self.parents
            .iter()
            .filter(|(_, p)| p.contains(id))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// All of upstream's synchronous checks: [`GraphShape::of`], then every input a string with
/// valid placeholders that refer to ancestors or declared store keys, secrets, store config,
/// retry policy ranges and cron triggers (5 fields, valid time zone).
pub fn validate_graph(graph: &GraphInput) -> Result<GraphShape, Vec<String>> {
    let mut errors = Vec::new();
    let shape = match GraphShape::of(&graph.nodes) {
        Ok(shape) => Some(shape),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let store = match graph.store_config.as_ref().map(StoreConfig::normalize) {
        None => StoreConfig::default(),
        Some(Ok(c)) => c,
        Some(Err(e)) => {
            errors.extend(e);
            graph.store_config.clone().unwrap_or_default()
        }
    };
    for node in &graph.nodes {
        check_inputs(node, shape.as_ref(), &store, &mut errors);
    }
    for (name, value) in &graph.secrets {
        if name.trim().is_empty() {
            errors.push("Secret names cannot be empty".to_owned());
        } else if value.is_empty() {
            errors.push(format!("Secret {name} cannot be empty"));
        }
    }
    if let Some(policy) = &graph.retry_policy {
        errors.extend(policy.validate());
    }
    for trigger in graph.triggers.iter().flatten() {
        let v = &trigger.value;
        if let Err(e) = CronSchedule::parse(&v.expression, v.timezone.as_deref()) {
            errors.push(format!("Invalid cron trigger: {e}"));
        }
    }
    match shape {
        Some(shape) if errors.is_empty() => Ok(shape),
        _ => Err(errors),
    }
}

fn check_inputs(
    node: &NodeTemplate,
    shape: Option<&GraphShape>,
    store: &StoreConfig,
    errors: &mut Vec<String>,
) {
    let id = &node.identifier;
    for (key, value) in &node.inputs {
        let Some(text) = value.as_str() else {
            errors.push(format!("Input {key} of node {id} is not a string: {value}"));
            continue;
        };
        let template = match Template::parse(text) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!(
                    "Invalid placeholder in input {key} of node {id}: {e}"
                ));
                continue;
            }
        };
        let mut seen = BTreeSet::new();
        for part in template.references() {
            if !seen.insert(part) {
                continue;
            }
            match part {
                Part::Output { id: dep, .. } => {
                    let Some(parents) = shape.and_then(|s| s.parents(id)) else {
                        continue;
                    };
                    if !parents.contains(dep) {
                        errors.push(format!(
                            "Input {text} depends on {dep} but {dep} is not a parent of {id}"
                        ));
                    }
                }
                Part::Store { key: k } if !store.declares(k) => errors.push(format!(
                    "Input {key} of node {id} uses store key {k}, which is neither in \
                     store_config required_keys nor in default_values"
                )),
                _ => {}
            }
        }
    }
}

/// Names, identifiers and references: everything that must hold before the graph can be
/// looked at as a graph.
fn check_identity(nodes: &[NodeTemplate]) -> Vec<String> {
    let mut errors = Vec::new();
    let mut ids = BTreeSet::new();
    for n in nodes {
        let id = &n.identifier;
        if n.node_name.trim().is_empty() {
            errors.push(format!("Node name cannot be empty (identifier {id})"));
        }
        if n.namespace.trim().is_empty() {
            errors.push(format!("Node namespace cannot be empty (identifier {id})"));
        }
        if id.trim().is_empty() {
            errors.push(format!(
                "Node identifier cannot be empty (node {})",
                n.node_name
            ));
        } else if id.trim() == "store" {
            errors.push("Node identifier cannot be reserved word 'store'".to_owned());
        }
        if !ids.insert(id.as_str()) {
            errors.push(format!("Node identifier {id} is not unique"));
        }
    }
    for n in nodes {
        let id = &n.identifier;
        let mut seen = BTreeSet::new();
        for next in n.next() {
            if next.trim().is_empty() {
                errors.push(format!("Next node identifier cannot be empty (node {id})"));
            } else if !seen.insert(next) {
                errors.push(format!(
                    "Next node identifier {next} is not unique (node {id})"
                ));
            } else if !ids.contains(next.as_str()) {
                errors.push(format!(
                    "Node identifier {next} does not exist in the graph (next node of {id})"
                ));
            }
        }
        if let Some(u) = &n.unites {
            let t = &u.identifier;
            if t.trim().is_empty() {
                errors.push(format!("Unites identifier cannot be empty (node {id})"));
            } else if !ids.contains(t.as_str()) {
                errors.push(format!(
                    "Node {id} has an unites target {t} that does not exist"
                ));
            } else if t == id {
                errors.push(format!(
                    "Node {id} has an unites target {t} that is the same as the node itself"
                ));
            }
        }
    }
    errors
}

/// Root, acyclicity, reachability, unites placement, then ancestors. Identifiers are unique
/// and every reference exists (checked before).
fn build(nodes: &[NodeTemplate]) -> Result<GraphShape, Vec<String>> {
    let mut errors = Vec::new();
    let index: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.identifier.as_str(), i))
        .collect();
    let count = nodes.len();
    // Dependency edges: next_nodes, plus target -> unites node.
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut next_edges: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut in_degree = vec![0usize; count];
    for (i, n) in nodes.iter().enumerate() {
        for next in n.next() {
            let j = index[next.as_str()];
            next_edges[i].push(j);
            deps[i].push(j);
            preds[j].push(i);
            in_degree[j] += 1;
        }
        if let Some(u) = &n.unites {
            deps[index[u.identifier.as_str()]].push(i);
            in_degree[i] += 1;
        }
    }

    let roots: Vec<usize> = (0..count).filter(|&i| in_degree[i] == 0).collect();
    if roots.len() != 1 {
        let names: Vec<&str> = roots
            .iter()
            .map(|&i| nodes[i].identifier.as_str())
            .collect();
        errors.push(format!(
            "There should be exactly one root node in the graph but found {} nodes with zero \
             in-degree: [{}]",
            roots.len(),
            names.join(", ")
        ));
    }

    let order = topological(&deps);
    if order.len() < count {
        let placed: BTreeSet<usize> = order.iter().copied().collect();
        for i in (0..count).filter(|i| !placed.contains(i)) {
            if on_cycle(i, &deps, &placed) {
                errors.push(format!("Node {} is not acyclic", nodes[i].identifier));
            }
        }
    }

    if let [root] = roots.as_slice() {
        let reached = reachable(*root, &next_edges);
        for (i, n) in nodes.iter().enumerate() {
            if !reached[i] {
                errors.push(format!(
                    "Node {} is not connected to the root node",
                    n.identifier
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut parents: Vec<BTreeSet<String>> = vec![BTreeSet::new(); count];
    for &i in &order {
        parents[i] = match &nodes[i].unites {
            Some(u) => {
                let t = index[u.identifier.as_str()];
                with(&parents[t], &nodes[t].identifier)
            }
            None => preds[i]
                .iter()
                .flat_map(|&p| with(&parents[p], &nodes[p].identifier))
                .collect(),
        };
    }
    for (i, n) in nodes.iter().enumerate() {
        let Some(u) = &n.unites else { continue };
        for &p in &preds[i] {
            let pid = &nodes[p].identifier;
            if *pid != u.identifier && !parents[p].contains(&u.identifier) {
                errors.push(format!(
                    "Node {} unites {} but is a next node of {pid}, which does not descend \
                     from {}",
                    n.identifier, u.identifier, u.identifier
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let ids =
        |v: &[usize]| -> Vec<String> { v.iter().map(|&j| nodes[j].identifier.clone()).collect() };
    Ok(GraphShape {
        root: nodes[roots[0]].identifier.clone(),
        order: ids(&order),
        parents: nodes
            .iter()
            .zip(parents)
            .map(|(n, p)| (n.identifier.clone(), p))
            .collect(),
        children: (0..count)
            .map(|i| (nodes[i].identifier.clone(), ids(&next_edges[i])))
            .collect(),
        predecessors: (0..count)
            .map(|i| (nodes[i].identifier.clone(), ids(&preds[i])))
            .collect(),
        unites: nodes
            .iter()
            .filter_map(|n| Some((n.identifier.clone(), n.unites.clone()?)))
            .collect(),
    })
}

fn with(set: &BTreeSet<String>, id: &str) -> BTreeSet<String> {
    let mut s = set.clone();
    s.insert(id.to_owned());
    s
}

/// Kahn's algorithm, ties broken by declaration order. Nodes on or after a cycle are left
/// out.
fn topological(edges: &[Vec<usize>]) -> Vec<usize> {
    let mut in_degree = vec![0usize; edges.len()];
    for targets in edges {
        for &j in targets {
            in_degree[j] += 1;
        }
    }
    let mut ready: VecDeque<usize> = (0..edges.len()).filter(|&i| in_degree[i] == 0).collect();
    let mut order = Vec::with_capacity(edges.len());
    while let Some(i) = ready.pop_front() {
        order.push(i);
        for &j in &edges[i] {
            in_degree[j] -= 1;
            if in_degree[j] == 0 {
                ready.push_back(j);
            }
        }
    }
    order
}

/// Whether `start` can reach itself through nodes outside `placed` (the acyclic part).
fn on_cycle(start: usize, edges: &[Vec<usize>], placed: &BTreeSet<usize>) -> bool {
    let mut seen = vec![false; edges.len()];
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        for &j in &edges[i] {
            if j == start {
                return true;
            }
            if !seen[j] && !placed.contains(&j) {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    false
}

fn reachable(root: usize, edges: &[Vec<usize>]) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    seen[root] = true;
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        for &j in &edges[i] {
            if !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    seen
}
