//! Tests of [`super::validate`]: one case per structural rule, the shape of valid graphs,
//! and the unites ancestor rule.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::model::{GraphInput, NodeTemplate};
use super::validate::{GraphShape, validate_graph};

fn node(id: &str, inputs: Value, next: &[&str]) -> Value {
    json!({
        "node_name": format!("N{id}"), "namespace": "ns", "identifier": id, "inputs": inputs,
        "next_nodes": if next.is_empty() { Value::Null } else { json!(next) }
    })
}

fn unites(id: &str, inputs: Value, next: &[&str], target: &str) -> Value {
    let mut n = node(id, inputs, next);
    n["unites"] = json!({"identifier": target});
    n
}

fn graph(nodes: Vec<Value>) -> GraphInput {
    serde_json::from_value(json!({"secrets": {}, "nodes": nodes})).unwrap()
}

fn errors(g: &GraphInput) -> Vec<String> {
    validate_graph(g).expect_err("graph should be invalid")
}

fn has(errors: &[String], needle: &str) -> bool {
    errors.iter().any(|e| e.contains(needle))
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

/// a -> b -> c
fn chain() -> Vec<Value> {
    vec![
        node("a", json!({"x": "${{ store.k }}"}), &["b"]),
        node("b", json!({"y": "got ${{ a.outputs.o }}!"}), &["c"]),
        node(
            "c",
            json!({"z": "${{ a.outputs.o }}-${{ b.outputs.p }}"}),
            &[],
        ),
    ]
}

fn with_store(mut g: GraphInput, keys: &[&str]) -> GraphInput {
    g.store_config = Some(serde_json::from_value(json!({"required_keys": keys})).unwrap());
    g
}

#[test]
fn linear_chain_shape() {
    let g = with_store(graph(chain()), &["k"]);
    let s = validate_graph(&g).unwrap();
    assert_eq!(s.root(), "a");
    assert_eq!(s.order(), ["a", "b", "c"]);
    assert_eq!(s.parents("a").unwrap(), &set(&[]));
    assert_eq!(s.parents("c").unwrap(), &set(&["a", "b"]));
    assert_eq!(s.children("a"), ["b"]);
    assert!(s.children("c").is_empty());
    assert_eq!(s.predecessors("c"), ["b"]);
    assert!(s.unites("c").is_none() && s.unites_nodes().count() == 0);
    assert_eq!(s.descendants("a"), set(&["b", "c"]));
    assert!(s.contains("b") && !s.contains("zz"));
    assert!(s.parents("zz").is_none());
}

/// r -> s -> w -> m, m unites s (fan-out under s, merged at m), m -> after
fn fan_in() -> Vec<Value> {
    vec![
        node("r", json!({}), &["s"]),
        node("s", json!({}), &["w"]),
        node("w", json!({"i": "${{ s.outputs.part }}"}), &["m"]),
        unites(
            "m",
            json!({"x": "${{ s.outputs.n }} ${{ r.outputs.n }}"}),
            &["after"],
            "s",
        ),
        node("after", json!({"y": "${{ m.outputs.v }}"}), &[]),
    ]
}

#[test]
fn unites_shape() {
    let s = validate_graph(&graph(fan_in())).unwrap();
    assert_eq!(s.root(), "r");
    assert_eq!(s.order(), ["r", "s", "w", "m", "after"]);
    assert_eq!(
        s.parents("m").unwrap(),
        &set(&["r", "s"]),
        "parents(target) plus the target"
    );
    assert_eq!(
        s.parents("after").unwrap(),
        &set(&["r", "s", "m"]),
        "the unites node itself"
    );
    assert_eq!(s.unites("m").unwrap().identifier, "s");
    assert_eq!(s.united_by("s").collect::<Vec<_>>(), ["m"]);
    assert_eq!(s.united_by("w").count(), 0);
    assert_eq!(s.unites_nodes().count(), 1);
    assert_eq!(s.descendants("s"), set(&["w", "m", "after"]));
}

#[test]
fn unites_node_cannot_reference_the_branches() {
    let mut nodes = fan_in();
    nodes[3]["inputs"] = json!({"x": "${{ w.outputs.out }}"});
    let e = errors(&graph(nodes));
    assert_eq!(
        e,
        ["Input ${{ w.outputs.out }} depends on w but w is not a parent of m"]
    );
}

#[test]
fn unites_directly_under_its_target_is_allowed() {
    let g = graph(vec![
        node("t", json!({}), &["b", "m"]),
        node("b", json!({}), &["m"]),
        unites("m", json!({"x": "${{ t.outputs.o }}"}), &[], "t"),
    ]);
    let s = validate_graph(&g).unwrap();
    assert_eq!(s.predecessors("m"), ["t", "b"]);
}

#[test]
fn unites_from_outside_the_target_is_rejected() {
    // r -> a -> m and r -> t; m unites t but is only reached from a.
    let g = graph(vec![
        node("r", json!({}), &["a", "t"]),
        node("a", json!({}), &["m"]),
        node("t", json!({}), &[]),
        unites("m", json!({}), &[], "t"),
    ]);
    assert_eq!(
        errors(&g),
        ["Node m unites t but is a next node of a, which does not descend from t"]
    );
}

#[test]
fn unites_counts_towards_in_degree() {
    // m is nobody's next node; its unites makes it a non-root, so it is unreachable.
    let g = graph(vec![
        node("a", json!({}), &[]),
        unites("m", json!({}), &[], "a"),
    ]);
    assert_eq!(errors(&g), ["Node m is not connected to the root node"]);
}

#[test]
fn two_roots() {
    let g = graph(vec![
        node("a", json!({}), &["c"]),
        node("b", json!({}), &["c"]),
        node("c", json!({}), &[]),
    ]);
    let e = errors(&g);
    assert_eq!(
        e,
        [
            "There should be exactly one root node in the graph but found 2 nodes with zero in-degree: [a, b]"
        ]
    );
}

#[test]
fn cycle() {
    let g = graph(vec![
        node("r", json!({}), &["a"]),
        node("a", json!({}), &["b"]),
        node("b", json!({}), &["a", "c"]),
        node("c", json!({}), &[]),
    ]);
    let e = errors(&g);
    assert_eq!(e, ["Node a is not acyclic", "Node b is not acyclic"]);
}

#[test]
fn whole_graph_cycle_has_no_root() {
    let g = graph(vec![
        node("a", json!({}), &["b"]),
        node("b", json!({}), &["a"]),
    ]);
    let e = errors(&g);
    assert!(has(&e, "found 0 nodes with zero in-degree: []"), "{e:?}");
    assert!(has(&e, "Node a is not acyclic") && has(&e, "Node b is not acyclic"));
}

#[test]
fn self_loop() {
    let g = graph(vec![
        node("r", json!({}), &["a"]),
        node("a", json!({}), &["a"]),
    ]);
    assert_eq!(errors(&g), ["Node a is not acyclic"]);
}

#[test]
fn unites_cycle() {
    // m unites its own descendant: target -> m -> ... -> target.
    let g = graph(vec![
        node("r", json!({}), &["m"]),
        unites("m", json!({}), &["t"], "t"),
        node("t", json!({}), &[]),
    ]);
    assert!(has(&errors(&g), "Node m is not acyclic"));
}

#[test]
fn unreachable_node() {
    // x -> y is detached; x has in-degree 1 from y, y from x: a separate cycle.
    let g = graph(vec![
        node("r", json!({}), &[]),
        node("x", json!({}), &["y"]),
        node("y", json!({}), &["x"]),
    ]);
    let e = errors(&g);
    assert!(has(&e, "Node x is not connected to the root node"), "{e:?}");
    assert!(has(&e, "Node y is not connected to the root node"));
    assert!(has(&e, "Node x is not acyclic"));
}

#[test]
fn unknown_next_node() {
    let g = graph(vec![node("a", json!({}), &["ghost"])]);
    assert_eq!(
        errors(&g),
        ["Node identifier ghost does not exist in the graph (next node of a)"]
    );
}

#[test]
fn duplicate_next_node_and_empty_next_node() {
    let g = graph(vec![
        node("a", json!({}), &["b", "b", ""]),
        node("b", json!({}), &[]),
    ]);
    assert_eq!(
        errors(&g),
        [
            "Next node identifier b is not unique (node a)",
            "Next node identifier cannot be empty (node a)"
        ]
    );
}

#[test]
fn duplicate_identifiers() {
    let g = graph(vec![node("a", json!({}), &[]), node("a", json!({}), &[])]);
    assert_eq!(errors(&g), ["Node identifier a is not unique"]);
}

#[test]
fn store_identifier_is_reserved() {
    let g = graph(vec![node("store", json!({}), &[])]);
    assert_eq!(
        errors(&g),
        ["Node identifier cannot be reserved word 'store'"]
    );
    let g = graph(vec![node(" store ", json!({}), &[])]);
    assert_eq!(
        errors(&g),
        ["Node identifier cannot be reserved word 'store'"]
    );
}

#[test]
fn empty_names() {
    let mut n = node("", json!({}), &[]);
    n["node_name"] = json!("");
    n["namespace"] = json!(" ");
    let e = errors(&graph(vec![n]));
    assert_eq!(
        e,
        [
            "Node name cannot be empty (identifier )",
            "Node namespace cannot be empty (identifier )",
            "Node identifier cannot be empty (node )"
        ]
    );
}

#[test]
fn unites_to_itself_and_to_unknown() {
    let g = graph(vec![
        node("r", json!({}), &["m", "u"]),
        unites("m", json!({}), &[], "m"),
        unites("u", json!({}), &[], "nobody"),
    ]);
    assert_eq!(
        errors(&g),
        [
            "Node m has an unites target m that is the same as the node itself",
            "Node u has an unites target nobody that does not exist"
        ]
    );
    let g = graph(vec![
        node("r", json!({}), &["m"]),
        unites("m", json!({}), &[], ""),
    ]);
    assert_eq!(errors(&g), ["Unites identifier cannot be empty (node m)"]);
}

#[test]
fn non_string_input() {
    let g = graph(vec![node("a", json!({"n": 3, "o": {"k": "v"}}), &[])]);
    assert_eq!(
        errors(&g),
        [
            "Input n of node a is not a string: 3",
            "Input o of node a is not a string: {\"k\":\"v\"}"
        ]
    );
}

#[test]
fn bad_placeholder_syntax() {
    let g = graph(vec![node(
        "a",
        json!({"x": "${{ store.k", "y": "${{ a.b.c }}"}),
        &[],
    )]);
    let e = errors(&g);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("Invalid placeholder in input x of node a:")
            && e[0].contains("not closed")
    );
    assert!(e[1].starts_with("Invalid placeholder in input y of node a:"));
}

