//! Nodes and graph templates: registration, upsert (structural validation at once, secrets
//! sealed), validation against the registered nodes after the answer (PENDING -> VALID or
//! INVALID), trigger, delete, cancel.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::json;

use super::machine::graph::Template;
use super::machine::overlay::Overlay;
use super::machine::runs;
use super::model::{GraphInput, RegisterInput, TriggerInput};
use super::service::Workflows;
use super::validate;
use super::verify::{RegisteredNodeInfo, verify_against_nodes};
use crate::store::state::workflows::{GraphRecord, NodeRecord, Validation, WorkflowOp};
use crate::store::{Op, Rejection, StoreError};

impl Workflows {
    /// Registers (upserts) a runtime's nodes, then re-validates the namespace's graphs that are
    /// not VALID (they may have been waiting for these nodes).
    ///
    /// # Errors
    /// 400 for a node without a name; an engine failure.
    pub async fn register(&self, ns: &str, input: RegisterInput) -> Result<(), StoreError> {
        let now = self.now_ms();
        let ns_arc: Arc<str> = ns.into();
        let runtime: Arc<str> = input.runtime_name.as_str().into();
        let nodes = input.nodes;
        if nodes.iter().any(|n| n.name.trim().is_empty()) {
            return Err(Rejection::Invalid("every node needs a name".into()).into());
        }
        self.txn(move |state| {
            let records = nodes
                .iter()
                .map(|n| {
                    let created = state
                        .workflows
                        .node(&ns_arc, &n.name)
                        .map_or(now, |old| old.created_at);
                    let spec = json!({
                        "name": n.name,
                        "inputs_schema": n.inputs_schema,
                        "outputs_schema": n.outputs_schema,
                        "secrets": n.secrets,
                    });
                    (
                        Arc::<str>::from(n.name.as_str()),
                        NodeRecord {
                            runtime_name: runtime.clone(),
                            spec: spec.to_string().into(),
                            created_at: created,
                            updated_at: now,
                        },
                    )
                })
                .collect();
            Ok((
                vec![Op::Workflow(WorkflowOp::RegisterNodes {
                    ns: ns_arc,
                    nodes: records,
                })],
                (),
            ))
        })
        .await?;
        let pending: Vec<String> = self
            .engine()
            .view()
            .workflows
            .graphs_in(ns)
            .filter(|(_, g)| g.validation != Validation::Valid)
            .map(|(n, _)| n.to_string())
            .collect();
        for name in pending {
            self.validate(ns, &name).await?;
        }
        Ok(())
    }

    /// Creates or replaces a graph template, PENDING until [`Workflows::validate`] runs.
    ///
    /// # Errors
    /// 400 with every structural error; 400 when the graph has secrets and no
    /// `SECRETS_ENCRYPTION_KEY` is configured; an engine failure.
    pub async fn upsert_graph(
        &self,
        ns: &str,
        name: &str,
        input: GraphInput,
    ) -> Result<(), StoreError> {
        if let Err(errors) = validate::validate_graph(&input) {
            return Err(Rejection::Invalid(format!(
                "Error validating graph template: {}",
                errors.join("; ")
            ))
            .into());
        }
        let secrets = if input.secrets.is_empty() {
            Vec::new()
        } else {
            let key = self.options().secrets_key.as_ref().ok_or_else(|| {
                Rejection::Invalid(
                    "this server has no SECRETS_ENCRYPTION_KEY, so it cannot keep graph secrets"
                        .into(),
                )
            })?;
            input
                .secrets
                .iter()
                .map(|(k, v)| (Arc::<str>::from(k.as_str()), Arc::<str>::from(key.seal(v))))
                .collect()
        };
        let template = Template::from_input(&input).to_json();
        // Parsed here, off the commit thread, and kept with the stored text.
        let parsed = Template::parsed_slot(&template);
        let template: Arc<str> = template.into();
        let (ns_arc, name_arc): (Arc<str>, Arc<str>) = (ns.into(), name.into());
        let now = self.now_ms();
        self.txn(move |state| {
            let old = state.workflows.graph(&ns_arc, &name_arc);
            // A strictly later `updated_at` for each version, so a late validation of an
            // older version never lands on a newer one.
            let updated_at = old.map_or(now, |g| now.max(g.updated_at + 1));
            let graph = GraphRecord {
                template,
                secrets,
                validation: Validation::Pending,
                errors: Vec::new(),
                created_at: old.map_or(now, |g| g.created_at),
                updated_at,
                parsed,
            };
            Ok((
                vec![Op::Workflow(WorkflowOp::PutGraph {
                    ns: ns_arc,
                    name: name_arc,
                    graph,
                })],
                (),
            ))
        })
        .await
    }

