//! The tags of every stored enum, pinned: each variant's leading bytes in the WAL and snapshot
//! encoding (postcard writes an enum's tag as a varint before its fields). A variant whose tag
//! moves would make every existing log and snapshot decode as something else, so these tables
//! only ever grow: a new variant gets the next tag, at the end.

use std::sync::Arc;

use serde::Serialize;

use crate::store::command::{Body, CheckpointOp, DeleteReason, LeaseOp, ObjectData, ObjectOp, Op};
use crate::store::snapshot::Item;
use crate::store::state::checkpoints::Checkpoint;
use crate::store::state::flows::{
    DeployStatus, EventKind, FlowDesired, FlowEvent, FlowOp, FlowRecord, Retention,
};
use crate::store::state::idempotency::Remembered;
use crate::store::state::leases::Lease;
use crate::store::state::workflows::{
    GraphRecord, NodeRecord, RunRecord, StateRecord, StateStatus, Validation, WorkflowItem,
    WorkflowOp,
};
use crate::store::state::{Entry, Version};

fn bytes(v: &impl Serialize) -> Vec<u8> {
    postcard::to_stdvec(v).expect("encode")
}

fn data() -> Arc<ObjectData> {
    Arc::new(ObjectData::new("t".into(), Body::from_json("1").unwrap()))
}

fn ns() -> Arc<str> {
    "n".into()
}

fn node() -> NodeRecord {
    NodeRecord {
        runtime_name: "r".into(),
        spec: "{}".into(),
        created_at: 1,
        updated_at: 1,
    }
}

fn graph() -> GraphRecord {
    GraphRecord {
        template: "{}".into(),
        secrets: vec![],
        validation: Validation::Pending,
        errors: vec![],
        created_at: 1,
        updated_at: 1,
        parsed: Default::default(),
    }
}

fn flow() -> FlowRecord {
    FlowRecord {
        manifest: "{}".into(),
        previous: None,
        desired: FlowDesired::Running,
        generation: 1,
        deploy: DeployStatus::Ready,
        message: None,
        created_at: 1,
        updated_at: 1,
    }
}

fn flow_event() -> FlowEvent {
    FlowEvent {
        id: 1,
        flow: "f".into(),
        replica: Some("w-0".into()),
        kind: EventKind::Crashed,
        time: 1,
        data: "{}".into(),
    }
}

fn run() -> RunRecord {
    RunRecord {
        run_id: "r".into(),
        ns: ns(),
        graph_name: "g".into(),
        created_at: 1,
        store: vec![],
        cancelled_at: None,
    }
}

