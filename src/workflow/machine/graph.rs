//! A stored graph template parsed for the state machine: its nodes by identifier, the root,
//! the unites nodes, the retry policy and the store configuration. The JSON form is what
//! [`GraphRecord::template`](crate::store::state::workflows::GraphRecord) keeps.

use serde::{Deserialize, Serialize};

use crate::workflow::model::{GraphInput, NodeTemplate, RetryPolicy, StoreConfig, Trigger};

/// A graph template without its secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// The nodes.
    pub nodes: Vec<NodeTemplate>,
    /// Retries of errored states.
    pub retry_policy: RetryPolicy,
    /// Store keys of a run.
    pub store_config: StoreConfig,
    /// Cron triggers.
    pub triggers: Vec<Trigger>,
}

impl Template {
    /// The template of an upsert (defaults filled in).
    pub fn from_input(g: &GraphInput) -> Template {
        Template {
            nodes: g.nodes.clone(),
            retry_policy: g.retry_policy.clone().unwrap_or_default(),
            store_config: g.store_config.clone().unwrap_or_default(),
            triggers: g.triggers.clone().unwrap_or_default(),
        }
    }

    /// The stored JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Parses the stored JSON text.
    ///
    /// # Errors
    /// The text is not a template (it was written by [`Template::to_json`], so only a bug).
    pub fn parse(json: &str) -> Result<Template, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The node with this identifier.
    pub fn node(&self, identifier: &str) -> Option<&NodeTemplate> {
        self.nodes.iter().find(|n| n.identifier == identifier)
    }

    /// The root: the node no `next_nodes` names and that unites nothing.
    pub fn root(&self) -> Option<&NodeTemplate> {
        self.nodes.iter().find(|n| {
            n.unites.is_none() && !self.nodes.iter().any(|m| m.next().contains(&n.identifier))
        })
    }

    /// Nodes that unite the branches under another node.
    pub fn unites_nodes(&self) -> impl Iterator<Item = &NodeTemplate> {
        self.nodes.iter().filter(|n| n.unites.is_some())
    }
}
