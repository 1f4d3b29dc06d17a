//! Names a server knows, for shell completion: the namespaces with objects (v1) and the
//! namespaces with registered workflow nodes (v0).

use reqwest::Method;
use serde::Deserialize;

use super::{Client, Result};

/// One entry of `GET /v1/namespaces` (the fields completion needs).
#[derive(Debug, Clone, Deserialize)]
pub struct NamespaceSummary {
    /// The namespace.
    pub ns: String,
    /// Its live objects.
    #[serde(default)]
    pub objects: u64,
}

/// The answer of `GET /v0/namespaces`.
#[derive(Debug, Clone, Deserialize)]
struct WorkflowNamespaces {
    namespaces: Vec<String>,
}

impl Client {
    /// `GET /v1/namespaces`: the namespaces with live objects.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn namespaces(&self) -> Result<Vec<NamespaceSummary>> {
        self.json(self.request(Method::GET, self.url(&["v1", "namespaces"])))
            .await
    }

    /// `GET /v0/namespaces`: the namespaces with registered workflow nodes.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn workflow_namespaces(&self) -> Result<Vec<String>> {
        let out: WorkflowNamespaces = self
            .json(self.v0_request(Method::GET, self.url(&["v0", "namespaces"])))
            .await?;
        Ok(out.namespaces)
    }
}
