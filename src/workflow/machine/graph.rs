//! A stored graph template parsed for the state machine: its nodes by identifier, the root,
//! the unites nodes, the retry policy and the store configuration. The JSON form is what
//! [`GraphRecord::template`](crate::store::state::workflows::GraphRecord) keeps.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::store::derived::Derived;
use crate::store::state::workflows::GraphRecord;
use crate::workflow::model::{GraphInput, NodeTemplate, RetryPolicy, StoreConfig, Trigger};

/// A stored template as parsed: the template, or why its text does not parse.
pub type Parsed = Result<Arc<Template>, String>;

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

    /// The template a stored graph keeps, parsed once per stored version and kept beside it
    /// ([`GraphRecord::parsed`]): transactions on the commit thread read it, never re-parse it.
    ///
    /// # Errors
    /// The stored text is not a template (only a bug writes one).
    pub fn of(g: &GraphRecord) -> Parsed {
        g.parsed
            .get_or_init(|| Template::parse_stored(&g.template))
            .as_ref()
            .clone()
    }

    /// A [`GraphRecord::parsed`] slot filled with the parse of the template text `text`, to
    /// store with it (so the commit thread does not parse it).
    pub fn parsed_slot(text: &str) -> Derived {
        Derived::new(Template::parse_stored(text))
    }

    fn parse_stored(text: &str) -> Parsed {
        Template::parse(text)
            .map(Arc::new)
            .map_err(|e| e.to_string())
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
