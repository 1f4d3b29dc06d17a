//! Tests of [`super::model`]: the wire shapes the SDK sends, defaults, enum names, and the
//! store config and retry policy rules.

use super::model::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[test]
fn node_template_defaults_and_sdk_shape() {
    let n: NodeTemplate = serde_json::from_value(json!({
        "node_name": "Hello", "namespace": "ns", "identifier": "n1",
        "inputs": {"name": "${{ store.who }}", "n": 3}
    }))
    .unwrap();
    assert_eq!(n.next_nodes, None);
    assert_eq!(n.unites, None);
    assert_eq!(n.inputs["n"], json!(3));
    assert!(n.next().is_empty());
    // Serialized back, absent options are explicit nulls, as upstream answers.
    let v = serde_json::to_value(&n).unwrap();
    assert_eq!(v["next_nodes"], Value::Null);
    assert_eq!(v["unites"], Value::Null);
}

#[test]
fn unites_strategy_defaults_and_names() {
    let u: Unites = serde_json::from_value(json!({"identifier": "a"})).unwrap();
    assert_eq!(u.strategy, UnitesStrategy::AllSuccess);
    let u: Unites =
        serde_json::from_value(json!({"identifier": "a", "strategy": "ALL_DONE"})).unwrap();
    assert_eq!(u.strategy, UnitesStrategy::AllDone);
    assert!(serde_json::from_value::<Unites>(json!({"identifier": "a", "strategy": "x"})).is_err());
}

#[test]
fn retry_policy_defaults_per_field() {
    let p: RetryPolicy = serde_json::from_value(json!({})).unwrap();
    assert_eq!(p, RetryPolicy::default());
    assert_eq!((p.max_retries, p.backoff_factor, p.exponent), (3, 2000, 2));
    let p: RetryPolicy =
        serde_json::from_value(json!({"strategy": "LINEAR_EQUAL_JITTER", "max_delay": 5})).unwrap();
    assert_eq!(p.strategy, RetryStrategy::LinearEqualJitter);
    assert_eq!(p.max_retries, 3);
    assert_eq!(p.max_delay, Some(5));
    let names: Vec<String> = [
        RetryStrategy::Exponential,
        RetryStrategy::ExponentialFullJitter,
        RetryStrategy::ExponentialEqualJitter,
        RetryStrategy::Linear,
        RetryStrategy::LinearFullJitter,
        RetryStrategy::LinearEqualJitter,
        RetryStrategy::Fixed,
        RetryStrategy::FixedFullJitter,
        RetryStrategy::FixedEqualJitter,
    ]
    .iter()
    .map(|s| {
        serde_json::to_value(s)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    })
    .collect();
    assert_eq!(
        names,
        [
            "EXPONENTIAL",
            "EXPONENTIAL_FULL_JITTER",
            "EXPONENTIAL_EQUAL_JITTER",
            "LINEAR",
            "LINEAR_FULL_JITTER",
            "LINEAR_EQUAL_JITTER",
            "FIXED",
            "FIXED_FULL_JITTER",
            "FIXED_EQUAL_JITTER"
        ]
    );
}

#[test]
fn retry_policy_ranges() {
    assert!(RetryPolicy::default().validate().is_empty());
    let bad = RetryPolicy {
        backoff_factor: 0,
        exponent: 0,
        max_delay: Some(0),
        ..RetryPolicy::default()
    };
    assert_eq!(bad.validate().len(), 3);
    assert!(serde_json::from_value::<RetryPolicy>(json!({"max_retries": -1})).is_err());
}

#[test]
fn store_config_normalize() {
    let c = StoreConfig {
        required_keys: vec![" a ".into(), "b".into()],
        default_values: BTreeMap::from([(" c".into(), "1".into())]),
    };
    let n = c.normalize().unwrap();
    assert_eq!(n.required_keys, ["a", "b"]);
    assert_eq!(n.default_values["c"], "1");
    assert!(c.declares("a") && c.declares("c") && !c.declares("d"));

    let bad = StoreConfig {
        required_keys: vec!["".into(), "a.b".into(), "x".into(), " x".into()],
        default_values: BTreeMap::from([("y".into(), "1".into()), (" y".into(), "2".into())]),
    };
    let errors = bad.normalize().unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[0].contains("cannot be empty"));
    assert!(errors[1].contains("cannot contain '.'"));
    assert!(errors[2].contains("Key x is duplicated"));
    assert!(errors[3].contains("Key y is duplicated"));
}

