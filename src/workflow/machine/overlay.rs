//! A transaction's view of workflow states: the committed state plus the records the
//! transaction has changed so far, so later steps of the same transaction (next states, unites)
//! see earlier ones. [`Overlay::into_op`] turns the changes into one command.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::store::state::workflows::{StateRecord, WorkflowOp, WorkflowState};

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

    /// The states of a run, as this transaction sees them.
    pub fn run_states(&self, run_id: &str) -> Vec<StateRecord> {
        let mut out: BTreeMap<Arc<str>, StateRecord> = self
            .base
            .run_states(run_id)
            .map(|s| (s.id.clone(), s.as_ref().clone()))
            .collect();
        for (id, s) in &self.changed {
            if s.run_id.as_ref() == run_id {
                out.insert(id.clone(), s.clone());
            }
        }
        out.into_values().collect()
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
