//! Storage forms (WAL and snapshots, postcard) of the workflow types that carry JSON values.
//!
//! `serde_json::Value` does not round-trip through postcard (it needs `deserialize_any`),
//! so every JSON value is kept as its JSON text in a [`JsonText`]. The conversions from the
//! wire types cannot fail; the ones back to them fail only on corrupt text. Value-free
//! pieces ([`RetryPolicy`], [`StoreConfig`], [`Trigger`], [`Unites`]) are embedded as they are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::{
    GraphInput, NodeRegistration, NodeTemplate, RetryPolicy, StoreConfig, Trigger, Unites,
};

/// A JSON value kept as its (compact) JSON text.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
#[serde(transparent)]
pub struct JsonText(String);

impl JsonText {
    /// Serializes `value` (compact).
    pub fn from_value(value: &Value) -> JsonText {
        JsonText(value.to_string())
    }

    /// Checks that `text` is JSON and keeps it as is.
    pub fn parse_text(text: impl Into<String>) -> Result<JsonText, serde_json::Error> {
        let text = text.into();
        serde_json::from_str::<serde::de::IgnoredAny>(&text)?;
        Ok(JsonText(text))
    }

    /// Parses the text back.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The string this text encodes, if it is a JSON string (a validated input template).
    pub fn as_string(&self) -> Option<String> {
        match self.to_value() {
            Ok(Value::String(s)) => Some(s),
            _ => None,
        }
    }
}

impl From<&Value> for JsonText {
    fn from(value: &Value) -> Self {
        JsonText::from_value(value)
    }
}

/// A JSON object (an output, prune data) with each value as JSON text.
pub type StoredObject = BTreeMap<String, JsonText>;

/// Converts a JSON object for storage.
pub fn store_object<'a>(object: impl IntoIterator<Item = (&'a String, &'a Value)>) -> StoredObject {
    object
        .into_iter()
        .map(|(k, v)| (k.clone(), JsonText::from_value(v)))
        .collect()
}

/// Converts a stored object back.
pub fn load_object(object: &StoredObject) -> Result<Map<String, Value>, serde_json::Error> {
    object
        .iter()
        .map(|(k, v)| Ok((k.clone(), v.to_value()?)))
        .collect()
}

/// A [`NodeTemplate`] for storage.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct StoredNode {
    /// See [`NodeTemplate::node_name`].
    pub node_name: String,
    /// See [`NodeTemplate::namespace`].
    pub namespace: String,
    /// See [`NodeTemplate::identifier`].
    pub identifier: String,
    /// The input templates as JSON text (JSON strings once the graph validated).
    pub inputs: BTreeMap<String, JsonText>,
    /// See [`NodeTemplate::next_nodes`].
    pub next_nodes: Option<Vec<String>>,
    /// See [`NodeTemplate::unites`].
    pub unites: Option<Unites>,
    /// See [`NodeTemplate::timeout_seconds`].
    pub timeout_seconds: Option<u64>,
}

impl StoredNode {
    /// The storage form of a template.
    pub fn from_wire(node: &NodeTemplate) -> StoredNode {
        StoredNode {
            node_name: node.node_name.clone(),
            namespace: node.namespace.clone(),
            identifier: node.identifier.clone(),
            inputs: store_object(&node.inputs),
            next_nodes: node.next_nodes.clone(),
            unites: node.unites.clone(),
            timeout_seconds: node.timeout_seconds,
        }
    }

    /// Back to the wire form.
    pub fn to_wire(&self) -> Result<NodeTemplate, serde_json::Error> {
        Ok(NodeTemplate {
            node_name: self.node_name.clone(),
            namespace: self.namespace.clone(),
            identifier: self.identifier.clone(),
            inputs: self
                .inputs
                .iter()
                .map(|(k, v)| Ok((k.clone(), v.to_value()?)))
                .collect::<Result<_, serde_json::Error>>()?,
            next_nodes: self.next_nodes.clone(),
            unites: self.unites.clone(),
            timeout_seconds: self.timeout_seconds,
        })
    }

    /// The input templates that are JSON strings (all of them in a validated graph).
    pub fn string_inputs(&self) -> BTreeMap<String, String> {
        self.inputs
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_string()?)))
            .collect()
    }
}

