//! A small, fixed log that touches every domain and produces every op, status and snapshot
//! item the round-trip test knows (the corpus test checks that with [`Seen`]): objects with
//! tags, TTLs, parents, a pruned history and tombstones; an idempotent answer; leases;
//! checkpoints; workflow nodes, graph templates with secrets and a cron trigger, validations,
//! runs, states in every status, a deleted run and a fired cron occurrence.

use std::sync::Arc;

use super::cases::{cron_trigger, flow_event, flow_record, graph_record, nodes};
use super::coverage::Seen;
use crate::store::command::{
    Body, CheckpointOp, DeleteReason, LeaseOp, ObjectData, ObjectOp, Op, Record,
};
use crate::store::state::flows::{DeployStatus, EventKind, FlowOp, Retention};
use crate::store::state::workflows::{RunRecord, StateRecord, StateStatus, Validation, WorkflowOp};
use crate::store::state::{HistoryPolicy, State};

const NS: &str = "agent://demo";
const WF: &str = "wf";
const T0: i64 = 1_700_000_000_000;

/// The policy the fixed log is applied with: two earlier versions, for an hour.
pub(super) fn policy() -> HistoryPolicy {
    HistoryPolicy::new(2, std::time::Duration::from_secs(3600))
}

/// The state of the fixed log, and what its ops exercised.
pub(super) fn state() -> (State, Seen) {
    let mut state = State::default();
    let mut seen = Seen::default();
    for (i, ops) in log().into_iter().enumerate() {
        for op in &ops {
            seen.op(op);
        }
        let record = Record {
            seq: i as u64 + 1,
            ts: T0 + i as i64 * 1_000,
            ops,
        };
        state.apply(&record, &policy());
    }
    (state, seen)
}