#[test]
fn reference_to_a_non_ancestor() {
    // a -> b, a -> c: c cannot read b (a sibling), a cannot read itself, the root reads
    // nothing but the store.
    let g = graph(vec![
        node("a", json!({"x": "${{ a.outputs.o }}"}), &["b", "c"]),
        node("b", json!({}), &[]),
        node(
            "c",
            json!({"y": "${{ b.outputs.o }}", "z": "${{ ghost.outputs.o }}"}),
            &[],
        ),
    ]);
    assert_eq!(
        errors(&g),
        [
            "Input ${{ a.outputs.o }} depends on a but a is not a parent of a",
            "Input ${{ b.outputs.o }} depends on b but b is not a parent of c",
            "Input ${{ ghost.outputs.o }} depends on ghost but ghost is not a parent of c",
        ]
    );
}

#[test]
fn ancestors_through_every_path() {
    // a -> b -> d and a -> c -> d: d may read both b and c.
    let g = graph(vec![
        node("a", json!({}), &["b", "c"]),
        node("b", json!({}), &["d"]),
        node("c", json!({}), &["d"]),
        node(
            "d",
            json!({"x": "${{ b.outputs.o }}${{ c.outputs.o }}"}),
            &[],
        ),
    ]);
    let s = validate_graph(&g).unwrap();
    assert_eq!(s.parents("d").unwrap(), &set(&["a", "b", "c"]));
    assert_eq!(s.predecessors("d"), ["b", "c"]);
}