fn state(status: StateStatus) -> StateRecord {
    StateRecord {
        id: "s".into(),
        ns: ns(),
        node_name: "a".into(),
        identifier: "a".into(),
        graph_name: "g".into(),
        run_id: "r".into(),
        status,
        inputs: "{}".into(),
        outputs: "{}".into(),
        data: None,
        error: None,
        parents: vec![],
        enqueue_after: 0,
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

/// Bytes of a [`StateRecord`] before its status: the status is the first byte after them.
fn status_offset() -> usize {
    // id, ns, node_name, identifier, graph_name, run_id: one length byte and one character each.
    6 * 2
}

#[test]
fn status_tags_are_stable() {
    let expected = [
        (StateStatus::Created, 0),
        (StateStatus::Queued, 1),
        (StateStatus::Executed, 2),
        (StateStatus::Errored, 3),
        (StateStatus::NextCreatedError, 4),
        (StateStatus::Success, 5),
        (StateStatus::Pruned, 6),
        (StateStatus::RetryCreated, 7),
        (StateStatus::Timedout, 8),
        (StateStatus::Cancelled, 9),
    ];
    assert_eq!(
        expected.len(),
        StateStatus::ALL.len(),
        "a status without a tag"
    );
    for (status, tag) in expected {
        assert_eq!(status.tag(), tag, "{status:?}");
        assert_eq!(StateStatus::from_tag(tag), Some(status));
        assert_eq!(bytes(&status), [tag], "{status:?}");
        let record = bytes(&state(status));
        assert_eq!(record[status_offset()], tag, "{status:?} inside a record");
        let back: StateRecord = postcard::from_bytes(&record).unwrap();
        assert_eq!(back.status, status);
        let alone: StateStatus = postcard::from_bytes(&[tag]).unwrap();
        assert_eq!(alone, status);
    }
    assert!(
        postcard::from_bytes::<StateStatus>(&[10]).is_err(),
        "an unknown tag is an error"
    );
}

#[test]
fn validation_and_delete_reason_tags_are_stable() {
    for (v, tag) in [
        (Validation::Pending, 0u8),
        (Validation::Valid, 1),
        (Validation::Invalid, 2),
    ] {
        assert_eq!((v.tag(), bytes(&v)), (tag, vec![tag]), "{v:?}");
        assert_eq!(postcard::from_bytes::<Validation>(&[tag]).unwrap(), v);
    }
    assert!(postcard::from_bytes::<Validation>(&[3]).is_err());
    for (r, tag) in [(DeleteReason::Deleted, 0u8), (DeleteReason::Expired, 1)] {
        assert_eq!((r.tag(), bytes(&r)), (tag, vec![tag]), "{r:?}");
        assert_eq!(postcard::from_bytes::<DeleteReason>(&[tag]).unwrap(), r);
    }
    assert!(postcard::from_bytes::<DeleteReason>(&[2]).is_err());
}

#[test]
fn stored_enums_keep_their_json_names() {
    // The same types answer in JSON (v0 views, dumps): by name, not by tag.
    assert_eq!(
        serde_json::to_string(&StateStatus::NextCreatedError).unwrap(),
        r#""NEXT_CREATED_ERROR""#
    );
    assert_eq!(
        serde_json::from_str::<StateStatus>(r#""TIMEDOUT""#).unwrap(),
        StateStatus::Timedout
    );
    assert!(serde_json::from_str::<StateStatus>(r#""timedout""#).is_err());
    assert_eq!(
        serde_json::to_string(&Validation::Invalid).unwrap(),
        r#""INVALID""#
    );
    assert_eq!(
        serde_json::from_str::<Validation>(r#""VALID""#).unwrap(),
        Validation::Valid
    );
    assert_eq!(
        serde_json::to_string(&DeleteReason::Expired).unwrap(),
        r#""expired""#
    );
    assert_eq!(
        serde_json::from_str::<DeleteReason>(r#""deleted""#).unwrap(),
        DeleteReason::Deleted
    );
}

#[test]
fn op_tags_are_stable() {
    let cases: Vec<(Op, [u8; 2])> = vec![
        (
            Op::Object(ObjectOp::Put {
                ns: ns(),
                id: "i".into(),
                data: data(),
            }),
            [0, 0],
        ),
        (
            Op::Object(ObjectOp::Delete {
                ns: ns(),
                id: "i".into(),
                reason: DeleteReason::Deleted,
            }),
            [0, 1],
        ),
        (
            Op::Object(ObjectOp::Remember {
                ns: ns(),
                key: "k".into(),
                request: [0; 32],
                id: "i".into(),
                data: data(),
            }),
            [0, 2],
        ),
        (
            Op::Lease(LeaseOp::Acquire {
                ns: ns(),
                key: "k".into(),
                owner: "o".into(),
                ttl_ms: 1,
            }),
            [1, 0],
        ),
        (
            Op::Lease(LeaseOp::Renew {
                ns: ns(),
                key: "k".into(),
                ttl_ms: 1,
            }),
            [1, 1],
        ),
        (
            Op::Lease(LeaseOp::Release {
                ns: ns(),
                key: "k".into(),
            }),
            [1, 2],
        ),
        (
            Op::Checkpoint(CheckpointOp::Create {
                ns: ns(),
                id: "i".into(),
                name: "c".into(),
                metadata: None,
                source_seq: 1,
                data: data(),
            }),
            [2, 0],
        ),
        (
            Op::Checkpoint(CheckpointOp::Delete {
                ns: ns(),
                id: "i".into(),
                names: vec![],
            }),
            [2, 1],
        ),
        (
            Op::Workflow(WorkflowOp::RegisterNodes {
                ns: ns(),
                nodes: vec![("a".into(), node())],
            }),
            [3, 0],
        ),
        (
            Op::Workflow(WorkflowOp::PutGraph {
                ns: ns(),
                name: "g".into(),
                graph: graph(),
            }),
            [3, 1],
        ),
        (
            Op::Workflow(WorkflowOp::SetValidation {
                ns: ns(),
                name: "g".into(),
                updated_at: 1,
                validation: Validation::Valid,
                errors: vec![],
            }),
            [3, 2],
        ),
        (
            Op::Workflow(WorkflowOp::DeleteGraph {
                ns: ns(),
                name: "g".into(),
            }),
            [3, 3],
        ),
        (Op::Workflow(WorkflowOp::PutRun(run())), [3, 4]),
        (
            Op::Workflow(WorkflowOp::PutStates(vec![state(StateStatus::Created)])),
            [3, 5],
        ),
        (
            Op::Workflow(WorkflowOp::DeleteRuns(vec!["r".into()])),
            [3, 6],
        ),
        (
            Op::Workflow(WorkflowOp::CronFired {
                ns: ns(),
                graph: "g".into(),
                trigger: "t".into(),
                at: 1,
            }),
            [3, 7],
        ),
        (
            Op::Flow(FlowOp::Put {
                name: "f".into(),
                flow: flow(),
            }),
            [4, 0],
        ),
        (Op::Flow(FlowOp::Delete { name: "f".into() }), [4, 1]),
        (
            Op::Flow(FlowOp::Event {
                event: flow_event(),
                retention: Retention {
                    keep: 1,
                    max_age_ms: 0,
                },
            }),
            [4, 2],
        ),
    ];
    for (op, tags) in cases {
        let b = bytes(&op);
        assert_eq!(b[..2], tags, "{op:?}");
        let back: Op = postcard::from_bytes(&b).unwrap();
        assert_eq!(back, op);
    }
}

#[test]
fn snapshot_item_tags_are_stable() {
    let entry = Entry {
        current: Version {
            seq: 1,
            ts: 1,
            data: Some(data()),
        },
        history: None,
    };
    let cases: Vec<(Item, Vec<u8>)> = vec![
        (
            Item::Object {
                ns: ns(),
                id: "i".into(),
                entry,
            },
            vec![0],
        ),
        (
            Item::Idempotency {
                ns: ns(),
                key: "k".into(),
                answer: Remembered {
                    request: [0; 32],
                    id: "i".into(),
                    seq: 1,
                    ts: 1,
                    data: data(),
                },
            },
            vec![1],
        ),
        (
            Item::Lease {
                ns: ns(),
                key: "k".into(),
                lease: Lease {
                    owner: "o".into(),
                    token: 1,
                    expires_at: 1,
                },
            },
            vec![2],
        ),
        (
            Item::Checkpoints {
                ns: ns(),
                id: "i".into(),
                list: vec![Checkpoint {
                    name: "c".into(),
                    seq: 1,
                    ts: 1,
                    source_seq: 1,
                    metadata: None,
                    data: data(),
                }],
            },
            vec![3],
        ),
        (
            Item::Workflow(Box::new(WorkflowItem::Node(ns(), "a".into(), node()))),
            vec![4, 0],
        ),
        (
            Item::Workflow(Box::new(WorkflowItem::Graph(ns(), "g".into(), graph()))),
            vec![4, 1],
        ),
        (
            Item::Workflow(Box::new(WorkflowItem::Run(run()))),
            vec![4, 2],
        ),
        (
            Item::Workflow(Box::new(WorkflowItem::State(state(StateStatus::Queued)))),
            vec![4, 3],
        ),
        (
            Item::Workflow(Box::new(WorkflowItem::Cron(
                ns(),
                "g".into(),
                "t".into(),
                1,
            ))),
            vec![4, 4],
        ),
        (
            Item::Flow {
                name: "f".into(),
                flow: flow(),
            },
            vec![5],
        ),
        (Item::FlowEvent(flow_event()), vec![6]),
    ];
    for (item, tags) in cases {
        let b = bytes(&item);
        assert_eq!(b[..tags.len()], tags[..], "{item:?}");
        let back: Item = postcard::from_bytes(&b).unwrap();
        assert_eq!(back, item);
    }
}

#[test]
fn flow_event_kind_tags_are_stable() {
    let expected = [
        (EventKind::StatusChanged, 0u8, "status_changed"),
        (EventKind::Crashed, 1, "crashed"),
        (EventKind::Restarted, 2, "restarted"),
        (EventKind::HealthWarning, 3, "health_warning"),
        (EventKind::ResourceAlert, 4, "resource_alert"),
        (EventKind::MessageReceived, 5, "message_received"),
        (EventKind::Activity, 6, "activity"),
        (EventKind::Error, 7, "error"),
    ];
    assert_eq!(expected.len(), EventKind::ALL.len(), "a kind without a tag");
    for (k, tag, name) in expected {
        assert_eq!(
            (k.tag(), bytes(&k), k.as_str()),
            (tag, vec![tag], name),
            "{k:?}"
        );
        assert_eq!(postcard::from_bytes::<EventKind>(&[tag]).unwrap(), k);
    }
    assert!(postcard::from_bytes::<EventKind>(&[8]).is_err());
}

#[test]
fn flow_desired_and_deploy_status_tags_are_stable() {
    for (d, tag) in [(FlowDesired::Running, 0u8), (FlowDesired::Stopped, 1)] {
        assert_eq!((d.tag(), bytes(&d)), (tag, vec![tag]), "{d:?}");
        assert_eq!(postcard::from_bytes::<FlowDesired>(&[tag]).unwrap(), d);
    }
    assert_eq!(FlowDesired::ALL.len(), 2, "a desired state without a tag");
    assert!(postcard::from_bytes::<FlowDesired>(&[2]).is_err());
    let expected = [
        (DeployStatus::Deploying, 0u8),
        (DeployStatus::Ready, 1),
        (DeployStatus::RolledBack, 2),
        (DeployStatus::Failed, 3),
    ];
    assert_eq!(
        expected.len(),
        DeployStatus::ALL.len(),
        "a status without a tag"
    );
    for (s, tag) in expected {
        assert_eq!((s.tag(), bytes(&s)), (tag, vec![tag]), "{s:?}");
        assert_eq!(postcard::from_bytes::<DeployStatus>(&[tag]).unwrap(), s);
    }
    assert!(postcard::from_bytes::<DeployStatus>(&[4]).is_err());
    assert_eq!(
        serde_json::to_string(&DeployStatus::RolledBack).unwrap(),
        r#""rolled_back""#
    );
    // Inside a record: manifest "{}" (len 1 + 2 bytes), previous None (1 byte), then desired.
    let mut f = flow();
    f.desired = FlowDesired::Stopped;
    f.deploy = DeployStatus::Failed;
    let b = bytes(&f);
    assert_eq!(b[4], 1, "desired inside a record");
    // generation 1 is one varint byte; deploy follows it.
    assert_eq!(b[6], 3, "deploy status inside a record");
}
