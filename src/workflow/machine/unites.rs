//! Fan-in: a `unites` node runs once the branches under its target are done. Evaluated after
//! every transition of a run (not only when a branch executes, as upstream does, so a merge
//! also fires when the last branch errors or is pruned), in the same transaction, so it is
//! created exactly once.
//!
//! For each finished state `T` of the target node, the branch states are the run's states
//! whose ancestors include `T`, except the merge itself and what descends from it. Once none
//! is pending: `ALL_DONE` fires; `ALL_SUCCESS` fires when every branch state is SUCCESS,
//! PRUNED (a deliberate stop) or RETRY_CREATED (replaced by its retry, which is a branch state
//! too).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::graph::Template;
use super::overlay::Overlay;
use super::render::{created, render_inputs};
use crate::store::state::workflows::{RunRecord, StateRecord, StateStatus};
use crate::workflow::model::{NodeTemplate, UnitesStrategy};

/// Creates the merge states that are now due in `run`.
///
/// Only the target states this transaction touched can have become due: the finished target
/// states it changed, and the ancestors (of the target's node) of every state it changed. For
/// each, the run's unsettled states (pending, failed, merges: an index of the workflow state)
/// are read until one decides against the merge; the branches that succeeded are never read,
/// so a fan-out of N branches finishing one by one does not cost N scans of N states.
pub fn evaluate(overlay: &mut Overlay<'_>, run: &RunRecord, template: &Template, now: i64) {
    if run.cancelled_at.is_some() {
        return;
    }
    let merges: Vec<&NodeTemplate> = template.unites_nodes().collect();
    if merges.is_empty() {
        return;
    }
    // (merge, target state id) pairs whose branches changed.
    let mut due: BTreeSet<(usize, Arc<str>)> = BTreeSet::new();
    for s in overlay.changed().filter(|s| s.run_id == run.run_id) {
        for (m, merge) in merges.iter().enumerate() {
            let Some(unites) = &merge.unites else {
                continue;
            };
            let target = unites.identifier.as_str();
            if s.identifier.as_ref() == target {
                due.insert((m, s.id.clone()));
            }
            for (i, id) in &s.parents {
                if i.as_ref() == target {
                    due.insert((m, id.clone()));
                }
            }
        }
    }
    for (m, target_id) in due {
        let merge = merges[m];
        let Some(t) = overlay.get(&target_id) else {
            continue;
        };
        if t.run_id != run.run_id || t.status != StateStatus::Success {
            continue;
        }
        if !branches_done(overlay, merge, &t) {
            continue;
        }
        let mut parents = t.parents.clone();
        parents.push((t.identifier.clone(), t.id.clone()));
        let mut state = match render_inputs(merge, &parents, overlay, run, template) {
            Ok(inputs) => created(merge, run, inputs, parents, now, now),
            Err(e) => {
                let mut m = created(merge, run, "{}".into(), parents, now, now);
                m.status = StateStatus::Errored;
                m.error = Some(format!("cannot build the inputs of the merge: {e}"));
                m
            }
        };
        state.does_unites = true;
        overlay.put(state);
    }
}

/// Whether the merge under the target state `t` is due: not created yet, no branch state
/// pending, and (for `ALL_SUCCESS`) every branch state a success.
fn branches_done(overlay: &Overlay<'_>, merge: &NodeTemplate, t: &StateRecord) -> bool {
    let Some(unites) = &merge.unites else {
        return false;
    };
    let all_success = matches!(unites.strategy, UnitesStrategy::AllSuccess);
    let under_t = |s: &StateRecord| {
        s.parents
            .iter()
            .any(|(i, id)| *i == t.identifier && *id == t.id)
    };
    let merge_side = |s: &StateRecord| {
        s.identifier.as_ref() == merge.identifier
            || s.parents
                .iter()
                .any(|(i, _)| i.as_ref() == merge.identifier)
    };
    // Settled successes are not in the index, and change nothing below.
    for s in overlay
        .unsettled_run_states(&t.run_id)
        .filter(|s| under_t(s))
    {
        if s.identifier.as_ref() == merge.identifier {
            return false; // already created
        }
        if merge_side(s) {
            continue;
        }
        if s.status.is_pending() {
            return false;
        }
        if all_success && !s.status.is_settled_success() {
            return false;
        }
    }
    true
}
