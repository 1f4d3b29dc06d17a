//! What runtimes report about states (executed, errored, prune, re-enqueue-after), manual
//! retries, and the secrets a state may read.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::machine::overlay::Overlay;
use super::machine::transitions;
use super::service::Workflows;
use crate::store::{Rejection, StoreError};

impl Workflows {
    /// `executed` with the node's outputs (fan-out when more than one).
    ///
    /// # Errors
    /// 404 unknown state; 400 not queued; 409 cancelled.
    pub async fn executed(
        &self,
        ns: &str,
        id: &str,
        outputs: Vec<Map<String, Value>>,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        let (ns, id) = (ns.to_string(), id.to_string());
        self.with_overlay(move |o: &mut Overlay<'_>| {
            transitions::executed(o, &ns, &id, &outputs, now)?;
            Ok((Vec::new(), ()))
        })
        .await
    }

    /// `errored`: returns whether a retry was created.
    ///
    /// # Errors
    /// 404 unknown state; 400 not queued; 409 cancelled.
    pub async fn errored(&self, ns: &str, id: &str, error: String) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let (ns, id) = (ns.to_string(), id.to_string());
        self.with_overlay(move |o: &mut Overlay<'_>| {
            Ok((Vec::new(), transitions::errored(o, &ns, &id, &error, now)?))
        })
        .await
    }

    /// `prune`: returns the state's `enqueue_after`.
    ///
    /// # Errors
    /// 404 unknown state; 400 not queued; 409 cancelled.
    pub async fn prune(
        &self,
        ns: &str,
        id: &str,
        data: Map<String, Value>,
    ) -> Result<i64, StoreError> {
        let now = self.now_ms();
        let (ns, id) = (ns.to_string(), id.to_string());
        self.with_overlay(move |o: &mut Overlay<'_>| {
            Ok((Vec::new(), transitions::prune(o, &ns, &id, &data, now)?))
        })
        .await
    }

    /// `re-enqueue-after`: returns when the state is due again (ms).
    ///
    /// # Errors
    /// 404 unknown state; 400 finished state; 409 cancelled.
    pub async fn re_enqueue(&self, ns: &str, id: &str, delay_ms: u64) -> Result<i64, StoreError> {
        let now = self.now_ms();
        let (ns, id) = (ns.to_string(), id.to_string());
        self.with_overlay(move |o: &mut Overlay<'_>| {
            Ok((
                Vec::new(),
                transitions::re_enqueue(o, &ns, &id, delay_ms, now)?,
            ))
        })
        .await
    }

    /// `manual-retry`: returns the new state's id and creation time (ms).
    ///
    /// # Errors
    /// 404 unknown state; 400 still pending; 409 duplicate `fanout_id` or cancelled run.
    pub async fn manual_retry(
        &self,
        ns: &str,
        id: &str,
        fanout_id: String,
    ) -> Result<(Arc<str>, i64), StoreError> {
        let now = self.now_ms();
        let (ns, id) = (ns.to_string(), id.to_string());
        let new_id = self
            .with_overlay(move |o: &mut Overlay<'_>| {
                Ok((
                    Vec::new(),
                    transitions::manual_retry(o, &ns, &id, &fanout_id, now)?,
                ))
            })
            .await?;
        Ok((new_id, now))
    }

    /// The graph's secrets in plain text, for the state `id`.
    ///
    /// # Errors
    /// 404 unknown state or graph; an undecryptable secret.
    pub fn secrets(&self, ns: &str, id: &str) -> Result<BTreeMap<String, String>, StoreError> {
        let view = self.engine().view();
        let wf = &view.workflows;
        let s = wf
            .state(id)
            .filter(|s| s.ns.as_ref() == ns)
            .ok_or_else(|| Rejection::Missing("State not found".into()))?;
        let run = wf
            .run(&s.run_id)
            .ok_or_else(|| Rejection::Missing(format!("run {} not found", s.run_id)))?;
        let g = wf.graph(&run.ns, &run.graph_name).ok_or_else(|| {
            Rejection::Missing(format!("Graph template {} not found", run.graph_name))
        })?;
        if g.secrets.is_empty() {
            return Ok(BTreeMap::new());
        }
        let key = self.options().secrets_key.as_ref().ok_or_else(|| {
            Rejection::Invalid("this server has no SECRETS_ENCRYPTION_KEY".into())
        })?;
        g.secrets
            .iter()
            .map(|(k, v)| {
                key.open(k, v)
                    .map(|plain| (k.to_string(), plain))
                    .map_err(|e| Rejection::Invalid(e.to_string()).into())
            })
            .collect()
    }
}
