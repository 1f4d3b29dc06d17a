//! The state machine on an in-memory workflow state: fan-out and next states with templated
//! inputs, retries, unites (ALL_SUCCESS and ALL_DONE, fired by a failing or pruned last branch,
//! exactly once), timeouts, cancel.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::graph::Template;
use super::overlay::Overlay;
use super::{runs, transitions};
use crate::store::state::workflows::{
    GraphRecord, StateRecord, StateStatus, Validation, WorkflowOp, WorkflowState,
};
use crate::workflow::model::{GraphInput, TriggerInput};

fn graph(nodes: Value, retry: Value) -> WorkflowState {
    let input: GraphInput =
        serde_json::from_value(json!({"nodes": nodes, "retry_policy": retry})).unwrap();
    crate::workflow::validate::validate_graph(&input).expect("valid graph");
    let mut wf = WorkflowState::default();
    wf.apply(&WorkflowOp::PutGraph {
        ns: "ns".into(),
        name: "g".into(),
        graph: GraphRecord {
            template: Template::from_input(&input).to_json().into(),
            secrets: vec![],
            validation: Validation::Valid,
            errors: vec![],
            created_at: 0,
            updated_at: 0,
            parsed: Default::default(),
        },
    });
    wf
}

fn node(id: &str, inputs: Value, next: &[&str]) -> Value {
    json!({"node_name": id.to_uppercase(), "namespace": "ns", "identifier": id,
           "inputs": inputs, "next_nodes": next})
}

