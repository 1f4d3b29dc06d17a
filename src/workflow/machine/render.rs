//! Building states: input templating against a state's ancestors and the run's store, and
//! new state records (children, fan-out copies, retries, merges).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::graph::Template;
use super::overlay::Overlay;
use crate::store::state::workflows::{RunRecord, StateRecord, StateStatus};
use crate::workflow::model::NodeTemplate;
use crate::workflow::template::{Part, Template as Placeholders};

/// A new id for a state or run (a ULID: sortable by creation).
pub fn new_id() -> Arc<str> {
    ulid::Ulid::generate().to_string().into()
}

/// An output field as text: strings as they are, anything else as JSON.
fn field_text(outputs: &str, field: &str) -> Option<String> {
    let v: Value = serde_json::from_str(outputs).ok()?;
    match v.get(field)? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A store value of the run, else the graph's default.
pub fn store_value(run: &RunRecord, template: &Template, key: &str) -> Option<String> {
    run.store
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .or_else(|| template.store_config.default_values.get(key).cloned())
}

/// Renders a node's inputs for a state whose ancestors are `parents` (identifier -> state id,
/// the producing states included).
///
/// # Errors
/// A message naming the input and the placeholder that cannot be resolved.
pub fn render_inputs(
    node: &NodeTemplate,
    parents: &[(Arc<str>, Arc<str>)],
    overlay: &Overlay<'_>,
    run: &RunRecord,
    template: &Template,
) -> Result<String, String> {
    let mut out = BTreeMap::new();
    for (name, value) in &node.inputs {
        let Some(text) = value.as_str() else {
            return Err(format!(
                "input {name:?} of {} is not a string",
                node.identifier
            ));
        };
        let parsed = Placeholders::parse(text).map_err(|e| format!("input {name:?}: {e}"))?;
        let rendered = parsed
            .render(|part| match part {
                Part::Store { key } => store_value(run, template, key),
                Part::Output { id, field } => {
                    let (_, state_id) = parents.iter().rev().find(|(i, _)| i.as_ref() == id)?;
                    let producer = overlay.get(state_id)?;
                    field_text(&producer.outputs, field)
                }
                Part::Literal(s) => Some(s.clone()),
            })
            .map_err(|e| format!("input {name:?} of {}: {e}", node.identifier))?;
        out.insert(name.clone(), Value::String(rendered));
    }
    Ok(Value::Object(out.into_iter().collect()).to_string())
}

/// A CREATED state of `node` in `run`.
pub fn created(
    node: &NodeTemplate,
    run: &RunRecord,
    inputs: String,
    parents: Vec<(Arc<str>, Arc<str>)>,
    enqueue_after: i64,
    now: i64,
) -> StateRecord {
    StateRecord {
        id: new_id(),
        ns: node.namespace.as_str().into(),
        node_name: node.node_name.as_str().into(),
        identifier: node.identifier.as_str().into(),
        graph_name: run.graph_name.clone(),
        run_id: run.run_id.clone(),
        status: StateStatus::Created,
        inputs,
        outputs: "{}".into(),
        data: None,
        error: None,
        parents,
        enqueue_after,
        retry_count: 0,
        fanout_id: new_id(),
        manual_retry_fanout_id: None,
        does_unites: false,
        queued_at: None,
        timeout_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// A copy of `s` to run again: CREATED, one more retry, due at `enqueue_after`.
pub fn retry_of(s: &StateRecord, enqueue_after: i64, now: i64) -> StateRecord {
    StateRecord {
        id: new_id(),
        status: StateStatus::Created,
        outputs: "{}".into(),
        data: None,
        error: None,
        enqueue_after,
        retry_count: s.retry_count.saturating_add(1),
        manual_retry_fanout_id: None,
        queued_at: None,
        timeout_at: None,
        created_at: now,
        updated_at: now,
        ..s.clone()
    }
}