/// A graph template for storage. Name, namespace and validation status belong to the caller.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct StoredGraph {
    /// The nodes, in the order they were sent.
    pub nodes: Vec<StoredNode>,
    /// Secret name -> its sealed form (whatever the caller's encryption produced; never
    /// plaintext).
    pub secrets: BTreeMap<String, String>,
    /// As sent; `None` means the default policy.
    pub retry_policy: Option<RetryPolicy>,
    /// As sent, keys trimmed.
    pub store_config: Option<StoreConfig>,
    /// The triggers (`None` on the wire is stored as empty).
    pub triggers: Vec<Trigger>,
}

impl StoredGraph {
    /// The storage form of an upserted graph. `sealed_secrets` replaces the plaintext
    /// `input.secrets` (the caller encrypts them); store keys are trimmed.
    pub fn from_wire(input: &GraphInput, sealed_secrets: BTreeMap<String, String>) -> StoredGraph {
        StoredGraph {
            nodes: input.nodes.iter().map(StoredNode::from_wire).collect(),
            secrets: sealed_secrets,
            retry_policy: input.retry_policy.clone(),
            store_config: input.store_config.as_ref().map(trim_store_config),
            triggers: input.triggers.clone().unwrap_or_default(),
        }
    }

    /// The nodes in wire form (for responses and for [`super::validate::GraphShape::of`]).
    pub fn wire_nodes(&self) -> Result<Vec<NodeTemplate>, serde_json::Error> {
        self.nodes.iter().map(StoredNode::to_wire).collect()
    }

    /// The retry policy in force (the default when none was sent).
    pub fn retry_policy_or_default(&self) -> RetryPolicy {
        self.retry_policy.clone().unwrap_or_default()
    }

    /// The node with this identifier.
    pub fn node(&self, identifier: &str) -> Option<&StoredNode> {
        self.nodes.iter().find(|n| n.identifier == identifier)
    }
}

fn trim_store_config(c: &StoreConfig) -> StoreConfig {
    StoreConfig {
        required_keys: c
            .required_keys
            .iter()
            .map(|k| k.trim().to_owned())
            .collect(),
        default_values: c
            .default_values
            .iter()
            .map(|(k, v)| (k.trim().to_owned(), v.clone()))
            .collect(),
    }
}

/// A registered node for storage (who registered it belongs to the caller).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct StoredRegistration {
    /// The node's name.
    pub name: String,
    /// Its inputs JSON Schema.
    pub inputs_schema: JsonText,
    /// Its outputs JSON Schema.
    pub outputs_schema: JsonText,
    /// The secrets it reads.
    pub secrets: Vec<String>,
}

impl StoredRegistration {
    /// The storage form of a registration.
    pub fn from_wire(node: &NodeRegistration) -> StoredRegistration {
        StoredRegistration {
            name: node.name.clone(),
            inputs_schema: JsonText::from_value(&node.inputs_schema),
            outputs_schema: JsonText::from_value(&node.outputs_schema),
            secrets: node.secrets.clone(),
        }
    }

