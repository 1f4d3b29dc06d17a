//! The JSON answers of the workflow API (v0), shaped as the Exosphere state manager answers,
//! built from stored records. Times are RFC 3339.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::machine::graph::Template;
use crate::store::state::workflows::{
    GraphRecord, NodeRecord, RunRecord, StateRecord, StateStatus, WorkflowState,
};
use crate::time::format_ts;
use crate::workflow::status::RunCounters;

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// A registered node as `GET nodes/` lists it.
pub fn node(ns: &str, name: &str, n: &NodeRecord) -> Value {
    let spec = parse(&n.spec);
    json!({
        "name": name,
        "namespace": ns,
        "runtime_name": n.runtime_name.as_ref(),
        "runtime_namespace": ns,
        "inputs_schema": spec.get("inputs_schema").cloned().unwrap_or(json!({})),
        "outputs_schema": spec.get("outputs_schema").cloned().unwrap_or(json!({})),
        "secrets": spec.get("secrets").cloned().unwrap_or(json!([])),
        "created_at": format_ts(n.created_at),
        "updated_at": format_ts(n.updated_at),
    })
}

/// A graph template as `PUT`/`GET graph/{name}` answer it (secrets as `{name: true}`).
pub fn graph(ns: &str, name: &str, g: &GraphRecord) -> Value {
    let t = Template::of(g).ok();
    let secrets: BTreeMap<&str, bool> = g.secrets.iter().map(|(k, _)| (k.as_ref(), true)).collect();
    json!({
        "name": name,
        "namespace": ns,
        "nodes": t.as_ref().map(|t| json!(t.nodes)).unwrap_or(json!([])),
        "secrets": secrets,
        "retry_policy": t.as_ref().map(|t| json!(t.retry_policy)),
        "store_config": t.as_ref().map(|t| json!(t.store_config)),
        "triggers": t.as_ref().map(|t| json!(t.triggers)).unwrap_or(json!([])),
        "created_at": format_ts(g.created_at),
        "updated_at": format_ts(g.updated_at),
        "validation_status": g.validation.as_str(),
        "validation_errors": g.errors,
    })
}

/// A claimed state as `states/enqueue` hands it out.
pub fn queued(s: &StateRecord) -> Value {
    json!({
        "state_id": s.id.as_ref(),
        "node_name": s.node_name.as_ref(),
        "identifier": s.identifier.as_ref(),
        "inputs": parse(&s.inputs),
        "created_at": format_ts(s.created_at),
    })
}

/// A run with its counters, as `runs/{page}/{size}` lists it.
pub fn run(wf: &WorkflowState, r: &RunRecord) -> Value {
    let c = RunCounters::from_statuses(wf.run_states(&r.run_id).map(|s| s.status));
    let mut v = json!({
        "run_id": r.run_id.as_ref(),
        "graph_name": r.graph_name.as_ref(),
        "success_count": c.success_count,
        "pending_count": c.pending_count,
        "errored_count": c.errored_count,
        "retried_count": c.retried_count,
        "cancelled_count": c.cancelled_count,
        "total_count": c.total_count,
        "status": c.status,
        "created_at": format_ts(r.created_at),
    });
    if let Some(at) = r.cancelled_at {
        v["cancelled_at"] = json!(format_ts(at));
    }
    v
}

/// One state with everything about it (`graph/{g}/run/{r}/node/{id}`).
pub fn state_detail(s: &StateRecord) -> Value {
    let parents: serde_json::Map<String, Value> = s
        .parents
        .iter()
        .map(|(i, id)| (i.to_string(), json!(id.as_ref())))
        .collect();
    json!({
        "id": s.id.as_ref(),
        "node_name": s.node_name.as_ref(),
        "namespace": s.ns.as_ref(),
        "identifier": s.identifier.as_ref(),
        "graph_name": s.graph_name.as_ref(),
        "run_id": s.run_id.as_ref(),
        "status": s.status.as_str(),
        "inputs": parse(&s.inputs),
        "outputs": parse(&s.outputs),
        "data": s.data.as_deref().map(parse),
        "error": s.error,
        "parents": parents,
        "retry_count": s.retry_count,
        "fanout_id": s.fanout_id.as_ref(),
        "enqueue_after": s.enqueue_after,
        "created_at": format_ts(s.created_at),
        "updated_at": format_ts(s.updated_at),
    })
}

/// A run's states as a graph (`states/run/{run_id}/graph`): nodes, edges from each state's
/// nearest parent, and a count per status.
pub fn run_graph(wf: &WorkflowState, run_id: &str) -> Value {
    let states: Vec<_> = wf.run_states(run_id).collect();
    let mut summary: BTreeMap<&str, u64> =
        StateStatus::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut roots = Vec::new();
    for s in &states {
        *summary.entry(s.status.as_str()).or_default() += 1;
        nodes.push(json!({
            "id": s.id.as_ref(),
            "node_name": s.node_name.as_ref(),
            "identifier": s.identifier.as_ref(),
            "status": s.status.as_str(),
            "error": s.error,
            "retry_count": s.retry_count,
        }));
        match s.parents.last() {
            Some((_, parent)) => {
                edges.push(json!({"source": parent.as_ref(), "target": s.id.as_ref()}))
            }
            None => roots.push(state_detail(s)),
        }
    }
    json!({
        "graph_name": states.first().map(|s| s.graph_name.to_string()),
        "root_states": roots,
        "node_count": nodes.len(),
        "edge_count": edges.len(),
        "nodes": nodes,
        "edges": edges,
        "execution_summary": summary,
    })
}