/// Commits an overlay's changes.
fn commit(wf: &mut WorkflowState, f: impl FnOnce(&mut Overlay<'_>)) {
    let snapshot = wf.clone();
    let mut o = Overlay::new(&snapshot);
    f(&mut o);
    if !o.is_empty() {
        wf.apply(&o.into_op());
    }
}

fn start(wf: &mut WorkflowState) -> Arc<str> {
    let (run, root) = runs::trigger(wf, "ns", "g", &TriggerInput::default(), 0).unwrap();
    let id = run.run_id.clone();
    wf.apply(&WorkflowOp::PutRun(run));
    wf.apply(&WorkflowOp::PutStates(vec![root]));
    id
}

/// Claims every due state of `node`.
fn claim(wf: &mut WorkflowState, node: &str) -> Vec<StateRecord> {
    let mut out = Vec::new();
    commit(wf, |o| {
        out = runs::enqueue(o, "ns", &[node.to_string()], 100, 1_000, |_| Some(10))
    });
    out
}

fn outputs(values: &[Value]) -> Vec<Map<String, Value>> {
    values
        .iter()
        .map(|v| v.as_object().unwrap().clone())
        .collect()
}

fn states(wf: &WorkflowState, run: &str, id: &str) -> Vec<StateRecord> {
    wf.run_states(run)
        .filter(|s| s.identifier.as_ref() == id)
        .map(|s| s.as_ref().clone())
        .collect()
}

#[test]
fn fan_out_creates_one_child_per_output_with_templated_inputs() {
    let mut wf = graph(
        json!([
            node("a", json!({"x": "go"}), &["b"]),
            node("b", json!({"y": "got ${{ a.outputs.v }}!"}), &[]),
        ]),
        json!({}),
    );
    let run = start(&mut wf);
    let a = claim(&mut wf, "A").remove(0);
    assert_eq!(a.status, StateStatus::Queued);
    assert_eq!(a.timeout_at, Some(1_010));
    commit(&mut wf, |o| {
        transitions::executed(
            o,
            "ns",
            &a.id,
            &outputs(&[json!({"v": 1}), json!({"v": "two"})]),
            5,
        )
        .unwrap()
    });
    let a_states = states(&wf, &run, "a");
    assert_eq!(a_states.len(), 2);
    assert!(a_states.iter().all(|s| s.status == StateStatus::Success));
    let mut inputs: Vec<String> = states(&wf, &run, "b")
        .iter()
        .map(|s| s.inputs.clone())
        .collect();
    inputs.sort();
    assert_eq!(inputs, [r#"{"y":"got 1!"}"#, r#"{"y":"got two!"}"#]);
    // Reporting twice is refused: the state is no longer QUEUED.
    commit(&mut wf, |o| {
        let e = transitions::executed(o, "ns", &a.id, &[], 6).unwrap_err();
        assert!(e.to_string().contains("not queued"), "{e}");
    });
}

#[test]
fn errors_retry_then_fail_and_timeouts_follow_the_policy() {
    let mut wf = graph(
        json!([node("a", json!({}), &[])]),
        json!({"max_retries": 1, "strategy": "FIXED", "backoff_factor": 100}),
    );
    let run = start(&mut wf);
    let a = claim(&mut wf, "A").remove(0);
    let mut retried = false;
    commit(&mut wf, |o| {
        retried = transitions::errored(o, "ns", &a.id, "boom", 500).unwrap()
    });
    assert!(retried);
    let retry = states(&wf, &run, "a")
        .into_iter()
        .find(|s| s.status == StateStatus::Created)
        .unwrap();
    assert_eq!((retry.retry_count, retry.enqueue_after), (1, 600));
    // The retry is claimed and times out: no retry left, so TIMEDOUT.
    let claimed = claim(&mut wf, "A");
    assert_eq!(claimed.len(), 1);
    commit(&mut wf, |o| assert_eq!(transitions::time_out(o, 1_009), 0));
    commit(&mut wf, |o| assert_eq!(transitions::time_out(o, 1_010), 1));
    let last = wf.state(&claimed[0].id).unwrap();
    assert_eq!(last.status, StateStatus::Timedout);
    assert!(last.error.as_deref().unwrap().contains("timed out"));
}

/// `root`, then `chain` node after node, then `merge`, which unites `root` with `strategy`.
fn fan_in_through(strategy: &str, chain: &[&str]) -> WorkflowState {
    let mut nodes = Vec::new();
    let mut prev = "root";
    for &id in chain {
        nodes.push(node(prev, json!({}), &[id]));
        prev = id;
    }
    nodes.push(node(prev, json!({}), &["merge"]));
    nodes.push(
        json!({"node_name": "MERGE", "namespace": "ns", "identifier": "merge",
                      "inputs": {}, "unites": {"identifier": "root", "strategy": strategy}}),
    );
    graph(Value::Array(nodes), json!({"max_retries": 0}))
}

/// `root` -> `work` -> `merge`, which unites `root`.
fn fan_in(strategy: &str) -> WorkflowState {
    fan_in_through(strategy, &["work"])
}

/// Starts a run to three `work` states: the root succeeds, then `work` finishes with three
/// outputs, one state each.
fn to_three_workers(wf: &mut WorkflowState) -> (Arc<str>, Vec<StateRecord>) {
    let run = start(wf);
    let root = claim(wf, "ROOT").remove(0);
    commit(wf, |o| {
        transitions::executed(o, "ns", &root.id, &[], 1).unwrap()
    });
    let w = claim(wf, "WORK").remove(0);
    commit(wf, |o| {
        transitions::executed(
            o,
            "ns",
            &w.id,
            &outputs(&[json!({}), json!({}), json!({})]),
            2,
        )
        .unwrap()
    });
    let workers = states(wf, &run, "work");
    (run, workers)
}

#[test]
fn unites_all_success_fires_once_when_every_branch_succeeded() {
    let mut wf = fan_in("ALL_SUCCESS");
    let (run, workers) = to_three_workers(&mut wf);
    // The work node had no next nodes: its three states are SUCCESS, so the merge is due now.
    assert!(workers.iter().all(|s| s.status == StateStatus::Success));
    assert_eq!(states(&wf, &run, "merge").len(), 1);
    // Any later transition of the run does not create a second merge.
    let m = claim(&mut wf, "MERGE").remove(0);
    commit(&mut wf, |o| {
        transitions::executed(o, "ns", &m.id, &[], 3).unwrap()
    });
    assert_eq!(states(&wf, &run, "merge").len(), 1);
}

#[test]
fn unites_fire_when_the_last_branch_errors_or_is_pruned() {
    // ALL_DONE: the merge fires although the last branch failed (upstream never fires here).
    let mut wf = graph(
        json!([
            node("root", json!({}), &["work"]),
            node("work", json!({}), &["leaf"]),
            node("leaf", json!({}), &["merge"]),
            {"node_name": "MERGE", "namespace": "ns", "identifier": "merge", "inputs": {},
             "unites": {"identifier": "root", "strategy": "ALL_DONE"}},
        ]),
        json!({"max_retries": 0}),
    );
    let run = start(&mut wf);
    let root = claim(&mut wf, "ROOT").remove(0);
    commit(&mut wf, |o| {
        transitions::executed(o, "ns", &root.id, &[], 1).unwrap()
    });
    let w = claim(&mut wf, "WORK").remove(0);
    commit(&mut wf, |o| {
        transitions::executed(o, "ns", &w.id, &outputs(&[json!({}), json!({})]), 2).unwrap()
    });
    let leaves = claim(&mut wf, "LEAF");
    assert_eq!(leaves.len(), 2);
    commit(&mut wf, |o| {
        transitions::executed(o, "ns", &leaves[0].id, &[], 3).unwrap();
    });
    assert!(
        states(&wf, &run, "merge").is_empty(),
        "one branch still runs"
    );
    commit(&mut wf, |o| {
        transitions::errored(o, "ns", &leaves[1].id, "no", 4).unwrap();
    });
    assert_eq!(states(&wf, &run, "merge").len(), 1);

    // ALL_SUCCESS: a pruned last branch counts as done well; an errored one blocks forever.
    let mut wf = graph(
        json!([
            node("root", json!({}), &["work"]),
            node("work", json!({}), &["leaf"]),
            node("leaf", json!({}), &["merge"]),
            {"node_name": "MERGE", "namespace": "ns", "identifier": "merge", "inputs": {},
             "unites": {"identifier": "root", "strategy": "ALL_SUCCESS"}},
        ]),
        json!({"max_retries": 0}),
    );
    let run = start(&mut wf);
    let root = claim(&mut wf, "ROOT").remove(0);
    commit(&mut wf, |o| {
        transitions::executed(o, "ns", &root.id, &[], 1).unwrap()
    });
    let w = claim(&mut wf, "WORK").remove(0);
    commit(&mut wf, |o| {
        transitions::executed(o, "ns", &w.id, &outputs(&[json!({}), json!({})]), 2).unwrap()
    });
    let leaves = claim(&mut wf, "LEAF");
    commit(&mut wf, |o| {
        transitions::executed(o, "ns", &leaves[0].id, &[], 3).unwrap();
        transitions::prune(o, "ns", &leaves[1].id, &Map::new(), 3).unwrap();
    });
    assert_eq!(states(&wf, &run, "merge").len(), 1);
}

#[test]
fn unites_all_success_never_fires_after_a_failed_branch() {
    let mut wf = fan_in("ALL_SUCCESS");
    let run = start(&mut wf);
    let root = claim(&mut wf, "ROOT").remove(0);
    commit(&mut wf, |o| {
        transitions::executed(o, "ns", &root.id, &[], 1).unwrap()
    });
    let w = claim(&mut wf, "WORK").remove(0);
    commit(&mut wf, |o| {
        transitions::errored(o, "ns", &w.id, "no", 2).unwrap();
    });
    assert!(states(&wf, &run, "merge").is_empty());
}

#[test]
fn cancel_ends_pending_states_and_refuses_reports() {
    let mut wf = graph(json!([node("a", json!({}), &[])]), json!({}));
    let run = start(&mut wf);
    let a = claim(&mut wf, "A").remove(0);
    commit(&mut wf, |o| {
        let (record, n) = runs::cancel(o, "ns", &run, 5).unwrap();
        assert_eq!(n, 1);
        assert!(record.cancelled_at.is_some());
    });
    assert_eq!(wf.state(&a.id).unwrap().status, StateStatus::Cancelled);
    commit(&mut wf, |o| {
        let e = transitions::executed(o, "ns", &a.id, &[], 6).unwrap_err();
        assert!(e.to_string().contains("cancelled"), "{e}");
    });
}

#[test]
fn stored_template_round_trips() {
    let input: GraphInput = serde_json::from_value(json!({"nodes": [node("a", json!({}), &[])],
        "retry_policy": {"max_retries": 1, "strategy": "FIXED", "backoff_factor": 100}}))
    .unwrap();
    let t = Template::from_input(&input);
    let back = Template::parse(&t.to_json());
    assert_eq!(
        back.as_ref().ok(),
        Some(&t),
        "{:?} {}",
        back.as_ref().err(),
        t.to_json()
    );
}

/// A wide fan-out finishing in reverse order of creation (the merge is decided from the
/// pending branches, whatever their order): no merge before the last branch, one after it.
#[test]
fn unites_wait_for_every_branch_of_a_wide_fan_out_in_any_order() {
    for reverse in [false, true] {
        let mut wf = fan_in_through("ALL_SUCCESS", &["fan", "work"]);
        let run = start(&mut wf);
        let root = claim(&mut wf, "ROOT").remove(0);
        commit(&mut wf, |o| {
            transitions::executed(o, "ns", &root.id, &[], 1).unwrap()
        });
        let fan = claim(&mut wf, "FAN").remove(0);
        let outs: Vec<Value> = (0..60).map(|i| json!({ "i": i })).collect();
        commit(&mut wf, |o| {
            transitions::executed(o, "ns", &fan.id, &outputs(&outs), 2).unwrap()
        });
        let mut work = Vec::new();
        while work.len() < 60 {
            let claimed = claim(&mut wf, "WORK");
            assert!(!claimed.is_empty(), "60 branches to claim");
            work.extend(claimed);
        }
        if reverse {
            work.reverse();
        }
        let last = work.pop().unwrap();
        for w in work {
            commit(&mut wf, |o| {
                transitions::executed(o, "ns", &w.id, &[], 3).unwrap()
            });
            assert!(states(&wf, &run, "merge").is_empty(), "a branch is pending");
        }
        commit(&mut wf, |o| {
            transitions::executed(o, "ns", &last.id, &[], 4).unwrap()
        });
        let merges = states(&wf, &run, "merge");
        assert_eq!(merges.len(), 1, "reverse: {reverse}");
        assert_eq!(merges[0].parents.last().unwrap().1, root.id);
    }
}