    /// Checks a graph against the registered nodes and records VALID or INVALID.
    ///
    /// # Errors
    /// An engine failure.
    pub async fn validate(&self, ns: &str, name: &str) -> Result<(), StoreError> {
        let view = self.engine().view();
        let Some(g) = view.workflows.graph(ns, name) else {
            return Ok(());
        };
        let Ok(template) = Template::of(g) else {
            return Ok(());
        };
        let secrets: BTreeSet<String> = g.secrets.iter().map(|(k, _)| k.to_string()).collect();
        let errors = verify_against_nodes(&template.nodes, &secrets, |node_ns, node| {
            let record = view.workflows.node(node_ns, node)?;
            let spec: serde_json::Value = serde_json::from_str(&record.spec).ok()?;
            Some(RegisteredNodeInfo {
                inputs_schema: spec.get("inputs_schema").cloned().unwrap_or_default(),
                outputs_schema: spec.get("outputs_schema").cloned().unwrap_or_default(),
                secrets: spec
                    .get("secrets")
                    .and_then(|s| serde_json::from_value(s.clone()).ok())
                    .unwrap_or_default(),
            })
        });
        let validation = if errors.is_empty() {
            Validation::Valid
        } else {
            Validation::Invalid
        };
        self.engine()
            .commit_ops(vec![Op::Workflow(WorkflowOp::SetValidation {
                ns: ns.into(),
                name: name.into(),
                updated_at: g.updated_at,
                validation,
                errors,
            })])
            .await?;
        Ok(())
    }

    /// Starts a run. Returns its id.
    ///
    /// # Errors
    /// 404 no such graph; 400 not valid, missing store keys, bad root inputs.
    pub async fn trigger(
        &self,
        ns: &str,
        name: &str,
        input: TriggerInput,
    ) -> Result<Arc<str>, StoreError> {
        let now = self.now_ms();
        let (ns, name) = (ns.to_string(), name.to_string());
        self.txn(move |state| {
            let (run, root) = runs::trigger(&state.workflows, &ns, &name, &input, now)?;
            let id = run.run_id.clone();
            Ok((
                vec![
                    Op::Workflow(WorkflowOp::PutRun(run)),
                    Op::Workflow(WorkflowOp::PutStates(vec![root])),
                ],
                id,
            ))
        })
        .await
    }

    /// Deletes a graph template (its runs stay readable; their pending states end in
    /// NEXT_CREATED_ERROR when they execute).
    ///
    /// # Errors
    /// 404 no such graph.
    pub async fn delete_graph(&self, ns: &str, name: &str) -> Result<(), StoreError> {
        let (ns, name): (Arc<str>, Arc<str>) = (ns.into(), name.into());
        self.txn(move |state| {
            if state.workflows.graph(&ns, &name).is_none() {
                return Err(Rejection::Missing(format!(
                    "Graph template {name} not found in namespace {ns}"
                )));
            }
            Ok((vec![Op::Workflow(WorkflowOp::DeleteGraph { ns, name })], ()))
        })
        .await
    }

    /// Cancels a run: its pending states become CANCELLED. Returns how many.
    ///
    /// # Errors
    /// 404 unknown run; 409 already cancelled.
    pub async fn cancel(&self, ns: &str, run_id: &str) -> Result<usize, StoreError> {
        let now = self.now_ms();
        let (ns, run_id) = (ns.to_string(), run_id.to_string());
        self.with_overlay(move |o: &mut Overlay<'_>| {
            let (run, n) = runs::cancel(o, &ns, &run_id, now)?;
            Ok((vec![WorkflowOp::PutRun(run)], n))
        })
        .await
    }
}
