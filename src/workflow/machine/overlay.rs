//! A transaction's view of workflow states: the committed state plus the records the
//! transaction has changed so far, so later steps of the same transaction (next states, unites)
//! see earlier ones. [`Overlay::into_op`] turns the changes into one command.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::store::state::workflows::{StateRecord, WorkflowOp, WorkflowState, is_unsettled};

/// Committed states plus this transaction's changes.
pub struct Overlay<'a> {
    base: &'a WorkflowState,
    changed: BTreeMap<Arc<str>, StateRecord>,
}

impl<'a> Overlay<'a> {
    /// No changes yet.
    pub fn new(base: &'a WorkflowState) -> Self {
        Overlay {
            base,
            changed: BTreeMap::new(),
        }
    }

    /// The committed workflow state.
    pub fn base(&self) -> &'a WorkflowState {
        self.base
    }

    /// A state as this transaction sees it.
    pub fn get(&self, id: &str) -> Option<StateRecord> {
        match self.changed.get(id) {
            Some(s) => Some(s.clone()),
            None => self.base.state(id).map(|s| s.as_ref().clone()),
        }
    }

    /// Writes a state (new or changed).
    pub fn put(&mut self, s: StateRecord) {
        self.changed.insert(s.id.clone(), s);
    }

    /// The states of a run as this transaction sees them (borrowed: nothing is cloned).
    pub fn run_states<'s>(&'s self, run_id: &'s str) -> impl Iterator<Item = &'s StateRecord> {
        let committed = self
            .base
            .run_states(run_id)
            .map(|s| self.changed.get(&s.id).unwrap_or(s));
        let added = self
            .changed
            .values()
            .filter(move |s| s.run_id.as_ref() == run_id && self.base.state(&s.id).is_none());
        committed.chain(added)
    }

    /// The states of a run other than settled successes (see [`is_unsettled`]), as this
    /// transaction sees them.
    pub fn unsettled_run_states<'s>(
        &'s self,
        run_id: &'s str,
    ) -> impl Iterator<Item = &'s StateRecord> {
        let changed = self
            .changed
            .values()
            .filter(move |s| s.run_id.as_ref() == run_id && is_unsettled(s));
        let committed = self
            .base
            .unsettled_run_states(run_id)
            .filter(|s| !self.changed.contains_key(&s.id))
            .map(|s| s.as_ref());
        changed.chain(committed)
    }

    /// The states this transaction changed or added so far.
    pub fn changed(&self) -> impl Iterator<Item = &StateRecord> {
        self.changed.values()
    }

    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }

    /// The changes as one command.
    pub fn into_op(self) -> WorkflowOp {
        WorkflowOp::PutStates(self.changed.into_values().collect())
    }
}
