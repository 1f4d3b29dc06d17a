//! Runs: trigger (store keys, root inputs, the root state), enqueue (claiming due states
//! atomically, with their timeout), cancel, and retention of finished runs.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::graph::Template;
use super::overlay::Overlay;
use super::render::{created, new_id, store_value};
use crate::store::Rejection;
use crate::store::state::workflows::{
    RunRecord, StateRecord, StateStatus, Validation, WorkflowState,
};
use crate::workflow::model::TriggerInput;
use crate::workflow::template::{Part, Template as Placeholders};

/// A new run of graph `name` in `ns`: its record and root state. Returns the run id.
///
/// # Errors
/// 404 no such graph; 400 graph not valid, missing store keys, root inputs that refer to
/// anything but the store.
pub fn trigger(
    wf: &WorkflowState,
    ns: &str,
    name: &str,
    input: &TriggerInput,
    now: i64,
) -> Result<(RunRecord, StateRecord), Rejection> {
    let graph = wf.graph(ns, name).ok_or_else(|| {
        Rejection::Missing(format!("Graph template {name} not found in namespace {ns}"))
    })?;
    if graph.validation != Validation::Valid {
        return Err(Rejection::Invalid(format!(
            "Graph template is not valid (validation status {})",
            graph.validation.as_str()
        )));
    }
    let template = Template::of(graph)
        .map_err(|e| Rejection::Invalid(format!("stored template unreadable: {e}")))?;
    let given = input.store.clone().unwrap_or_default();
    let missing: Vec<&String> = template
        .store_config
        .required_keys
        .iter()
        .filter(|k| {
            !given.contains_key(*k) && !template.store_config.default_values.contains_key(*k)
        })
        .collect();
    if !missing.is_empty() {
        return Err(Rejection::Invalid(format!(
            "Missing store keys: {missing:?}"
        )));
    }
    let mut store: BTreeMap<String, String> = template.store_config.default_values.clone();
    store.extend(given);
    let run = RunRecord {
        run_id: new_id(),
        ns: ns.into(),
        graph_name: name.into(),
        created_at: now,
        store: store.into_iter().collect(),
        cancelled_at: None,
    };
    let root = template
        .root()
        .ok_or_else(|| Rejection::Invalid("the graph has no root node".into()))?;
    let overrides = input.inputs.clone().unwrap_or_default();
    let mut inputs = serde_json::Map::new();
    for (key, value) in &root.inputs {
        let text = match overrides.get(key) {
            Some(v) => v.clone(),
            None => {
                let raw = value.as_str().unwrap_or_default();
                let parsed = Placeholders::parse(raw)
                    .map_err(|e| Rejection::Invalid(format!("Invalid input: {key}: {e}")))?;
                parsed
                    .render(|part| match part {
                        Part::Store { key } => store_value(&run, &template, key),
                        _ => None,
                    })
                    .map_err(|e| Rejection::Invalid(format!("Invalid input: {key}: {e}")))?
            }
        };
        inputs.insert(key.clone(), Value::String(text));
    }
    let due = now.saturating_add(i64::try_from(input.start_delay.unwrap_or(0)).unwrap_or(0));
    let state = created(
        root,
        &run,
        Value::Object(inputs).to_string(),
        Vec::new(),
        due,
        now,
    );
    Ok((run, state))
}

/// Claims up to `batch` due CREATED states of `nodes` in `ns` (QUEUED, with a timeout from
/// `timeout_ms(state)`). Claims happen in a transaction, so no state is handed out twice.
pub fn enqueue(
    overlay: &mut Overlay<'_>,
    ns: &str,
    nodes: &[String],
    batch: usize,
    now: i64,
    timeout_ms: impl Fn(&StateRecord) -> Option<u64>,
) -> Vec<StateRecord> {
    let wf = overlay.base();
    let mut due: Vec<Arc<StateRecord>> = nodes
        .iter()
        .flat_map(|n| wf.due(ns, n, now).take(batch).cloned())
        .collect();
    // Oldest due first across nodes.
    due.sort_by(|a, b| (a.enqueue_after, &a.id).cmp(&(b.enqueue_after, &b.id)));
    due.truncate(batch);
    let mut claimed = Vec::with_capacity(due.len());
    for s in due {
        let timeout_at =
            timeout_ms(&s).map(|ms| now.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)));
        let q = StateRecord {
            status: StateStatus::Queued,
            queued_at: Some(now),
            timeout_at,
            updated_at: now,
            ..s.as_ref().clone()
        };
        overlay.put(q.clone());
        claimed.push(q);
    }
    claimed
}

/// Cancels a run: every pending state becomes CANCELLED.
///
/// # Errors
/// 404 unknown run; 409 when it was cancelled already.
pub fn cancel(
    overlay: &mut Overlay<'_>,
    ns: &str,
    run_id: &str,
    now: i64,
) -> Result<(RunRecord, usize), Rejection> {
    let run = match overlay.base().run(run_id) {
        Some(r) if r.ns.as_ref() == ns => r.as_ref().clone(),
        _ => return Err(Rejection::Missing(format!("run {run_id} not found"))),
    };
    if run.cancelled_at.is_some() {
        return Err(Rejection::Conflict(format!(
            "run {run_id} was cancelled already"
        )));
    }
    let pending: Vec<StateRecord> = overlay
        .run_states(run_id)
        .filter(|s| s.status.is_pending())
        .cloned()
        .collect();
    let n = pending.len();
    for s in pending {
        overlay.put(StateRecord {
            status: StateStatus::Cancelled,
            error: Some("run cancelled".into()),
            timeout_at: None,
            updated_at: now,
            ..s
        });
    }
    Ok((
        RunRecord {
            cancelled_at: Some(now),
            ..run
        },
        n,
    ))
}

/// Runs finished (nothing pending) whose last change is older than `cutoff` (ms).
pub fn expired_runs(wf: &WorkflowState, cutoff: i64, limit: usize) -> Vec<Arc<str>> {
    wf.runs()
        .filter(|r| r.created_at < cutoff)
        .filter(|r| {
            let mut last = r.created_at;
            for s in wf.run_states(&r.run_id) {
                if s.status.is_pending() {
                    return false;
                }
                last = last.max(s.updated_at);
            }
            last < cutoff
        })
        .take(limit)
        .map(|r| r.run_id.clone())
        .collect()
}
