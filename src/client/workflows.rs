//! The client's calls of the workflow API v0 (`/v0/namespace/{ns}/...`, see the README's
//! "Workflow API (v0)") and their typed answers. Every call sends the API key in `x-api-key`
//! when one is configured.
//!
//! The answer types follow the server's JSON (`crate::workflow::views`); fields a server may
//! leave out default, so an older server still decodes.

use std::collections::BTreeMap;

use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Client, Result};
use crate::workflow::{
    GraphInput, NodeTemplate, RetryPolicy, RunStatus, StateStatus, StoreConfig, Trigger,
    TriggerInput,
};

/// A registered node (`GET nodes/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeOut {
    /// The node's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The runtime that registered it last.
    #[serde(default)]
    pub runtime_name: String,
    /// JSON Schema of its inputs.
    #[serde(default)]
    pub inputs_schema: Value,
    /// JSON Schema of its outputs.
    #[serde(default)]
    pub outputs_schema: Value,
    /// Names of the secrets it reads.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// First registration (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// Last registration (RFC 3339).
    #[serde(default)]
    pub updated_at: String,
}

/// The answer of `GET nodes/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeList {
    /// The namespace.
    pub namespace: String,
    /// How many nodes.
    pub count: usize,
    /// The nodes.
    pub nodes: Vec<NodeOut>,
}

/// A graph template as the server keeps it (`PUT`/`GET graph/{name}`, `GET graphs/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraphOut {
    /// The graph's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The nodes.
    #[serde(default)]
    pub nodes: Vec<NodeTemplate>,
    /// Secret names (values are never sent back).
    #[serde(default)]
    pub secrets: BTreeMap<String, bool>,
    /// The retry policy (defaults filled in).
    #[serde(default)]
    pub retry_policy: Option<RetryPolicy>,
    /// Store keys of a run.
    #[serde(default)]
    pub store_config: Option<StoreConfig>,
    /// Cron triggers.
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    /// First upsert (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// Last upsert (RFC 3339).
    #[serde(default)]
    pub updated_at: String,
    /// `PENDING`, `VALID` or `INVALID`.
    pub validation_status: String,
    /// Why it is INVALID.
    #[serde(default)]
    pub validation_errors: Vec<String>,
}

impl GraphOut {
    /// True while the server has not checked the graph against the registered nodes.
    pub fn is_pending(&self) -> bool {
        self.validation_status == "PENDING"
    }
}

/// The answer of `GET graphs/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraphList {
    /// The namespace.
    pub namespace: String,
    /// How many templates.
    pub count: usize,
    /// The templates.
    pub templates: Vec<GraphOut>,
}

/// The answer of `POST graph/{name}/trigger`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Triggered {
    /// `CREATED`.
    pub status: String,
    /// The new run.
    pub run_id: String,
}

/// A run with its counters (`GET runs/{page}/{size}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunOut {
    /// The run.
    pub run_id: String,
    /// Its graph.
    pub graph_name: String,
    /// SUCCESS + PRUNED states.
    pub success_count: u64,
    /// CREATED + QUEUED + EXECUTED states.
    pub pending_count: u64,
    /// ERRORED + NEXT_CREATED_ERROR + TIMEDOUT states.
    pub errored_count: u64,
    /// RETRY_CREATED states.
    pub retried_count: u64,
    /// CANCELLED states.
    #[serde(default)]
    pub cancelled_count: u64,
    /// Every state.
    pub total_count: u64,
    /// The run's status.
    pub status: RunStatus,
    /// Trigger time (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// When it was cancelled, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<String>,
}

/// One page of runs, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunPage {
    /// The namespace.
    pub namespace: String,
    /// Runs in the namespace.
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// The page size.
    pub size: usize,
    /// The runs of this page.
    pub runs: Vec<RunOut>,
}

/// One state of a run graph.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunNode {
    /// State id.
    pub id: String,
    /// Registered node name.
    pub node_name: String,
    /// Identifier of the node in the graph.
    pub identifier: String,
    /// Status.
    pub status: StateStatus,
    /// Error text, if any.
    #[serde(default)]
    pub error: Option<String>,
    /// How many retries came before this state.
    #[serde(default)]
    pub retry_count: u32,
}

/// A parent → child edge of a run graph (state ids).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunEdge {
    /// The parent state.
    pub source: String,
    /// The child state.
    pub target: String,
}

/// A run's states as a graph (`GET states/run/{run_id}/graph`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunGraph {
    /// The graph the run belongs to.
    #[serde(default)]
    pub graph_name: Option<String>,
    /// The states without a parent, in full.
    #[serde(default)]
    pub root_states: Vec<StateDetail>,
    /// Every state.
    pub nodes: Vec<RunNode>,
    /// Parent → child edges.
    #[serde(default)]
    pub edges: Vec<RunEdge>,
    /// How many states per status.
    #[serde(default)]
    pub execution_summary: BTreeMap<String, u64>,
}

/// One state in full (`GET graph/{g}/run/{run_id}/node/{state_id}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateDetail {
    /// State id.
    pub id: String,
    /// Registered node name.
    pub node_name: String,
    /// Identifier of the node in the graph.
    pub identifier: String,
    /// The graph.
    pub graph_name: String,
    /// The run.
    pub run_id: String,
    /// Status.
    pub status: StateStatus,
    /// Inputs (a JSON object).
    #[serde(default)]
    pub inputs: Value,
    /// Outputs (a JSON object).
    #[serde(default)]
    pub outputs: Value,
    /// What a prune reported.
    #[serde(default)]
    pub data: Option<Value>,
    /// Error text.
    #[serde(default)]
    pub error: Option<String>,
    /// Ancestors: identifier → state id.
    #[serde(default)]
    pub parents: BTreeMap<String, String>,
    /// How many retries came before this state.
    #[serde(default)]
    pub retry_count: u32,
    /// Creation (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// Last change (RFC 3339).
    #[serde(default)]
    pub updated_at: String,
}