#[test]
fn trigger_shape() {
    let t: Trigger =
        serde_json::from_value(json!({"type": "CRON", "value": {"expression": "* * * * *"}}))
            .unwrap();
    assert_eq!(t, Trigger::cron("* * * * *", None));
    let v = serde_json::to_value(Trigger::cron("0 3 * * *", Some("Europe/Berlin".into()))).unwrap();
    assert_eq!(
        v,
        json!({"type": "CRON", "value": {"expression": "0 3 * * *", "timezone": "Europe/Berlin"}})
    );
    assert!(
        serde_json::from_value::<Trigger>(json!({"type": "QUEUE", "value": {"expression": "x"}}))
            .is_err()
    );
}

#[test]
fn graph_input_as_the_sdk_sends_it() {
    let g: GraphInput = serde_json::from_value(json!({
        "secrets": {"token": "t"},
        "nodes": [{"node_name": "A", "namespace": "ns", "identifier": "a", "inputs": {},
                   "next_nodes": ["b"], "unites": null}],
        "retry_policy": null,
        "store_config": {"required_keys": ["who"]},
        "triggers": [{"type": "CRON", "value": {"expression": "0 * * * *"}}]
    }))
    .unwrap();
    assert_eq!(g.nodes[0].next(), ["b"]);
    assert_eq!(g.store_config.unwrap().required_keys, ["who"]);
    // Lenient: no secrets at all.
    let g: GraphInput = serde_json::from_value(json!({"nodes": []})).unwrap();
    assert!(g.secrets.is_empty() && g.retry_policy.is_none() && g.triggers.is_none());
}

#[test]
fn register_ignores_sdk_extras() {
    let r: RegisterInput = serde_json::from_value(json!({
        "runtime_name": "rt", "runtime_namespace": "ns",
        "nodes": [{"name": "Hello", "namespace": "ns",
                   "inputs_schema": {"properties": {"name": {"type": "string"}}},
                   "outputs_schema": {"properties": {}}, "secrets": ["token"]}]
    }))
    .unwrap();
    assert_eq!(r.nodes[0].secrets, ["token"]);
}

#[test]
fn state_bodies() {
    let t: TriggerInput =
        serde_json::from_value(json!({"start_delay": 0, "inputs": {"a": "1"}})).unwrap();
    assert_eq!(t.start_delay, Some(0));
    assert!(t.store.is_none());
    let t: TriggerInput = serde_json::from_value(json!({})).unwrap();
    assert_eq!(t, TriggerInput::default());
    let e: EnqueueInput =
        serde_json::from_value(json!({"nodes": ["A"], "batch_size": 16})).unwrap();
    assert_eq!(e.batch_size, 16);
    let x: ExecutedInput =
        serde_json::from_value(json!({"outputs": [{"g": "hi"}, {"g": 1, "h": [1]}]})).unwrap();
    assert_eq!(x.outputs.len(), 2);
    assert!(serde_json::from_value::<ExecutedInput>(json!({"outputs": []})).is_ok());
    assert!(serde_json::from_value::<ExecutedInput>(json!({"outputs": ["x"]})).is_err());
    let p: PruneInput = serde_json::from_value(json!({"data": {"why": "skip"}})).unwrap();
    assert_eq!(p.data["why"], "skip");
    assert!(serde_json::from_value::<PruneInput>(json!({"data": 1})).is_err());
    let r: ReEnqueueInput = serde_json::from_value(json!({"enqueue_after": 2500})).unwrap();
    assert_eq!(r.enqueue_after, 2500);
    let m: ManualRetryInput = serde_json::from_value(json!({"fanout_id": "f"})).unwrap();
    assert_eq!(m.fanout_id, "f");
    let e: ErroredInput = serde_json::from_value(json!({"error": "kaboom"})).unwrap();
    assert_eq!(e.error, "kaboom");
}