fn data(n: u32, ttl: Option<u64>) -> Arc<ObjectData> {
    let body = Body::from_json(format!(r#"{{"step":{n}}}"#)).expect("json");
    Arc::new(
        ObjectData::new("note".into(), body)
            .with_tags([("team".to_string(), "a".to_string())].into())
            .with_ttl_seconds(ttl)
            .with_parents(vec!["root".into()]),
    )
}

fn put(id: &str, n: u32, ttl: Option<u64>) -> Op {
    Op::Object(ObjectOp::Put {
        ns: NS.into(),
        id: id.into(),
        data: data(n, ttl),
    })
}

fn delete(id: &str, reason: DeleteReason) -> Op {
    Op::Object(ObjectOp::Delete {
        ns: NS.into(),
        id: id.into(),
        reason,
    })
}

fn lease(how: u8, key: &str) -> Op {
    let (ns, key) = (NS.into(), key.into());
    Op::Lease(match how {
        0 => LeaseOp::Acquire {
            ns,
            key,
            owner: "worker-1".into(),
            ttl_ms: 30_000,
        },
        1 => LeaseOp::Renew {
            ns,
            key,
            ttl_ms: 60_000,
        },
        _ => LeaseOp::Release { ns, key },
    })
}

fn wf(op: WorkflowOp) -> Op {
    Op::Workflow(op)
}

fn run(id: &str, cancelled_at: Option<i64>) -> Op {
    wf(WorkflowOp::PutRun(RunRecord {
        run_id: id.into(),
        ns: WF.into(),
        graph_name: "g".into(),
        created_at: T0,
        store: vec![("k".into(), "v".into())],
        cancelled_at,
    }))
}

fn state_in(run_id: &str, n: usize, status: StateStatus) -> StateRecord {
    StateRecord {
        id: format!("{run_id}-s{n}").into(),
        ns: WF.into(),
        node_name: "A".into(),
        identifier: format!("n{n}").into(),
        graph_name: "g".into(),
        run_id: run_id.into(),
        status,
        inputs: r#"{"x":"in"}"#.into(),
        outputs: r#"{"x":"out"}"#.into(),
        data: None,
        error: matches!(status, StateStatus::Errored).then(|| "boom".into()),
        parents: vec![],
        enqueue_after: T0,
        retry_count: 0,
        fanout_id: format!("f{n}").into(),
        manual_retry_fanout_id: None,
        does_unites: n == 0,
        queued_at: None,
        timeout_at: matches!(status, StateStatus::Queued).then_some(T0 + 60_000),
        created_at: T0,
        updated_at: T0,
    }
}

/// The ops of each commit.
fn log() -> Vec<Vec<Op>> {
    let graph = |validation, secrets, cron| graph_record(1_000, validation, secrets, cron);
    let all_statuses = StateStatus::ALL
        .iter()
        .enumerate()
        .map(|(n, s)| state_in("run-1", n, *s))
        .collect();
    vec![
        // Four versions of `doc`: the oldest drops out of the window of two.
        vec![put("doc", 1, None)],
        vec![put("doc", 2, None)],
        vec![put("doc", 3, None)],
        vec![put("doc", 4, Some(3600))],
        // Tombstones with history: an expiry and a deletion.
        vec![put("tmp", 1, Some(1)), put("gone", 1, None)],
        vec![
            delete("tmp", DeleteReason::Expired),
            delete("gone", DeleteReason::Deleted),
        ],
        // An idempotent put and its remembered answer.
        vec![
            put("idem", 1, None),
            Op::Object(ObjectOp::Remember {
                ns: NS.into(),
                key: "key-1".into(),
                request: [1; 32],
                id: "idem".into(),
                data: data(1, None),
            }),
        ],
        vec![lease(0, "leader"), lease(0, "other")],
        vec![lease(1, "leader"), lease(2, "other")],
        vec![
            Op::Checkpoint(CheckpointOp::Create {
                ns: NS.into(),
                id: "doc".into(),
                name: "before".into(),
                metadata: Some(Body::from_json(r#"{"why":"demo"}"#).expect("json")),
                source_seq: 4,
                data: data(4, Some(3600)),
            }),
            Op::Checkpoint(CheckpointOp::Create {
                ns: NS.into(),
                id: "doc".into(),
                name: "scratch".into(),
                metadata: None,
                source_seq: 4,
                data: data(4, Some(3600)),
            }),
        ],
        vec![Op::Checkpoint(CheckpointOp::Delete {
            ns: NS.into(),
            id: "doc".into(),
            names: vec!["scratch".into()],
        })],
        vec![
            wf(WorkflowOp::RegisterNodes {
                ns: WF.into(),
                nodes: nodes(&["A", "B"], T0),
            }),
            wf(WorkflowOp::PutGraph {
                ns: WF.into(),
                name: "g".into(),
                graph: graph(Validation::Pending, 1, true),
            }),
            wf(WorkflowOp::PutGraph {
                ns: WF.into(),
                name: "old".into(),
                graph: graph(Validation::Invalid, 0, false),
            }),
        ],
        vec![
            wf(WorkflowOp::SetValidation {
                ns: WF.into(),
                name: "g".into(),
                updated_at: 1_000,
                validation: Validation::Valid,
                errors: vec![],
            }),
            wf(WorkflowOp::DeleteGraph {
                ns: WF.into(),
                name: "old".into(),
            }),
        ],
        vec![
            run("run-1", None),
            run("run-2", Some(T0 + 5_000)),
            run("run-3", None),
        ],
        vec![
            wf(WorkflowOp::PutStates(all_statuses)),
            wf(WorkflowOp::PutStates(vec![state_in(
                "run-3",
                1,
                StateStatus::Created,
            )])),
        ],
        vec![
            wf(WorkflowOp::DeleteRuns(vec!["run-3".into()])),
            wf(WorkflowOp::CronFired {
                ns: WF.into(),
                graph: "g".into(),
                trigger: cron_trigger(false).into(),
                at: T0 + 300_000,
            }),
        ],
        vec![
            flow("etl", 1, false, DeployStatus::Deploying),
            flow("gone", 1, true, DeployStatus::Failed),
        ],
        vec![
            flow("etl", 2, false, DeployStatus::RolledBack),
            Op::Flow(FlowOp::Delete {
                name: "gone".into(),
            }),
        ],
        vec![flow("etl", 3, true, DeployStatus::Ready)],
        EventKind::ALL
            .iter()
            .zip(1u64..)
            .map(|(kind, id)| {
                Op::Flow(FlowOp::Event {
                    event: flow_event(
                        id,
                        "etl",
                        *kind,
                        id % 2 == 0,
                        T0 + i64::try_from(id).unwrap_or(0),
                    ),
                    retention: Retention {
                        keep: 6,
                        max_age_ms: if id == 8 { 5 } else { 0 },
                    },
                })
            })
            .collect(),
    ]
}

fn flow(name: &str, generation: u64, stopped: bool, deploy: DeployStatus) -> Op {
    Op::Flow(FlowOp::Put {
        name: name.into(),
        flow: flow_record(generation, stopped, deploy, generation > 1, T0),
    })
}
