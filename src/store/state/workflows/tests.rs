use super::*;

fn state(id: &str, run: &str, status: StateStatus, after: i64) -> StateRecord {
    StateRecord {
        id: id.into(),
        ns: "ns".into(),
        node_name: "Node".into(),
        identifier: "n1".into(),
        graph_name: "g".into(),
        run_id: run.into(),
        status,
        inputs: "{}".into(),
        outputs: "{}".into(),
        data: None,
        error: None,
        parents: vec![],
        enqueue_after: after,
        retry_count: 0,
        fanout_id: "f".into(),
        manual_retry_fanout_id: None,
        does_unites: false,
        queued_at: None,
        timeout_at: None,
        created_at: 0,
        updated_at: 0,
    }
}

#[test]
fn due_states_follow_status_and_time_and_indexes_follow_updates() {
    let mut w = WorkflowState::default();
    w.apply(&WorkflowOp::PutStates(vec![
        state("a", "r1", StateStatus::Created, 10),
        state("b", "r1", StateStatus::Created, 20),
        state("c", "r2", StateStatus::Queued, 0),
    ]));
    let due: Vec<_> = w.due("ns", "Node", 15).map(|s| s.id.to_string()).collect();
    assert_eq!(due, ["a"]);
    let due: Vec<_> = w.due("ns", "Node", 20).map(|s| s.id.to_string()).collect();
    assert_eq!(due, ["a", "b"]);
    assert_eq!(w.due("ns", "Other", 100).count(), 0);

    // Claiming `a` takes it out of the ready index and into the timeout index.
    let mut a = state("a", "r1", StateStatus::Queued, 10);
    a.timeout_at = Some(50);
    w.apply(&WorkflowOp::PutStates(vec![a]));
    let due: Vec<_> = w.due("ns", "Node", 100).map(|s| s.id.to_string()).collect();
    assert_eq!(due, ["b"]);
    assert_eq!(w.timed_out(49).count(), 0);
    assert_eq!(w.timed_out(50).count(), 1);

    let r1: Vec<_> = w.run_states("r1").map(|s| s.id.to_string()).collect();
    assert_eq!(r1, ["a", "b"]);
    w.apply(&WorkflowOp::DeleteRuns(vec!["r1".into()]));
    assert_eq!(w.run_states("r1").count(), 0);
    assert_eq!(w.due("ns", "Node", 100).count(), 0);
    assert_eq!(w.timed_out(100).count(), 0);
    assert!(w.state("c").is_some());
}

#[test]
fn unsettled_states_of_a_run_are_the_pending_failed_and_merges_and_follow_updates() {
    let ids = |w: &WorkflowState, run: &str| -> Vec<String> {
        w.unsettled_run_states(run)
            .map(|s| s.id.to_string())
            .collect()
    };
    let mut w = WorkflowState::default();
    let mut merge = state("m", "r1", StateStatus::Success, 0);
    merge.does_unites = true;
    w.apply(&WorkflowOp::PutStates(vec![
        state("a", "r1", StateStatus::Created, 0),
        state("b", "r1", StateStatus::Success, 0),
        state("c", "r1", StateStatus::Errored, 0),
        state("d", "r1", StateStatus::Pruned, 0),
        state("e", "r1", StateStatus::RetryCreated, 0),
        merge,
        state("x", "r10", StateStatus::Created, 0),
        state("y", "r", StateStatus::Queued, 0),
    ]));
    // Run ids that share a prefix ("r", "r1", "r10") stay apart.
    assert_eq!(ids(&w, "r1"), ["a", "c", "m"]);
    assert_eq!(ids(&w, "r10"), ["x"]);
    assert_eq!(ids(&w, "r"), ["y"]);
    let all: Vec<_> = w.run_states("r1").map(|s| s.id.to_string()).collect();
    assert_eq!(all, ["a", "b", "c", "d", "e", "m"]);
    // `a` succeeds and leaves; `b` is retried by hand and comes back as pending.
    w.apply(&WorkflowOp::PutStates(vec![
        state("a", "r1", StateStatus::Success, 0),
        state("b", "r1", StateStatus::Created, 0),
    ]));
    assert_eq!(ids(&w, "r1"), ["b", "c", "m"]);
    w.apply(&WorkflowOp::DeleteRuns(vec!["r1".into()]));
    assert!(ids(&w, "r1").is_empty());
    assert_eq!(ids(&w, "r10"), ["x"]);
}

#[test]
fn validation_applies_only_to_the_version_validated() {
    let mut w = WorkflowState::default();
    let graph = |at: i64| GraphRecord {
        template: "{}".into(),
        secrets: vec![],
        validation: Validation::Pending,
        errors: vec![],
        created_at: 0,
        updated_at: at,
        parsed: Default::default(),
    };
    w.apply(&WorkflowOp::PutGraph {
        ns: "ns".into(),
        name: "g".into(),
        graph: graph(1),
    });
    w.apply(&WorkflowOp::PutGraph {
        ns: "ns".into(),
        name: "g".into(),
        graph: graph(2),
    });
    let set = |at| WorkflowOp::SetValidation {
        ns: "ns".into(),
        name: "g".into(),
        updated_at: at,
        validation: Validation::Valid,
        errors: vec![],
    };
    w.apply(&set(1));
    assert_eq!(w.graph("ns", "g").unwrap().validation, Validation::Pending);
    w.apply(&set(2));
    assert_eq!(w.graph("ns", "g").unwrap().validation, Validation::Valid);
}

#[test]
fn snapshot_items_restore_the_same_state_and_round_trip_through_postcard() {
    let mut w = WorkflowState::default();
    w.apply(&WorkflowOp::RegisterNodes {
        ns: "ns".into(),
        nodes: vec![(
            "Node".into(),
            NodeRecord {
                runtime_name: "rt".into(),
                spec: r#"{"name":"Node"}"#.into(),
                created_at: 1,
                updated_at: 2,
            },
        )],
    });
    w.apply(&WorkflowOp::PutStates(vec![state(
        "a",
        "r1",
        StateStatus::Created,
        5,
    )]));
    w.apply(&WorkflowOp::CronFired {
        ns: "ns".into(),
        graph: "g".into(),
        trigger: "* * * * *".into(),
        at: 60_000,
    });
    let mut restored = WorkflowState::default();
    for item in w.items() {
        let bytes = postcard::to_allocvec(&item).unwrap();
        restored.restore(postcard::from_bytes(&bytes).unwrap());
    }
    assert_eq!(restored.due("ns", "Node", 5).count(), 1);
    assert_eq!(restored.node_namespaces(), vec![Arc::<str>::from("ns")]);
    assert_eq!(restored.cron_fired("ns", "g", "* * * * *"), Some(60_000));
    let op = WorkflowOp::PutStates(vec![state("z", "r", StateStatus::Cancelled, 0)]);
    let back: WorkflowOp = postcard::from_bytes(&postcard::to_allocvec(&op).unwrap()).unwrap();
    assert_eq!(back, op);
}