    /// Back to the wire form.
    pub fn to_wire(&self) -> Result<NodeRegistration, serde_json::Error> {
        Ok(NodeRegistration {
            name: self.name.clone(),
            inputs_schema: self.inputs_schema.to_value()?,
            outputs_schema: self.outputs_schema.to_value()?,
            secrets: self.secrets.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::model::{RetryStrategy, UnitesStrategy};
    use crate::workflow::status::{RunCounters, StateStatus};
    use serde::de::DeserializeOwned;
    use serde_json::json;
    use std::fmt::Debug;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
        let bytes = postcard::to_stdvec(value).unwrap();
        let back: T = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(&back, value);
    }

    fn graph() -> GraphInput {
        serde_json::from_value(json!({
            "secrets": {"token": "plain"},
            "nodes": [
                {"node_name": "A", "namespace": "ns", "identifier": "a",
                 "inputs": {"x": "${{ store.who }}", "weird": {"n": [1, 2.5, null, true]}},
                 "next_nodes": ["b", "m"]},
                {"node_name": "B", "namespace": "ns", "identifier": "b",
                 "inputs": {"y": "hi ${{ a.outputs.x }}"}, "next_nodes": ["m"]},
                {"node_name": "M", "namespace": "ns", "identifier": "m", "inputs": {},
                 "unites": {"identifier": "a", "strategy": "ALL_DONE"}}
            ],
            "retry_policy": {"strategy": "LINEAR_FULL_JITTER", "max_delay": 10},
            "store_config": {"required_keys": [" who "], "default_values": {" k": "v"}},
            "triggers": [{"type": "CRON", "value": {"expression": "0 * * * *",
                                                   "timezone": "Europe/Berlin"}}]
        }))
        .unwrap()
    }

    #[test]
    fn stored_graph_round_trips_through_postcard_and_back_to_wire() {
        let input = graph();
        let sealed = BTreeMap::from([("token".to_owned(), "c2VhbGVk".to_owned())]);
        let stored = StoredGraph::from_wire(&input, sealed.clone());
        round_trip(&stored);
        assert_eq!(stored.secrets, sealed);
        assert_eq!(stored.wire_nodes().unwrap(), input.nodes);
        let sc = stored.store_config.as_ref().unwrap();
        assert_eq!(sc.required_keys, ["who"]);
        assert_eq!(sc.default_values["k"], "v");
        assert_eq!(stored.triggers.len(), 1);
        assert_eq!(
            stored.retry_policy_or_default().strategy,
            RetryStrategy::LinearFullJitter
        );
        assert_eq!(
            stored.node("m").unwrap().unites.as_ref().unwrap().strategy,
            UnitesStrategy::AllDone
        );
        let a = stored.node("a").unwrap();
        assert_eq!(
            a.string_inputs(),
            BTreeMap::from([("x".into(), "${{ store.who }}".into())])
        );
        round_trip(a);
    }

    #[test]
    fn empty_graph_defaults() {
        let input: GraphInput = serde_json::from_value(json!({"nodes": []})).unwrap();
        let stored = StoredGraph::from_wire(&input, BTreeMap::new());
        round_trip(&stored);
        assert_eq!(stored.retry_policy_or_default(), RetryPolicy::default());
        assert!(stored.triggers.is_empty());
    }

    #[test]
    fn registration_round_trips() {
        let reg = NodeRegistration {
            name: "Hello".into(),
            inputs_schema: json!({"properties": {"name": {"type": "string", "title": "Name"}},
                                  "required": ["name"], "type": "object"}),
            outputs_schema: json!({"properties": {}, "type": "object"}),
            secrets: vec!["token".into()],
        };
        let stored = StoredRegistration::from_wire(&reg);
        round_trip(&stored);
        assert_eq!(stored.to_wire().unwrap(), reg);
    }

    #[test]
    fn objects_and_json_text() {
        let output = json!({"g": "hi", "n": 1, "deep": {"a": [1, "x"]}});
        let stored = store_object(output.as_object().unwrap());
        round_trip(&stored);
        assert_eq!(Value::Object(load_object(&stored).unwrap()), output);
        let t = JsonText::from(&json!("s"));
        assert_eq!(t.as_str(), "\"s\"");
        assert_eq!(t.as_string().as_deref(), Some("s"));
        assert_eq!(JsonText::from(&json!(3)).as_string(), None);
        assert!(JsonText::parse_text("{\"a\": 1}").is_ok());
        assert!(JsonText::parse_text("{").is_err());
        round_trip(&t);
    }

    #[test]
    fn value_free_types_round_trip() {
        round_trip(&RetryPolicy::default());
        round_trip(&RetryPolicy {
            max_delay: Some(5),
            strategy: RetryStrategy::FixedEqualJitter,
            ..RetryPolicy::default()
        });
        round_trip(&StoreConfig::default());
        round_trip(&Trigger::cron("0 3 * * *", Some("Europe/Berlin".into())));
        round_trip(&Trigger::cron("0 3 * * *", None));
        round_trip(&Unites {
            identifier: "a".into(),
            strategy: UnitesStrategy::AllDone,
        });
        for s in StateStatus::ALL {
            round_trip(&s);
        }
        round_trip(&RunCounters::from_statuses(StateStatus::ALL));
    }
}
