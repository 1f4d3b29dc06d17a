//! The states of a run as a text tree: every state under the state that created it (the
//! run graph's edges), children in the order the server lists the states.
//!
//! ```text
//! list [ListFiles] SUCCESS 01K...
//! ├── process [ProcessFile] SUCCESS 01K...
//! │   └── merge [MergeResults] CREATED 01K...
//! └── process [ProcessFile] ERRORED retry 1 01K...: disk full
//! ```

use std::collections::{BTreeMap, BTreeSet};

use crate::cli::workflow::cell;
use crate::client::workflows::{RunGraph, RunNode};

/// The tree as text (no trailing newline). States not reachable from a root (a broken edge)
/// are printed as roots too, so every state appears exactly once.
pub fn render(g: &RunGraph) -> String {
    let by_id: BTreeMap<&str, &RunNode> = g.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut has_parent = BTreeSet::new();
    let position: BTreeMap<&str, usize> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for e in &g.edges {
        if by_id.contains_key(e.source.as_str()) && by_id.contains_key(e.target.as_str()) {
            children
                .entry(e.source.as_str())
                .or_default()
                .push(e.target.as_str());
            has_parent.insert(e.target.as_str());
        }
    }
    for list in children.values_mut() {
        list.sort_by_key(|id| position.get(id).copied().unwrap_or(usize::MAX));
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let roots = g
        .nodes
        .iter()
        .filter(|n| !has_parent.contains(n.id.as_str()));
    for root in roots {
        walk(
            root.id.as_str(),
            "",
            None,
            &by_id,
            &children,
            &mut seen,
            &mut out,
        );
    }
    // Left over: states only reachable through a cycle (never produced by the server).
    for n in &g.nodes {
        if !seen.contains(n.id.as_str()) {
            walk(
                n.id.as_str(),
                "",
                None,
                &by_id,
                &children,
                &mut seen,
                &mut out,
            );
        }
    }
    out.join("\n")
}

/// Appends `id` and its subtree. `last` is `None` for a root, else whether `id` is the last
/// child of its parent.
fn walk<'a>(
    id: &'a str,
    prefix: &str,
    last: Option<bool>,
    by_id: &BTreeMap<&str, &RunNode>,
    children: &BTreeMap<&'a str, Vec<&'a str>>,
    seen: &mut BTreeSet<&'a str>,
    out: &mut Vec<String>,
) {
    if !seen.insert(id) {
        return;
    }
    let Some(node) = by_id.get(id) else {
        return;
    };
    let (branch, indent) = match last {
        None => ("", ""),
        Some(false) => ("├── ", "│   "),
        Some(true) => ("└── ", "    "),
    };
    out.push(format!("{prefix}{branch}{}", label(node)));
    let next_prefix = format!("{prefix}{indent}");
    let kids = children.get(id).map_or(&[][..], Vec::as_slice);
    for (i, kid) in kids.iter().enumerate() {
        let is_last = i + 1 == kids.len();
        walk(kid, &next_prefix, Some(is_last), by_id, children, seen, out);
    }
}

/// `identifier [node] STATUS [retry N] id[: error]`.
fn label(n: &RunNode) -> String {
    let mut text = format!("{} [{}] {}", n.identifier, n.node_name, n.status);
    if n.retry_count > 0 {
        text.push_str(&format!(" retry {}", n.retry_count));
    }
    text.push(' ');
    text.push_str(&n.id);
    if let Some(e) = &n.error {
        text.push_str(": ");
        text.push_str(&cell(e));
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn children_hang_under_their_parents() {
        let g: RunGraph = serde_json::from_value(json!({
            "nodes": [
                {"id": "1", "node_name": "A", "identifier": "a", "status": "SUCCESS"},
                {"id": "2", "node_name": "B", "identifier": "b", "status": "SUCCESS"},
                {"id": "3", "node_name": "B", "identifier": "b", "status": "ERRORED",
                 "error": "boom", "retry_count": 1},
                {"id": "4", "node_name": "C", "identifier": "c", "status": "CREATED"},
                {"id": "5", "node_name": "A", "identifier": "a", "status": "CREATED"}
            ],
            "edges": [
                {"source": "1", "target": "2"},
                {"source": "1", "target": "3"},
                {"source": "2", "target": "4"}
            ]
        }))
        .unwrap();
        let expected = "\
a [A] SUCCESS 1
├── b [B] SUCCESS 2
│   └── c [C] CREATED 4
└── b [B] ERRORED retry 1 3: boom
a [A] CREATED 5";
        assert_eq!(render(&g), expected);
    }
}