#[test]
fn store_keys_must_be_declared() {
    let e = errors(&graph(chain()));
    assert_eq!(
        e,
        [
            "Input x of node a uses store key k, which is neither in store_config required_keys nor in default_values"
        ]
    );
    let mut g = graph(chain());
    g.store_config = Some(serde_json::from_value(json!({"default_values": {" k ": "v"}})).unwrap());
    assert!(validate_graph(&g).is_ok(), "defaults declare keys, trimmed");
}

#[test]
fn bad_store_config() {
    let g = with_store(
        graph(vec![node("a", json!({}), &[])]),
        &["a.b", "", "x", "x"],
    );
    assert_eq!(errors(&g).len(), 3);
}

#[test]
fn secrets_must_be_non_empty() {
    let mut g = graph(vec![node("a", json!({}), &[])]);
    g.secrets.insert("".into(), "v".into());
    g.secrets.insert("tok".into(), "".into());
    assert_eq!(
        errors(&g),
        ["Secret names cannot be empty", "Secret tok cannot be empty"]
    );
}

#[test]
fn retry_policy_ranges() {
    let mut g = graph(vec![node("a", json!({}), &[])]);
    g.retry_policy = Some(serde_json::from_value(json!({"backoff_factor": 0})).unwrap());
    assert_eq!(
        errors(&g),
        ["Retry policy backoff_factor must be greater than 0"]
    );
}