/// The answer of `POST run/{run_id}/cancel`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cancelled {
    /// `CANCELLED`.
    pub status: String,
    /// The run.
    pub run_id: String,
    /// Pending states that were cancelled.
    pub cancelled_states: u64,
}

/// The answer of `POST state/{id}/manual-retry`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Retried {
    /// The new state.
    pub id: String,
    /// `CREATED`.
    pub status: String,
}

impl Client {
    /// `/v0/namespace/{ns}/` + segments (an empty last segment makes a trailing slash).
    fn v0_url(&self, ns: &str, segments: &[&str]) -> Url {
        let mut all = vec!["v0", "namespace", ns];
        all.extend_from_slice(segments);
        self.url(&all)
    }

    /// A v0 call without a body.
    async fn v0<T: DeserializeOwned>(
        &self,
        method: Method,
        ns: &str,
        segments: &[&str],
    ) -> Result<T> {
        self.json(self.v0_request(method, self.v0_url(ns, segments)))
            .await
    }

    /// A v0 call with a JSON body.
    async fn v0_with<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        ns: &str,
        segments: &[&str],
        body: &B,
    ) -> Result<T> {
        self.json(
            self.v0_request(method, self.v0_url(ns, segments))
                .json(body),
        )
        .await
    }

    /// `PUT graph/{name}`: creates or replaces a template (answered PENDING, then checked
    /// against the registered nodes).
    ///
    /// # Errors
    /// Transport, API (400 with the structural errors) and decoding errors.
    pub async fn upsert_graph(&self, ns: &str, name: &str, graph: &GraphInput) -> Result<GraphOut> {
        self.v0_with(Method::PUT, ns, &["graph", name], graph).await
    }

    /// `GET graph/{name}`.
    ///
    /// # Errors
    /// Transport, API (404 when missing) and decoding errors.
    pub async fn graph(&self, ns: &str, name: &str) -> Result<GraphOut> {
        self.v0(Method::GET, ns, &["graph", name]).await
    }

    /// `GET graphs/`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn graphs(&self, ns: &str) -> Result<GraphList> {
        self.v0(Method::GET, ns, &["graphs", ""]).await
    }

    /// `DELETE graph/{name}` (its runs stay readable).
    ///
    /// # Errors
    /// Transport and API errors (404 when missing).
    pub async fn delete_graph(&self, ns: &str, name: &str) -> Result<()> {
        let _: Value = self.v0(Method::DELETE, ns, &["graph", name]).await?;
        Ok(())
    }

    /// `POST graph/{name}/trigger`: starts a run.
    ///
    /// # Errors
    /// Transport, API (400 when not VALID or a store key is missing, 404) and decoding
    /// errors.
    pub async fn trigger(&self, ns: &str, name: &str, input: &TriggerInput) -> Result<Triggered> {
        self.v0_with(Method::POST, ns, &["graph", name, "trigger"], input)
            .await
    }

    /// `GET nodes/`: the registered nodes.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn nodes(&self, ns: &str) -> Result<NodeList> {
        self.v0(Method::GET, ns, &["nodes", ""]).await
    }

    /// `GET runs/{page}/{size}`: runs newest first (`page` from 1, `size` up to 1000).
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn runs(&self, ns: &str, page: usize, size: usize) -> Result<RunPage> {
        let (page, size) = (page.to_string(), size.to_string());
        self.v0(Method::GET, ns, &["runs", &page, &size]).await
    }

    /// `GET states/run/{run_id}/graph`: a run's states and edges.
    ///
    /// # Errors
    /// Transport, API (404 for an unknown run) and decoding errors.
    pub async fn run_graph(&self, ns: &str, run_id: &str) -> Result<RunGraph> {
        self.v0(Method::GET, ns, &["states", "run", run_id, "graph"])
            .await
    }

    /// `GET graph/{graph}/run/{run_id}/node/{state_id}`: one state in full.
    ///
    /// # Errors
    /// Transport, API (404) and decoding errors.
    pub async fn state(
        &self,
        ns: &str,
        graph: &str,
        run_id: &str,
        state_id: &str,
    ) -> Result<StateDetail> {
        let segments = ["graph", graph, "run", run_id, "node", state_id];
        self.v0(Method::GET, ns, &segments).await
    }

    /// `POST run/{run_id}/cancel`: its pending states become CANCELLED.
    ///
    /// # Errors
    /// Transport, API (404 unknown, 409 cancelled already) and decoding errors.
    pub async fn cancel_run(&self, ns: &str, run_id: &str) -> Result<Cancelled> {
        self.v0(Method::POST, ns, &["run", run_id, "cancel"]).await
    }

    /// `POST state/{id}/manual-retry` with `fanout_id` (the same id twice is a 409).
    ///
    /// # Errors
    /// Transport, API (400 still pending, 404 unknown, 409 duplicate) and decoding errors.
    pub async fn manual_retry(&self, ns: &str, state_id: &str, fanout_id: &str) -> Result<Retried> {
        let body = serde_json::json!({ "fanout_id": fanout_id });
        self.v0_with(
            Method::POST,
            ns,
            &["state", state_id, "manual-retry"],
            &body,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v0_urls_keep_trailing_slashes_and_encode_namespaces() {
        let client = Client::new("http://h:1/base/").unwrap();
        assert_eq!(
            client.v0_url("a/b", &["nodes", ""]).as_str(),
            "http://h:1/base/v0/namespace/a%2Fb/nodes/"
        );
    }
}
