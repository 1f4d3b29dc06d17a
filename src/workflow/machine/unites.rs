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

use std::sync::Arc;

use super::graph::Template;
use super::overlay::Overlay;
use super::render::{created, render_inputs};
use crate::store::state::workflows::{RunRecord, StateStatus};
use crate::workflow::model::UnitesStrategy;

/// Creates the merge states that are now due in `run`.
pub fn evaluate(overlay: &mut Overlay<'_>, run: &RunRecord, template: &Template, now: i64) {
    if run.cancelled_at.is_some() {
        return;
    }
    for merge in template.unites_nodes() {
        let Some(unites) = &merge.unites else {
            continue;
        };
        let target = unites.identifier.as_str();
        let states = overlay.run_states(&run.run_id);
        for t in states
            .iter()
            .filter(|s| s.identifier.as_ref() == target && s.status == StateStatus::Success)
        {
            let under_t = |parents: &[(Arc<str>, Arc<str>)]| {
                parents
                    .iter()
                    .any(|(i, id)| i.as_ref() == target && *id == t.id)
            };
            let is_merge_side = |s: &crate::store::state::workflows::StateRecord| {
                s.identifier.as_ref() == merge.identifier
                    || s.parents
                        .iter()
                        .any(|(i, _)| i.as_ref() == merge.identifier)
            };
            if states
                .iter()
                .any(|s| s.identifier.as_ref() == merge.identifier && under_t(&s.parents))
            {
                continue; // already created
            }
            let branch: Vec<_> = states
                .iter()
                .filter(|s| under_t(&s.parents) && !is_merge_side(s))
                .collect();
            if branch.iter().any(|s| s.status.is_pending()) {
                continue;
            }
            let ok = match unites.strategy {
                UnitesStrategy::AllDone => true,
                UnitesStrategy::AllSuccess => branch.iter().all(|s| {
                    matches!(
                        s.status,
                        StateStatus::Success | StateStatus::Pruned | StateStatus::RetryCreated
                    )
                }),
            };
            if !ok {
                continue;
            }
            let mut parents = t.parents.clone();
            parents.push((t.identifier.clone(), t.id.clone()));
            let mut m = match render_inputs(merge, &parents, overlay, run, template) {
                Ok(inputs) => created(merge, run, inputs, parents, now, now),
                Err(e) => {
                    let mut m = created(merge, run, "{}".into(), parents, now, now);
                    m.status = StateStatus::Errored;
                    m.error = Some(format!("cannot build the inputs of the merge: {e}"));
                    m
                }
            };
            m.does_unites = true;
            overlay.put(m);
        }
    }
}