#[test]
fn cron_triggers() {
    let mut g = graph(vec![node("a", json!({}), &[])]);
    g.triggers = Some(
        serde_json::from_value(json!([
            {"type": "CRON", "value": {"expression": "0 3 * * *", "timezone": "Europe/Berlin"}},
            {"type": "CRON", "value": {"expression": "0 0 3 * * *"}},
            {"type": "CRON", "value": {"expression": "0 3 * * *", "timezone": "Nowhere/Land"}}
        ]))
        .unwrap(),
    );
    let e = errors(&g);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].starts_with("Invalid cron trigger: invalid cron expression"));
    assert!(e[1].contains("invalid timezone \"Nowhere/Land\""));
}

#[test]
fn errors_from_all_phases_are_collected() {
    let g: GraphInput = serde_json::from_value(json!({
        "secrets": {"s": ""},
        "nodes": [node("a", json!({"x": 1}), &["ghost"])],
        "retry_policy": {"exponent": 0}
    }))
    .unwrap();
    assert_eq!(errors(&g).len(), 4);
}

#[test]
fn shape_of_stored_nodes_and_serde() {
    let nodes: Vec<NodeTemplate> = serde_json::from_value(json!(fan_in())).unwrap();
    let s = GraphShape::of(&nodes).unwrap();
    let bytes = postcard::to_stdvec(&s).unwrap();
    assert_eq!(postcard::from_bytes::<GraphShape>(&bytes).unwrap(), s);
    assert!(GraphShape::of(&[]).is_err(), "no nodes: no root");
}

#[test]
fn single_node_graph() {
    let s = validate_graph(&graph(vec![node("only", json!({"x": "lit"}), &[])])).unwrap();
    assert_eq!(s.root(), "only");
    assert_eq!(s.order(), ["only"]);
}
