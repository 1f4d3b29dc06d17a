//! Validation of a graph against the registered nodes (upstream's asynchronous
//! `verify_graph`, which turns PENDING into VALID or INVALID): [`verify_against_nodes`].
//!
//! Checks, with upstream's messages: every `(namespace, node_name)` is registered; every
//! secret a used registered node declares is present; every field of a registered
//! `inputs_schema` is typed string and present in the template's inputs; every
//! `${{ id.outputs.field }}` names a field of the producer's `outputs_schema` typed string.
//! "Typed string" means the JSON Schema property has `"type": "string"`, which is what
//! pydantic emits for a `str` field (an `Optional[str]` is not a string, as upstream).
//! Template inputs the schema does not declare are ignored. Duplicate messages (one node
//! used twice) are reported once.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::model::{NodeRegistration, NodeTemplate};
use super::template::Template;

/// What validation needs to know about a registered node.
#[derive(Clone, Debug, PartialEq)]
pub struct RegisteredNodeInfo {
    /// The registered inputs JSON Schema.
    pub inputs_schema: Value,
    /// The registered outputs JSON Schema.
    pub outputs_schema: Value,
    /// The secrets the node reads.
    pub secrets: Vec<String>,
}

impl From<NodeRegistration> for RegisteredNodeInfo {
    fn from(n: NodeRegistration) -> Self {
        RegisteredNodeInfo {
            inputs_schema: n.inputs_schema,
            outputs_schema: n.outputs_schema,
            secrets: n.secrets,
        }
    }
}

