//! Graph files: a graph template written as a JSON or TOML document, as `stmgr graph upload`
//! and `stmgr graph validate` read them (see `examples/graph.toml`).
//!
//! A graph file is the body of `PUT graph/{name}` (`secrets`, `nodes`, `retry_policy`,
//! `store_config`, `triggers`) plus two optional defaults, `name` and `namespace`. Unlike the
//! API, which ignores unknown fields as upstream does, a file is strict: a misspelt key is an
//! error naming where it is, not a silently ignored setting. A node without `namespace` takes
//! the graph's namespace. Parsing only; reading the file is the caller's business.

use serde_json::{Map, Value};

use super::model::GraphInput;

/// The syntax of a graph file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl GraphFormat {
    /// TOML for a `.toml` file name, JSON otherwise.
    pub fn from_file_name(name: &str) -> GraphFormat {
        if name.to_ascii_lowercase().ends_with(".toml") {
            GraphFormat::Toml
        } else {
            GraphFormat::Json
        }
    }
}

/// Why a graph file cannot be read as a graph.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphFileError {
    /// Not valid JSON or TOML at all.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Valid syntax, but not a graph: unknown keys, values of the wrong type.
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
}

impl GraphFileError {
    /// Every problem, one message each.
    pub fn messages(&self) -> Vec<String> {
        match self {
            GraphFileError::Syntax { .. } => vec![self.to_string()],
            GraphFileError::Invalid(errors) => errors.clone(),
        }
    }
}

/// A parsed graph file: its defaults and the template.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphFile {
    /// The graph's name, if the file gives one.
    pub name: Option<String>,
    /// The graph's namespace, if the file gives one.
    pub namespace: Option<String>,
    /// The template, without `name` and `namespace`.
    body: Map<String, Value>,
}

const TOP_KEYS: &[&str] = &[
    "name",
    "namespace",
    "secrets",
    "nodes",
    "retry_policy",
    "store_config",
    "triggers",
];
const NODE_KEYS: &[&str] = &[
    "node_name",
    "namespace",
    "identifier",
    "inputs",
    "next_nodes",
    "unites",
    "timeout_seconds",
];
const UNITES_KEYS: &[&str] = &["identifier", "strategy"];
const RETRY_KEYS: &[&str] = &[
    "max_retries",
    "strategy",
    "backoff_factor",
    "exponent",
    "max_delay",
];
const STORE_KEYS: &[&str] = &["required_keys", "default_values"];
const TRIGGER_KEYS: &[&str] = &["type", "value"];
const CRON_KEYS: &[&str] = &["expression", "timezone"];

impl GraphFile {
    /// Parses a graph file and checks its keys (every unknown key is reported).
    ///
    /// # Errors
    /// [`GraphFileError::Syntax`] for text that is not JSON or TOML;
    /// [`GraphFileError::Invalid`] for unknown keys, or `name`/`namespace` that are not text.
    pub fn parse(text: &str, format: GraphFormat) -> Result<GraphFile, GraphFileError> {
        let value: Value = match format {
            GraphFormat::Json => {
                serde_json::from_str(text).map_err(|e| GraphFileError::Syntax {
                    line: e.line(),
                    column: e.column(),
                    message: strip_position(&e.to_string()),
                })?
            }
            GraphFormat::Toml => toml::from_str(text).map_err(|e| {
                let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
                GraphFileError::Syntax {
                    line,
                    column,
                    message: e.message().trim().replace('\n', " "),
                }
            })?,
        };
        let Value::Object(mut body) = value else {
            return Err(GraphFileError::Invalid(vec![
                "a graph file holds one object (a JSON object or a TOML document)".to_owned(),
            ]));
        };
        let mut errors = Vec::new();
        check_keys(&body, TOP_KEYS, "the graph", &mut errors);
        let mut text_field = |key: &str| match body.remove(key) {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                errors.push(format!("`{key}` must be text, not {other}"));
                None
            }
        };
        let name = text_field("name");
        let namespace = text_field("namespace");
        if let Some(v) = body.get("retry_policy") {
            check_object(v, RETRY_KEYS, "retry_policy", &mut errors);
        }
        if let Some(v) = body.get("store_config") {
            check_object(v, STORE_KEYS, "store_config", &mut errors);
        }
        for (i, t) in array(&body, "triggers").enumerate() {
            let at = format!("triggers[{i}]");
            check_object(t, TRIGGER_KEYS, &at, &mut errors);
            if let Some(v) = t.get("value") {
                check_object(v, CRON_KEYS, &format!("{at}.value"), &mut errors);
            }
        }
        for (i, node) in array(&body, "nodes").enumerate() {
            let at = match node.get("identifier").and_then(Value::as_str) {
                Some(id) => format!("node {id:?}"),
                None => format!("nodes[{i}]"),
            };
            check_object(node, NODE_KEYS, &at, &mut errors);
            if let Some(u) = node.get("unites") {
                check_object(u, UNITES_KEYS, &format!("{at}.unites"), &mut errors);
            }
        }
        if errors.is_empty() {
            Ok(GraphFile {
                name,
                namespace,
                body,
            })
        } else {
            Err(GraphFileError::Invalid(errors))
        }
    }

    /// The body of `PUT graph/{name}`, each node without a `namespace` given `namespace`.
    ///
    /// # Errors
    /// [`GraphFileError::Invalid`] when a value has the wrong type (`nodes` missing, an input
    /// list instead of a table, an unknown retry strategy).
    pub fn input(&self, namespace: &str) -> Result<GraphInput, GraphFileError> {
        let mut body = self.body.clone();
        if let Some(Value::Array(nodes)) = body.get_mut("nodes") {
            for node in nodes.iter_mut().filter_map(Value::as_object_mut) {
                node.entry("namespace")
                    .or_insert_with(|| Value::String(namespace.to_owned()));
            }
        }
        serde_json::from_value(Value::Object(body))
            .map_err(|e| GraphFileError::Invalid(vec![format!("not a graph template: {e}")]))
    }
}

