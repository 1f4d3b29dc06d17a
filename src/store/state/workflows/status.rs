//! The status of a stored workflow state, with its tag in the WAL and snapshots (see
//! [`crate::store::tags`]). Tags are append-only: a new status takes the next tag.
//!
//! What a status means to the indexes kept here (due CREATED states, QUEUED states by
//! timeout, the unsettled states a merge looks at) is below; how statuses count towards a
//! run's status is the workflow domain's (`crate::workflow::status`).

use crate::store::tags::stored_enum;

stored_enum! {
    /// The status of one state.
    pub enum StateStatus {
        /// Waiting to be enqueued (possibly not before `enqueue_after`).
        Created = 0 as "CREATED",
        /// Handed to a runtime.
        Queued = 1 as "QUEUED",
        /// The runtime reported outputs; next states are being created.
        Executed = 2 as "EXECUTED",
        /// Failed with no retry left.
        Errored = 3 as "ERRORED",
        /// Executed, but creating the next states failed.
        NextCreatedError = 4 as "NEXT_CREATED_ERROR",
        /// Done, next states created.
        Success = 5 as "SUCCESS",
        /// The node pruned its branch.
        Pruned = 6 as "PRUNED",
        /// Failed; a retry copy was created.
        RetryCreated = 7 as "RETRY_CREATED",
        /// Stayed QUEUED past its timeout (our extension).
        Timedout = 8 as "TIMEDOUT",
        /// The run was cancelled while this state was pending (our extension).
        Cancelled = 9 as "CANCELLED",
    }
}

impl StateStatus {
    /// CREATED, QUEUED or EXECUTED: the state still has work ahead of it.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            StateStatus::Created | StateStatus::Queued | StateStatus::Executed
        )
    }

    /// Not pending: nothing more happens to this state (a retry is a new state).
    pub fn is_terminal(self) -> bool {
        !self.is_pending()
    }

    /// Whether a finished branch counts as a success for an `ALL_SUCCESS` merge: it succeeded,
    /// was pruned (a deliberate stop) or was replaced by its retry.
    pub fn is_settled_success(self) -> bool {
        matches!(
            self,
            StateStatus::Success | StateStatus::Pruned | StateStatus::RetryCreated
        )
    }
}