/// Checks a (structurally valid) graph's nodes against the registry. `secrets_present` are
/// the graph's secret names; `registered(namespace, node_name)` looks a node up. Returns
/// every error; empty means VALID.
pub fn verify_against_nodes(
    nodes: &[NodeTemplate],
    secrets_present: &BTreeSet<String>,
    registered: impl Fn(&str, &str) -> Option<RegisteredNodeInfo>,
) -> Vec<String> {
    let mut errors = Vec::new();
    let mut found: BTreeMap<(&str, &str), Option<RegisteredNodeInfo>> = BTreeMap::new();
    for n in nodes {
        let key = (n.namespace.as_str(), n.node_name.as_str());
        if let std::collections::btree_map::Entry::Vacant(slot) = found.entry(key) {
            let info = registered(key.0, key.1);
            if info.is_none() {
                errors.push(format!(
                    "Node {} in namespace {} does not exist.",
                    n.node_name, n.namespace
                ));
            }
            slot.insert(info);
        }
    }

    let required: BTreeSet<&String> = found.values().flatten().flat_map(|i| &i.secrets).collect();
    for s in required {
        if !secrets_present.contains(s) {
            errors.push(format!(
                "Secret {s} is required but not present in the graph template"
            ));
        }
    }

    let by_id: BTreeMap<&str, &NodeTemplate> =
        nodes.iter().map(|n| (n.identifier.as_str(), n)).collect();
    for n in nodes {
        let Some(info) = lookup(&found, n) else {
            continue;
        };
        let (name, ns) = (&n.node_name, &n.namespace);
        for (field, prop) in properties(&info.inputs_schema) {
            if !is_string(prop) {
                errors.push(format!(
                    "Input {field} in node {name} in namespace {ns} is not a string"
                ));
            } else if !n.inputs.contains_key(field) {
                errors.push(format!(
                    "Input {field} in node {name} in namespace {ns} is not present in the \
                     graph template"
                ));
            }
        }
        let templates = n
            .inputs
            .values()
            .filter_map(Value::as_str)
            .filter_map(|s| Template::parse(s).ok());
        for template in templates {
            for (id, field) in template.output_refs() {
                let Some(producer) = by_id.get(id) else {
                    errors.push(format!("Node {id} does not exist in the graph template"));
                    continue;
                };
                let Some(pinfo) = lookup(&found, producer) else {
                    continue;
                };
                let (pname, pns) = (&producer.node_name, &producer.namespace);
                match properties(&pinfo.outputs_schema).find(|(f, _)| *f == field) {
                    None => errors.push(format!(
                        "Field {field} in node {pname} in namespace {pns} does not exist"
                    )),
                    Some((_, prop)) if !is_string(prop) => errors.push(format!(
                        "Field {field} in node {pname} in namespace {pns} is not a string"
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    errors.retain(|e| seen.insert(e.clone()));
    errors
}

fn lookup<'a, 'k>(
    found: &'a BTreeMap<(&'k str, &'k str), Option<RegisteredNodeInfo>>,
    n: &'k NodeTemplate,
) -> Option<&'a RegisteredNodeInfo> {
    found
        .get(&(n.namespace.as_str(), n.node_name.as_str()))?
        .as_ref()
}

/// The `properties` of a JSON Schema object (none when absent).
fn properties(schema: &Value) -> impl Iterator<Item = (&str, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
}

fn is_string(prop: &Value) -> bool {
    prop.get("type").and_then(Value::as_str) == Some("string")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(id: &str, name: &str, inputs: Value, next: &[&str]) -> NodeTemplate {
        serde_json::from_value(json!({
            "node_name": name, "namespace": "ns", "identifier": id, "inputs": inputs,
            "next_nodes": if next.is_empty() { Value::Null } else { json!(next) }
        }))
        .unwrap()
    }

    fn schema(fields: &[(&str, &str)]) -> Value {
        let props: serde_json::Map<String, Value> = fields
            .iter()
            .map(|(f, t)| ((*f).to_owned(), json!({"title": f, "type": t})))
            .collect();
        json!({"properties": props, "title": "Model", "type": "object"})
    }

    fn registry(ns: &str, name: &str) -> Option<RegisteredNodeInfo> {
        if ns != "ns" {
            return None;
        }
        let (i, o, s): (Value, Value, &[&str]) = match name {
            "Split" => (
                schema(&[("text", "string")]),
                schema(&[("part", "string")]),
                &[],
            ),
            "Work" => (
                schema(&[("part", "string")]),
                schema(&[("out", "string"), ("count", "integer")]),
                &["token"],
            ),
            "Typed" => (schema(&[("n", "integer")]), schema(&[]), &[]),
            "Empty" => (json!({"title": "Inputs", "type": "object"}), json!({}), &[]),
            _ => return None,
        };
        Some(RegisteredNodeInfo {
            inputs_schema: i,
            outputs_schema: o,
            secrets: s.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    fn secrets(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn valid_graph_has_no_errors() {
        let nodes = [
            node("s", "Split", json!({"text": "${{ store.t }}"}), &["w"]),
            node(
                "w",
                "Work",
                json!({"part": "p: ${{ s.outputs.part }}"}),
                &["e"],
            ),
            node("e", "Empty", json!({"x": "${{ w.outputs.out }}"}), &[]),
        ];
        assert_eq!(
            verify_against_nodes(&nodes, &secrets(&["token"]), registry),
            Vec::<String>::new()
        );
    }

    #[test]
    fn unregistered_node_and_missing_secret() {
        let nodes = [
            node("s", "Split", json!({"text": "x"}), &["w", "g"]),
            node("w", "Work", json!({"part": "x"}), &[]),
            node("g", "Ghost", json!({}), &[]),
        ];
        let errors = verify_against_nodes(&nodes, &secrets(&[]), registry);
        assert_eq!(
            errors,
            [
                "Node Ghost in namespace ns does not exist.",
                "Secret token is required but not present in the graph template"
            ]
        );
    }

    #[test]
    fn inputs_must_be_present_and_typed_string() {
        let nodes = [
            node("s", "Split", json!({}), &["t", "t2"]),
            node("t", "Typed", json!({"n": "1"}), &[]),
            node("t2", "Split", json!({}), &[]),
        ];
        let errors = verify_against_nodes(&nodes, &secrets(&[]), registry);
        assert_eq!(
            errors,
            [
                "Input text in node Split in namespace ns is not present in the graph template",
                "Input n in node Typed in namespace ns is not a string",
            ],
            "duplicates are reported once"
        );
    }

    #[test]
    fn referenced_outputs_must_exist_and_be_strings() {
        let nodes = [
            node("s", "Split", json!({"text": "x"}), &["w"]),
            node(
                "w",
                "Work",
                json!({"part": "${{ s.outputs.nope }}"}),
                &["e"],
            ),
            node(
                "e",
                "Empty",
                json!({"a": "${{ w.outputs.count }}", "b": "${{ zz.outputs.f }}"}),
                &[],
            ),
        ];
        let errors = verify_against_nodes(&nodes, &secrets(&["token"]), registry);
        assert_eq!(
            errors,
            [
                "Field nope in node Split in namespace ns does not exist",
                "Field count in node Work in namespace ns is not a string",
                "Node zz does not exist in the graph template",
            ]
        );
    }

    #[test]
    fn from_registration() {
        let info = RegisteredNodeInfo::from(NodeRegistration {
            name: "A".into(),
            inputs_schema: json!({}),
            outputs_schema: json!({}),
            secrets: vec!["k".into()],
        });
        assert_eq!(info.secrets, ["k"]);
    }
}