/// The elements of the array under `key`, if it is one.
fn array<'a>(body: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a Value> {
    body.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Reports the keys of `value` (if it is an object) that are not in `known`.
fn check_object(value: &Value, known: &[&str], at: &str, errors: &mut Vec<String>) {
    if let Some(map) = value.as_object() {
        check_keys(map, known, at, errors);
    }
}

fn check_keys(map: &Map<String, Value>, known: &[&str], at: &str, errors: &mut Vec<String>) {
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        errors.push(format!(
            "unknown key `{key}` in {at} (expected one of: {})",
            known.join(", ")
        ));
    }
}

/// serde_json's message without its " at line L column C" suffix (reported separately).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::validate_graph;

    const TOML: &str = r#"
name = "g"
namespace = "demo"

[store_config]
required_keys = ["k"]

[[nodes]]
identifier = "a"
node_name = "A"
inputs = { x = "${{ store.k }}" }
next_nodes = ["b"]

[[nodes]]
identifier = "b"
node_name = "B"
namespace = "other"
inputs = { x = "after ${{ a.outputs.x }}" }
"#;

    #[test]
    fn toml_file_gives_defaults_and_a_valid_input() {
        let f = GraphFile::parse(TOML, GraphFormat::Toml).unwrap();
        assert_eq!(f.name.as_deref(), Some("g"));
        assert_eq!(f.namespace.as_deref(), Some("demo"));
        let input = f.input("ns1").unwrap();
        assert_eq!(input.nodes[0].namespace, "ns1");
        assert_eq!(input.nodes[1].namespace, "other");
        validate_graph(&input).unwrap();
    }

    #[test]
    fn json_file_parses_like_the_api_body() {
        let text = r#"{"secrets": {"s": "v"}, "nodes": [
            {"identifier": "a", "node_name": "A", "namespace": "n", "inputs": {"x": "1"}}]}"#;
        let f = GraphFile::parse(text, GraphFormat::from_file_name("g.json")).unwrap();
        assert_eq!(f.name, None);
        let input = f.input("ns").unwrap();
        assert_eq!(input.secrets["s"], "v");
        assert_eq!(input.nodes[0].namespace, "n");
    }

    #[test]
    fn unknown_keys_are_reported_with_their_place() {
        let text = r#"{"nodes": [{"identifier": "a", "node_name": "A", "next_node": []}],
            "retry_polcy": {}, "store_config": {"required": []}}"#;
        let err = GraphFile::parse(text, GraphFormat::Json).unwrap_err();
        let messages = err.messages();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages[0].contains("`retry_polcy` in the graph"),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`next_node` in node \"a\""))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`required` in store_config"))
        );
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = GraphFile::parse("name = \"g\"\nnodes = [\n", GraphFormat::Toml).unwrap_err();
        assert!(
            matches!(err, GraphFileError::Syntax { line: 2, .. }),
            "{err:?}"
        );
        let err = GraphFile::parse("{\n  \"nodes\": [,]\n}", GraphFormat::Json).unwrap_err();
        assert!(
            matches!(err, GraphFileError::Syntax { line: 2, .. }),
            "{err:?}"
        );
        assert!(!err.to_string().contains(" at line "), "{err}");
    }

    #[test]
    fn wrong_types_are_invalid() {
        let err = GraphFile::parse("[1]", GraphFormat::Json).unwrap_err();
        assert!(matches!(err, GraphFileError::Invalid(_)));
        let err = GraphFile::parse(r#"{"name": 3, "nodes": []}"#, GraphFormat::Json).unwrap_err();
        assert!(err.to_string().contains("`name` must be text"), "{err}");
        let f = GraphFile::parse(r#"{"secrets": {}}"#, GraphFormat::Json).unwrap();
        let err = f.input("ns").unwrap_err();
        assert!(err.to_string().contains("nodes"), "{err}");
    }
}
