//! Background work of the workflow engine, once a second: QUEUED states past their timeout,
//! cron triggers, and run retention.
//!
//! Cron: each VALID graph's triggers fire at their occurrences (5-field expressions, in the
//! trigger's time zone or UTC). Firing records the occurrence and starts the run in one
//! transaction, so an occurrence fires once, also across restarts. After downtime only the
//! latest missed occurrence fires (no burst of catch-up runs); occurrences before the graph was
//! last upserted never fire.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

use super::cron::CronSchedule;
use super::machine::graph::Template;
use super::machine::runs;
use super::model::TriggerInput;
use super::service::Workflows;
use crate::store::state::workflows::{Validation, WorkflowOp};
use crate::store::{Op, Rejection, StoreError};

/// The key a trigger's fired occurrences are recorded under.
pub fn trigger_key(expression: &str, timezone: Option<&str>) -> String {
    match timezone {
        Some(tz) => format!("{expression}@{tz}"),
        None => expression.to_string(),
    }
}

fn utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

impl Workflows {
    /// One round of background work. Returns nothing; errors are for the log.
    ///
    /// # Errors
    /// An engine failure.
    pub async fn tick(&self) -> Result<(), StoreError> {
        self.time_out().await?;
        self.fire_cron().await?;
        self.expire_runs_at(self.now_ms()).await?;
        Ok(())
    }

    /// Fires the cron occurrences that are due.
    ///
    /// # Errors
    /// An engine failure.
    pub async fn fire_cron(&self) -> Result<usize, StoreError> {
        self.fire_cron_at(self.now_ms()).await
    }

    /// [`Workflows::fire_cron`] as if the time were `now` (ms).
    ///
    /// # Errors
    /// An engine failure.
    pub async fn fire_cron_at(&self, now: i64) -> Result<usize, StoreError> {
        let view = self.engine().view();
        let mut due = Vec::new();
        for ((ns, name), g) in view.workflows.all_graphs() {
            if g.validation != Validation::Valid {
                continue;
            }
            let Ok(template) = Template::of(g) else {
                continue;
            };
            for t in &template.triggers {
                let tz = t.value.timezone.as_deref();
                let Ok(schedule) = CronSchedule::parse(&t.value.expression, tz) else {
                    continue;
                };
                let key = trigger_key(&t.value.expression, tz);
                let since = view
                    .workflows
                    .cron_fired(ns, name, &key)
                    .unwrap_or(g.updated_at)
                    .max(g.updated_at);
                // The latest occurrence in (since, now].
                let mut latest = None;
                let mut at = utc(since);
                while let Some(next) = schedule.next_after(at) {
                    if next.timestamp_millis() > now {
                        break;
                    }
                    latest = Some(next);
                    at = next;
                }
                if let Some(occurrence) = latest {
                    due.push((ns.clone(), name.clone(), key, occurrence.timestamp_millis()));
                }
            }
        }
        let n = due.len();
        for (ns, name, key, at) in due {
            self.fire(ns, name, key.into(), at, now).await?;
        }
        Ok(n)
    }

    async fn fire(
        &self,
        ns: Arc<str>,
        name: Arc<str>,
        key: Arc<str>,
        at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let started = self
            .txn(move |state| {
                if state
                    .workflows
                    .cron_fired(&ns, &name, &key)
                    .is_some_and(|last| last >= at)
                {
                    return Err(Rejection::Unchanged);
                }
                let mut ops = vec![Op::Workflow(WorkflowOp::CronFired {
                    ns: ns.clone(),
                    graph: name.clone(),
                    trigger: key.clone(),
                    at,
                })];
                let run = match runs::trigger(
                    &state.workflows,
                    &ns,
                    &name,
                    &TriggerInput::default(),
                    now,
                ) {
                    Ok((run, root)) => {
                        let id = run.run_id.clone();
                        ops.push(Op::Workflow(WorkflowOp::PutRun(run)));
                        ops.push(Op::Workflow(WorkflowOp::PutStates(vec![root])));
                        Ok(id)
                    }
                    Err(e) => Err(e.to_string()),
                };
                Ok((ops, (ns, name, key, run)))
            })
            .await;
        match started {
            Ok((ns, name, key, Ok(run))) => {
                tracing::info!(%ns, graph = %name, trigger = %key, %run, "cron trigger fired")
            }
            Ok((ns, name, key, Err(why))) => tracing::warn!(
                %ns, graph = %name, trigger = %key, reason = %why,
                "cron trigger fired but the run could not start"
            ),
            Err(StoreError::Rejected(Rejection::Unchanged)) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }
}
