//! State statuses ([`StateStatus`]) and the per-run counters and run status of
//! `GET runs/{page}/{size}` ([`RunCounters`]).
//!
//! Counting rule (upstream's, extended for the two statuses upstream lacks):
//! - success = SUCCESS + PRUNED
//! - pending = CREATED + QUEUED + EXECUTED
//! - errored = ERRORED + NEXT_CREATED_ERROR + **TIMEDOUT**
//! - retried = RETRY_CREATED
//! - cancelled = **CANCELLED** (a new counter)
//! - total = every state
//!
//! TIMEDOUT counts as errored because it is the timeout's terminal failure. The state machine
//! should therefore mirror `errored`: a timed-out state that gets a retry copy becomes
//! RETRY_CREATED (error "Node execution timed out"), and TIMEDOUT is kept for the state whose
//! retries are exhausted. Otherwise a run whose retry then succeeded would report FAILED.
//!
//! Run status, first match wins: no states at all -> FAILED (as upstream); pending > 0 ->
//! PENDING; errored > 0 -> FAILED; cancelled > 0 -> CANCELLED; else SUCCESS. So a cancelled
//! run reads CANCELLED only when nothing is still pending and nothing failed before the
//! cancel; a run that had already failed stays FAILED.

use serde::{Deserialize, Serialize};

/// The status of one state: stored by the engine with an explicit tag, so it is declared
/// there.
pub use crate::store::state::workflows::StateStatus;

/// The status of a run as `GET runs` reports it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    /// Some state is still pending.
    Pending,
    /// Everything finished, nothing failed or was cancelled.
    Success,
    /// Something failed (or the run has no states).
    Failed,
    /// Cancelled before anything failed (our extension).
    Cancelled,
}

/// Per-run counters; see the module docs for the rule.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunCounters {
    /// SUCCESS + PRUNED.
    pub success_count: u64,
    /// CREATED + QUEUED + EXECUTED.
    pub pending_count: u64,
    /// ERRORED + NEXT_CREATED_ERROR + TIMEDOUT.
    pub errored_count: u64,
    /// RETRY_CREATED.
    pub retried_count: u64,
    /// CANCELLED.
    pub cancelled_count: u64,
    /// Every state.
    pub total_count: u64,
    /// The run's status.
    pub status: RunStatus,
}

impl RunCounters {
    /// Counts the statuses of a run's states.
    pub fn from_statuses(statuses: impl IntoIterator<Item = StateStatus>) -> Self {
        let mut c = RunCounters {
            success_count: 0,
            pending_count: 0,
            errored_count: 0,
            retried_count: 0,
            cancelled_count: 0,
            total_count: 0,
            status: RunStatus::Failed,
        };
        for s in statuses {
            c.total_count += 1;
            match s {
                StateStatus::Success | StateStatus::Pruned => c.success_count += 1,
                StateStatus::Created | StateStatus::Queued | StateStatus::Executed => {
                    c.pending_count += 1
                }
                StateStatus::Errored | StateStatus::NextCreatedError | StateStatus::Timedout => {
                    c.errored_count += 1
                }
                StateStatus::RetryCreated => c.retried_count += 1,
                StateStatus::Cancelled => c.cancelled_count += 1,
            }
        }
        c.status = if c.total_count == 0 {
            RunStatus::Failed
        } else if c.pending_count > 0 {
            RunStatus::Pending
        } else if c.errored_count > 0 {
            RunStatus::Failed
        } else if c.cancelled_count > 0 {
            RunStatus::Cancelled
        } else {
            RunStatus::Success
        };
        c
    }
}

#[cfg(test)]
mod tests {
    use super::StateStatus::*;
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for s in StateStatus::ALL {
            let v = serde_json::to_value(s).unwrap();
            assert_eq!(v.as_str().unwrap(), s.as_str());
            assert_eq!(serde_json::from_value::<StateStatus>(v).unwrap(), s);
        }
        assert_eq!(serde_json::to_value(RunStatus::Pending).unwrap(), "PENDING");
    }

    #[test]
    fn pending_and_terminal() {
        let pending: Vec<_> = StateStatus::ALL
            .into_iter()
            .filter(|s| s.is_pending())
            .collect();
        assert_eq!(pending, [Created, Queued, Executed]);
        assert!(
            StateStatus::ALL
                .iter()
                .all(|s| s.is_pending() != s.is_terminal())
        );
    }

    #[test]
    fn counters() {
        let c = RunCounters::from_statuses([
            Success,
            Pruned,
            Created,
            Queued,
            Executed,
            Errored,
            NextCreatedError,
            Timedout,
            RetryCreated,
            Cancelled,
        ]);
        assert_eq!(
            (
                c.success_count,
                c.pending_count,
                c.errored_count,
                c.retried_count,
                c.cancelled_count,
                c.total_count
            ),
            (2, 3, 3, 1, 1, 10)
        );
        assert_eq!(c.status, RunStatus::Pending);
    }

    #[test]
    fn run_status_rule() {
        let st = |s: &[StateStatus]| RunCounters::from_statuses(s.iter().copied()).status;
        assert_eq!(st(&[]), RunStatus::Failed);
        assert_eq!(st(&[Success, Pruned]), RunStatus::Success);
        assert_eq!(st(&[RetryCreated, Success]), RunStatus::Success);
        assert_eq!(st(&[Errored, Queued]), RunStatus::Pending);
        assert_eq!(st(&[Success, Errored]), RunStatus::Failed);
        assert_eq!(st(&[Success, Timedout]), RunStatus::Failed);
        assert_eq!(st(&[Success, Cancelled]), RunStatus::Cancelled);
        assert_eq!(st(&[Errored, Cancelled]), RunStatus::Failed);
    }
}
