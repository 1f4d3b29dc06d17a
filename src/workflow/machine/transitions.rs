//! What a runtime reports about a state, and what the server decides on its own (timeouts):
//! executed (fan-out and next states), errored (retry policy), prune, re-enqueue, manual retry.
//! Each function works on an [`Overlay`] inside one transaction and ends by evaluating the
//! run's unites nodes.

use std::sync::Arc;

use serde_json::Value;

use super::graph::Template;
use super::overlay::Overlay;
use super::render::{created, new_id, render_inputs, retry_of};
use super::unites;
use crate::store::Rejection;
use crate::store::state::workflows::{RunRecord, StateRecord, StateStatus};
use crate::workflow::retry::delay_ms;

/// The state `id` of namespace `ns`, or 404.
pub fn find(overlay: &Overlay<'_>, ns: &str, id: &str) -> Result<StateRecord, Rejection> {
    match overlay.get(id) {
        Some(s) if s.ns.as_ref() == ns => Ok(s),
        _ => Err(Rejection::Missing("State not found".into())),
    }
}

/// The run of a state and its graph template (`None` when the graph was deleted).
pub fn run_and_template(
    overlay: &Overlay<'_>,
    s: &StateRecord,
) -> Result<(RunRecord, Option<Arc<Template>>), Rejection> {
    let run = overlay
        .base()
        .run(&s.run_id)
        .ok_or_else(|| Rejection::Missing(format!("run {} not found", s.run_id)))?
        .as_ref()
        .clone();
    let template = overlay
        .base()
        .graph(&run.ns, &run.graph_name)
        .and_then(|g| Template::of(g).ok());
    Ok((run, template))
}

fn must_be_queued(s: &StateRecord) -> Result<(), Rejection> {
    match s.status {
        StateStatus::Queued => Ok(()),
        StateStatus::Cancelled => Err(Rejection::Conflict(format!(
            "state {} was cancelled with its run",
            s.id
        ))),
        _ => Err(Rejection::Invalid("State is not queued".into())),
    }
}

/// `executed`: the first output stays on the state, each further one becomes a new state;
/// then the next states are created and the executed states become SUCCESS (or
/// NEXT_CREATED_ERROR with the reason).
///
/// # Errors
/// 404 unknown state, 400 not queued, 409 cancelled.
pub fn executed(
    overlay: &mut Overlay<'_>,
    ns: &str,
    id: &str,
    outputs: &[serde_json::Map<String, Value>],
    now: i64,
) -> Result<(), Rejection> {
    let s = find(overlay, ns, id)?;
    must_be_queued(&s)?;
    let (run, template) = run_and_template(overlay, &s)?;
    let empty = serde_json::Map::new();
    let first = outputs.first().unwrap_or(&empty);
    let mut done = vec![StateRecord {
        status: StateStatus::Executed,
        outputs: Value::Object(first.clone()).to_string(),
        updated_at: now,
        ..s.clone()
    }];
    for out in outputs.iter().skip(1) {
        done.push(StateRecord {
            id: new_id(),
            status: StateStatus::Executed,
            outputs: Value::Object(out.clone()).to_string(),
            fanout_id: new_id(),
            retry_count: 0,
            created_at: now,
            updated_at: now,
            ..s.clone()
        });
    }
    for e in &done {
        overlay.put(e.clone());
    }
    let Some(template) = template else {
        for mut e in done {
            e.status = StateStatus::NextCreatedError;
            e.error = Some(format!(
                "graph template {} was deleted; no next states",
                run.graph_name
            ));
            overlay.put(e);
        }
        return Ok(());
    };
    let next: Vec<_> = template
        .node(&s.identifier)
        .map(|n| n.next().to_vec())
        .unwrap_or_default();
    for mut e in done {
        let mut parents = e.parents.clone();
        parents.push((e.identifier.clone(), e.id.clone()));
        let children: Result<Vec<StateRecord>, String> = next
            .iter()
            .filter_map(|nid| template.node(nid))
            .filter(|n| n.unites.is_none())
            .map(|n| {
                render_inputs(n, &parents, overlay, &run, &template)
                    .map(|inputs| created(n, &run, inputs, parents.clone(), now, now))
            })
            .collect();
        match children {
            Ok(children) => {
                for c in children {
                    overlay.put(c);
                }
                e.status = StateStatus::Success;
            }
            Err(why) => {
                e.status = StateStatus::NextCreatedError;
                e.error = Some(why);
            }
        }
        overlay.put(e);
    }
    unites::evaluate(overlay, &run, &template, now);
    Ok(())
}

/// A failed attempt (`errored`, or a timeout): a retry copy when the policy allows one (the
/// state becomes RETRY_CREATED), else the state becomes `final_status`. Returns whether a
/// retry was created.
fn fail(
    overlay: &mut Overlay<'_>,
    s: StateRecord,
    error: String,
    final_status: StateStatus,
    now: i64,
) -> Result<bool, Rejection> {
    let (run, template) = run_and_template(overlay, &s)?;
    let policy = template
        .as_ref()
        .map(|t| t.retry_policy.clone())
        .unwrap_or_default();
    let retry = s.retry_count < policy.max_retries && run.cancelled_at.is_none();
    if retry {
        let mut rng = || rand_unit();
        let delay = delay_ms(&policy, s.retry_count + 1, &mut rng);
        let due = now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX));
        overlay.put(retry_of(&s, due, now));
    }
    overlay.put(StateRecord {
        status: if retry {
            StateStatus::RetryCreated
        } else {
            final_status
        },
        error: Some(error),
        timeout_at: None,
        updated_at: now,
        ..s
    });
    if let Some(t) = &template {
        unites::evaluate(overlay, &run, t, now);
    }
    Ok(retry)
}

