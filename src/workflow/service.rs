//! The workflow engine as the API sees it: each call runs the state machine in one engine
//! transaction and returns what the answer needs. Background work (graph validation after an
//! upsert, QUEUED timeouts, cron triggers, run retention) is driven by [`Workflows::tick`] and
//! [`Workflows::validate`].

use std::sync::Arc;
use std::time::Duration;

use super::machine::overlay::Overlay;
use super::machine::{graph::Template, runs, transitions};
use super::secrets::SecretsKey;
use crate::store::state::State;
use crate::store::state::workflows::{StateRecord, WorkflowOp};
use crate::store::{Engine, Op, Rejection, StoreError};

/// Settings of the workflow engine.
#[derive(Debug, Clone, Default)]
pub struct WorkflowOptions {
    /// Seals graph secrets; without it, graphs with secrets are refused.
    pub secrets_key: Option<SecretsKey>,
    /// How long a state may stay QUEUED when its node sets no timeout (`None`: forever).
    pub queued_timeout: Option<Duration>,
    /// Finished runs older than this are removed (`None`: kept).
    pub run_retention: Option<Duration>,
}

/// The workflow engine over a store engine.
#[derive(Debug, Clone)]
pub struct Workflows {
    engine: Engine,
    options: Arc<WorkflowOptions>,
}

impl Workflows {
    /// The workflow engine over `engine`. The templates of the graphs it holds (recovered from
    /// a snapshot or the WAL) are parsed now, so no transaction parses one.
    pub fn new(engine: Engine, options: WorkflowOptions) -> Self {
        for (_, g) in engine.view().workflows.all_graphs() {
            let _ = Template::of(g);
        }
        Workflows {
            engine,
            options: Arc::new(options),
        }
    }

    /// The store engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The time the workflow rules decide by (ms since the epoch): the engine's clock.
    pub fn now_ms(&self) -> i64 {
        self.engine.now_ms()
    }

    /// The settings.
    pub fn options(&self) -> &WorkflowOptions {
        &self.options
    }

    /// Runs `f` as one transaction and returns its output. `f` returns the commands to commit
    /// (none: nothing is committed) and the output.
    ///
    /// # Errors
    /// The transaction's rejection, or an engine failure.
    pub async fn txn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&State) -> Result<(Vec<Op>, T), Rejection> + Send + 'static,
    ) -> Result<T, StoreError> {
        Ok(self.engine.transact(f).await?.1)
    }

    /// Runs `f` over an [`Overlay`] of the workflow states and commits its changes plus the
    /// `extra` commands it returns.
    ///
    /// # Errors
    /// As [`Workflows::txn`].
    pub async fn with_overlay<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Overlay<'_>) -> Result<(Vec<WorkflowOp>, T), Rejection> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.txn(move |state| {
            let mut overlay = Overlay::new(&state.workflows);
            let (extra, value) = f(&mut overlay)?;
            let mut ops: Vec<Op> = extra.into_iter().map(Op::Workflow).collect();
            if !overlay.is_empty() {
                ops.push(Op::Workflow(overlay.into_op()));
            }
            Ok((ops, value))
        })
        .await
    }

    /// The QUEUED timeout of a state: its node's `timeout_seconds`, else the server default.
    fn timeout_of(state: &State, options: &WorkflowOptions, s: &StateRecord) -> Option<u64> {
        let from_node = state
            .workflows
            .run(&s.run_id)
            .and_then(|r| state.workflows.graph(&r.ns, &r.graph_name))
            .and_then(|g| Template::of(g).ok())
            .and_then(|t| t.node(&s.identifier).and_then(|n| n.timeout_seconds));
        from_node.map(|secs| secs.saturating_mul(1000)).or_else(|| {
            options
                .queued_timeout
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        })
    }

    /// Claims due states of `nodes` in `ns` for a runtime.
    ///
    /// # Errors
    /// An engine failure.
    pub async fn enqueue(
        &self,
        ns: &str,
        nodes: Vec<String>,
        batch: usize,
    ) -> Result<Vec<StateRecord>, StoreError> {
        let now = self.now_ms();
        // Nothing due: answer from a view, without a commit.
        let view = self.engine.view();
        if !nodes
            .iter()
            .any(|n| view.workflows.due(ns, n, now).next().is_some())
        {
            return Ok(Vec::new());
        }
        let (ns, options) = (ns.to_string(), self.options.clone());
        self.txn(move |state| {
            let mut overlay = Overlay::new(&state.workflows);
            let claimed = runs::enqueue(&mut overlay, &ns, &nodes, batch, now, |s| {
                Self::timeout_of(state, &options, s)
            });
            let ops = if overlay.is_empty() {
                Vec::new()
            } else {
                vec![Op::Workflow(overlay.into_op())]
            };
            Ok((ops, claimed))
        })
        .await
        .or_else(|e| match e {
            StoreError::Rejected(Rejection::Unchanged) => Ok(Vec::new()),
            e => Err(e),
        })
    }

    /// Times out QUEUED states whose timeout has passed. Returns how many.
    ///
    /// # Errors
    /// An engine failure.
    pub async fn time_out(&self) -> Result<usize, StoreError> {
        let now = self.now_ms();
        if self.engine.view().workflows.timed_out(now).next().is_none() {
            return Ok(0);
        }
        self.with_overlay(move |o| Ok((Vec::new(), transitions::time_out(o, now))))
            .await
    }

    /// Removes finished runs whose last change is older than the retention, as of `now` (ms).
    /// Returns how many.
    ///
    /// # Errors
    /// An engine failure.
    pub async fn expire_runs_at(&self, now: i64) -> Result<usize, StoreError> {
        let Some(keep) = self.options.run_retention else {
            return Ok(0);
        };
        let cutoff = now - i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
        let doomed = runs::expired_runs(&self.engine.view().workflows, cutoff, 1000);
        if doomed.is_empty() {
            return Ok(0);
        }
        let n = doomed.len();
        self.engine
            .commit_ops(vec![Op::Workflow(WorkflowOp::DeleteRuns(doomed))])
            .await?;
        Ok(n)
    }
}