/// A uniform number in [0, 1) for retry jitter.
fn rand_unit() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// `errored`: retry per the graph's policy, or ERRORED.
///
/// # Errors
/// 404 unknown state, 400 not queued, 409 cancelled.
pub fn errored(
    overlay: &mut Overlay<'_>,
    ns: &str,
    id: &str,
    error: &str,
    now: i64,
) -> Result<bool, Rejection> {
    let s = find(overlay, ns, id)?;
    if s.status == StateStatus::Executed || s.status == StateStatus::Success {
        return Err(Rejection::Invalid("State is already executed".into()));
    }
    must_be_queued(&s)?;
    fail(overlay, s, error.to_string(), StateStatus::Errored, now)
}

/// QUEUED states past their timeout: TIMEDOUT, then the retry policy.
pub fn time_out(overlay: &mut Overlay<'_>, now: i64) -> usize {
    let due: Vec<StateRecord> = overlay
        .base()
        .timed_out(now)
        .map(|s| s.as_ref().clone())
        .collect();
    let n = due.len();
    for s in due {
        let waited = s.queued_at.map_or(0, |q| (now - q) / 1000);
        let _ = fail(
            overlay,
            s,
            format!("Node execution timed out (queued for {waited} s)"),
            StateStatus::Timedout,
            now,
        );
    }
    n
}

/// `prune`: PRUNED with the node's data; no next states.
///
/// # Errors
/// 404 unknown state, 400 not queued, 409 cancelled.
pub fn prune(
    overlay: &mut Overlay<'_>,
    ns: &str,
    id: &str,
    data: &serde_json::Map<String, Value>,
    now: i64,
) -> Result<i64, Rejection> {
    let s = find(overlay, ns, id)?;
    must_be_queued(&s)?;
    let (run, template) = run_and_template(overlay, &s)?;
    let enqueue_after = s.enqueue_after;
    overlay.put(StateRecord {
        status: StateStatus::Pruned,
        data: Some(Value::Object(data.clone()).to_string()),
        timeout_at: None,
        updated_at: now,
        ..s
    });
    if let Some(t) = &template {
        unites::evaluate(overlay, &run, t, now);
    }
    Ok(enqueue_after)
}

/// `re-enqueue-after`: back to CREATED, due after `delay_ms`.
///
/// # Errors
/// 404 unknown state, 400 when the state is finished, 409 cancelled.
pub fn re_enqueue(
    overlay: &mut Overlay<'_>,
    ns: &str,
    id: &str,
    delay_ms: u64,
    now: i64,
) -> Result<i64, Rejection> {
    let s = find(overlay, ns, id)?;
    if !matches!(s.status, StateStatus::Queued | StateStatus::Created) {
        must_be_queued(&s)?;
    }
    let due = now.saturating_add(i64::try_from(delay_ms).unwrap_or(i64::MAX));
    overlay.put(StateRecord {
        status: StateStatus::Created,
        enqueue_after: due,
        queued_at: None,
        timeout_at: None,
        updated_at: now,
        ..s
    });
    Ok(due)
}

/// `manual-retry`: a new CREATED copy tagged with `fanout_id`; the state becomes RETRY_CREATED.
///
/// # Errors
/// 404 unknown state, 400 while the state is still pending, 409 for a `fanout_id` already
/// used for this node of the run, or a cancelled run.
pub fn manual_retry(
    overlay: &mut Overlay<'_>,
    ns: &str,
    id: &str,
    fanout_id: &str,
    now: i64,
) -> Result<Arc<str>, Rejection> {
    let s = find(overlay, ns, id)?;
    let (run, template) = run_and_template(overlay, &s)?;
    if run.cancelled_at.is_some() {
        return Err(Rejection::Conflict(format!(
            "run {} was cancelled",
            run.run_id
        )));
    }
    if s.status.is_pending() {
        return Err(Rejection::Invalid(format!(
            "state is {}; only a finished state can be retried",
            s.status.as_str()
        )));
    }
    let duplicate = overlay.run_states(&s.run_id).any(|o| {
        o.identifier == s.identifier && o.manual_retry_fanout_id.as_deref() == Some(fanout_id)
    });
    if duplicate {
        return Err(Rejection::Conflict("Duplicate retry state detected".into()));
    }
    let mut copy = retry_of(&s, now, now);
    copy.fanout_id = fanout_id.into();
    copy.manual_retry_fanout_id = Some(fanout_id.into());
    let new_id = copy.id.clone();
    overlay.put(copy);
    overlay.put(StateRecord {
        status: StateStatus::RetryCreated,
        updated_at: now,
        ..s
    });
    if let Some(t) = &template {
        unites::evaluate(overlay, &run, t, now);
    }
    Ok(new_id)
}

/// The root state of a new run (used by [`super::runs::trigger`]).
pub fn root_state(
    template: &Template,
    run: &RunRecord,
    inputs: String,
    due: i64,
    now: i64,
) -> Option<StateRecord> {
    let root = template.root()?;
    Some(created(root, run, inputs, Vec::new(), due, now))
}
