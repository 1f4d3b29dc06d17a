//! Generators of round-trip cases: transactions over every domain the engine holds, over key
//! spaces small enough that ops meet (overwrites, deletes of what exists, states moving between
//! statuses, runs deleted with their states, validations that match the template version),
//! interleaved with snapshots, restarts and WAL trims.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::json;

use crate::store::command::{
    Body, CheckpointOp, DeleteReason, LeaseOp, ObjectData, ObjectOp, Op, Tags,
};
use crate::store::state::flows::{
    DeployStatus, EventKind, FlowDesired, FlowEvent, FlowOp, FlowRecord, Retention,
};
use crate::store::state::workflows::{
    GraphRecord, NodeRecord, RunRecord, StateRecord, StateStatus, Validation, WorkflowOp,
};

const NAMESPACES: [&str; 2] = ["agent://a", "wf"];
/// Object ids per namespace.
const IDS: u8 = 5;
const GRAPHS: [&str; 2] = ["g0", "g1"];
const NODES: [&str; 3] = ["A", "B", "C"];
const RUNS: u8 = 3;
const STATES: u8 = 8;
/// Graph template versions (`updated_at`), few so that `SetValidation` often matches.
const TEMPLATE_VERSIONS: [i64; 2] = [1_000, 2_000];

/// One step of a case.
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// Advance the clock, then commit these ops as one transaction.
    Commit { advance_ms: i64, ops: Vec<Op> },
    /// `Engine::snapshot`, then verify and load it.
    Snapshot,
    /// Close the engine and open it again.
    Reopen,
    /// Close the engine, trim the WAL the newest snapshot covers, open it again.
    TrimAndReopen,
}

/// A whole case: what the engine goes through, then the points rebuilt from its files.
#[derive(Debug, Clone)]
pub(super) struct Case {
    /// Snapshots and WAL sealed at rest.
    pub(super) sealed: bool,
    pub(super) steps: Vec<Step>,
    /// Seqs (and times) recovered read-only at the end, as fractions of the reachable range.
    pub(super) recover_at: Vec<Index>,
    /// The seq restored offline on a copy, likewise.
    pub(super) restore_at: Index,
}

pub(super) fn case() -> impl Strategy<Value = Case> {
    let step = prop_oneof![
        24 => (0i64..3_000, prop::collection::vec(action(), 1..4)).prop_map(|(advance_ms, a)| {
            Step::Commit { advance_ms, ops: a.into_iter().flatten().collect() }
        }),
        3 => Just(Step::Snapshot),
        1 => Just(Step::Reopen),
        2 => Just(Step::TrimAndReopen),
    ];
    (
        any::<bool>(),
        prop::collection::vec(step, 1..48),
        prop::collection::vec(any::<Index>(), 1..4),
        any::<Index>(),
    )
        .prop_map(|(sealed, steps, recover_at, restore_at)| Case {
            sealed,
            steps,
            recover_at,
            restore_at,
        })
}

/// One client action: the ops it commits (an idempotent put is a put and its answer).
fn action() -> impl Strategy<Value = Vec<Op>> {
    prop_oneof![
        8 => object_action(),
        2 => lease_op().prop_map(|op| vec![op]),
        2 => checkpoint_op().prop_map(|op| vec![op]),
        8 => workflow_op().prop_map(|op| vec![Op::Workflow(op)]),
        2 => flow_op().prop_map(|op| vec![Op::Flow(op)]),
        1 => flow_events(),
    ]
}

fn ns() -> impl Strategy<Value = Arc<str>> {
    select(NAMESPACES.to_vec()).prop_map(Arc::from)
}

fn object_id() -> impl Strategy<Value = Arc<str>> {
    (0..IDS).prop_map(|n| Arc::from(format!("obj-{n}")))
}

fn object_data() -> impl Strategy<Value = Arc<ObjectData>> {
    (
        select(vec!["note", "task"]),
        any::<u16>(),
        prop::collection::btree_map(select(vec!["team", "stage"]), "[a-c]{1,2}", 0..3),
        prop::option::of(1u64..30),
        prop::collection::vec(object_id(), 0..3),
    )
        .prop_map(|(type_, n, tags, ttl, parents)| {
            let tags: Tags = tags.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            let body = Body::from_json(format!(r#"{{"n":{n},"text":"v{n}"}}"#)).unwrap();
            Arc::new(
                ObjectData::new(type_.into(), body)
                    .with_tags(tags)
                    .with_ttl_seconds(ttl)
                    .with_parents(parents.iter().map(|p| p.to_string()).collect()),
            )
        })
}

fn object_action() -> impl Strategy<Value = Vec<Op>> {
    prop_oneof![
        6 => (ns(), object_id(), object_data())
            .prop_map(|(ns, id, data)| vec![Op::Object(ObjectOp::Put { ns, id, data })]),
        2 => (ns(), object_id(), any::<bool>()).prop_map(|(ns, id, expired)| {
            let reason = if expired { DeleteReason::Expired } else { DeleteReason::Deleted };
            vec![Op::Object(ObjectOp::Delete { ns, id, reason })]
        }),
        1 => (ns(), object_id(), object_data(), 0u8..3).prop_map(|(ns, id, data, k)| {
            vec![
                Op::Object(ObjectOp::Put { ns: ns.clone(), id: id.clone(), data: data.clone() }),
                Op::Object(ObjectOp::Remember {
                    ns,
                    key: format!("idem-{k}").into(),
                    request: [k; 32],
                    id,
                    data,
                }),
            ]
        }),
    ]
}

fn lease_op() -> impl Strategy<Value = Op> {
    (ns(), 0u8..2, 0u8..3, 1u64..60_000, select(vec!["w1", "w2"])).prop_map(
        |(ns, k, how, ttl_ms, owner)| {
            let key: Arc<str> = format!("lease-{k}").into();
            Op::Lease(match how {
                0 => LeaseOp::Acquire {
                    ns,
                    key,
                    owner: owner.into(),
                    ttl_ms,
                },
                1 => LeaseOp::Renew { ns, key, ttl_ms },
                _ => LeaseOp::Release { ns, key },
            })
        },
    )
}

fn checkpoint_op() -> impl Strategy<Value = Op> {
    let name = (0u8..3).prop_map(|n| Arc::<str>::from(format!("cp-{n}")));
    prop_oneof![
        (
            ns(),
            object_id(),
            name.clone(),
            any::<bool>(),
            1u64..50,
            object_data()
        )
            .prop_map(|(ns, id, name, with_meta, source_seq, data)| {
                let metadata = with_meta.then(|| Body::from_json(r#"{"why":"before"}"#).unwrap());
                Op::Checkpoint(CheckpointOp::Create {
                    ns,
                    id,
                    name,
                    metadata,
                    source_seq,
                    data,
                })
            }),
        (ns(), object_id(), prop::collection::vec(name, 1..3))
            .prop_map(|(ns, id, names)| { Op::Checkpoint(CheckpointOp::Delete { ns, id, names }) }),
    ]
}

fn validation() -> impl Strategy<Value = Validation> {
    select(vec![
        Validation::Pending,
        Validation::Valid,
        Validation::Invalid,
    ])
}

fn errors_of(v: Validation) -> Vec<String> {
    match v {
        Validation::Invalid => vec!["node C is not registered".into()],
        Validation::Pending | Validation::Valid => vec![],
    }
}

fn workflow_op() -> impl Strategy<Value = WorkflowOp> {
    let graph = select(GRAPHS.to_vec()).prop_map(Arc::<str>::from);
    let version = select(TEMPLATE_VERSIONS.to_vec());
    let run_id = (0..RUNS).prop_map(|n| Arc::<str>::from(format!("run-{n}")));
    prop_oneof![
        1 => (ns(), prop::collection::vec(select(NODES.to_vec()), 1..3), 0i64..5)
            .prop_map(|(ns, names, at)| WorkflowOp::RegisterNodes { ns, nodes: nodes(&names, at) }),
        2 => (ns(), graph.clone(), version.clone(), validation(), 0usize..3, any::<bool>())
            .prop_map(|(ns, name, updated_at, validation, secrets, cron)| WorkflowOp::PutGraph {
                ns,
                name,
                graph: graph_record(updated_at, validation, secrets, cron),
            }),
        1 => (ns(), graph.clone(), version, validation()).prop_map(
            |(ns, name, updated_at, validation)| WorkflowOp::SetValidation {
                ns, name, updated_at, validation, errors: errors_of(validation),
            }
        ),
        1 => (ns(), graph.clone()).prop_map(|(ns, name)| WorkflowOp::DeleteGraph { ns, name }),
        2 => (ns(), graph.clone(), run_id.clone(), any::<bool>(), 0i64..9).prop_map(
            |(ns, graph_name, run_id, cancelled, at)| WorkflowOp::PutRun(RunRecord {
                run_id,
                ns,
                graph_name,
                created_at: at,
                store: vec![("k".into(), format!("v{at}"))],
                cancelled_at: cancelled.then_some(at + 1),
            })
        ),
        5 => prop::collection::vec(state_record(), 1..4).prop_map(WorkflowOp::PutStates),
        1 => prop::collection::vec(run_id, 1..3).prop_map(WorkflowOp::DeleteRuns),
        1 => (ns(), graph, any::<bool>(), 0i64..4).prop_map(|(ns, graph, zoned, n)| {
            WorkflowOp::CronFired {
                ns,
                graph,
                trigger: cron_trigger(zoned).into(),
                at: 1_700_000_000_000 + n * 300_000,
            }
        }),
    ]
}

pub(super) fn cron_trigger(zoned: bool) -> &'static str {
    if zoned {
        "0 9 * * 1-5@Europe/Berlin"
    } else {
        "*/5 * * * *"
    }
}

pub(super) fn nodes(names: &[&str], at: i64) -> Vec<(Arc<str>, NodeRecord)> {
    names
        .iter()
        .map(|name| {
            let spec = json!({"name": name, "inputs_schema": {"type": "object"},
                              "outputs_schema": {"type": "object"}, "secrets": ["token"]});
            let record = NodeRecord {
                runtime_name: "rt".into(),
                spec: spec.to_string().into(),
                created_at: 0,
                updated_at: at,
            };
            (Arc::from(*name), record)
        })
        .collect()
}

pub(super) fn graph_record(
    updated_at: i64,
    validation: Validation,
    secrets: usize,
    cron: bool,
) -> GraphRecord {
    let triggers = match cron {
        true => json!([{"type": "CRON", "value": {"expression": cron_trigger(false)}}]),
        false => json!([]),
    };
    let template = json!({
        "nodes": [
            {"node_name": "A", "identifier": "a", "inputs": {"x": "${{ store.k }}"},
             "next_nodes": ["b"]},
            {"node_name": "B", "identifier": "b", "inputs": {"x": "${{ a.outputs.x }}"},
             "next_nodes": []},
        ],
        "retry_policy": {"max_retries": 1},
        "store_config": {"required_keys": ["k"]},
        "triggers": triggers,
    });
    GraphRecord {
        template: template.to_string().into(),
        secrets: (0..secrets)
            .map(|i| {
                (
                    Arc::from(format!("secret-{i}")),
                    Arc::from(format!("c2VhbGVk{i}")),
                )
            })
            .collect(),
        validation,
        errors: errors_of(validation),
        created_at: 500,
        updated_at,
        parsed: Default::default(),
    }
}

fn state_record() -> impl Strategy<Value = StateRecord> {
    (
        (0..STATES, 0..RUNS, ns(), select(NODES.to_vec())),
        select(StateStatus::ALL.to_vec()),
        (0i64..20_000, prop::option::of(0i64..20_000), any::<bool>()),
        (0u32..3, any::<bool>()),
    )
        .prop_map(
            |((n, run, ns, node), status, (after, timeout, unites), (retries, failed))| {
                let id: Arc<str> = format!("state-{n}").into();
                StateRecord {
                    id: id.clone(),
                    ns,
                    node_name: node.into(),
                    identifier: node.to_lowercase().into(),
                    graph_name: GRAPHS[usize::from(run) % GRAPHS.len()].into(),
                    run_id: format!("run-{run}").into(),
                    status,
                    inputs: r#"{"x":"in"}"#.into(),
                    outputs: if status.is_pending() {
                        "{}".into()
                    } else {
                        r#"{"x":"out"}"#.into()
                    },
                    data: (status == StateStatus::Pruned).then(|| r#"{"why":"pruned"}"#.into()),
                    error: failed.then(|| "boom".into()),
                    parents: vec![("a".into(), "state-0".into())],
                    enqueue_after: 1_700_000_000_000 + after,
                    retry_count: retries,
                    fanout_id: format!("f{n}").into(),
                    manual_retry_fanout_id: (retries > 1).then(|| "manual".into()),
                    does_unites: unites,
                    queued_at: timeout.map(|t| 1_700_000_000_000 + t),
                    timeout_at: timeout.map(|t| 1_700_000_060_000 + t),
                    created_at: 1_700_000_000_000,
                    updated_at: 1_700_000_000_000 + after,
                }
            },
        )
}

/// Flow names: few, so puts replace and deletes hit.
const FLOWS: [&str; 2] = ["etl", "agents"];

fn flow_op() -> impl Strategy<Value = FlowOp> {
    let name = select(FLOWS.to_vec()).prop_map(Arc::<str>::from);
    prop_oneof![
        4 => (
            name.clone(),
            1u64..5,
            any::<bool>(),
            select(DeployStatus::ALL.to_vec()),
            any::<bool>(),
            0i64..9,
        )
            .prop_map(|(name, generation, stopped, deploy, with_previous, at)| FlowOp::Put {
                name,
                flow: flow_record(generation, stopped, deploy, with_previous, at),
            }),
        1 => name.prop_map(|name| FlowOp::Delete { name }),
    ]
}

/// A burst of flow events, one of each kind (ids from `first`), each with its retention.
fn flow_events() -> impl Strategy<Value = Vec<Op>> {
    (
        select(FLOWS.to_vec()),
        1u64..200,
        any::<bool>(),
        0i64..9,
        1u32..12,
        select(vec![0u64, 3]),
    )
        .prop_map(|(flow, first, with_replica, at, keep, max_age_ms)| {
            EventKind::ALL
                .iter()
                .zip(first..)
                .map(|(kind, id)| {
                    Op::Flow(FlowOp::Event {
                        event: flow_event(id, flow, *kind, with_replica, at),
                        retention: Retention { keep, max_age_ms },
                    })
                })
                .collect()
        })
}

/// A flow event; `data` is a small JSON object.
pub(super) fn flow_event(
    id: u64,
    flow: &str,
    kind: EventKind,
    with_replica: bool,
    at: i64,
) -> FlowEvent {
    FlowEvent {
        id,
        flow: flow.into(),
        replica: with_replica.then(|| Arc::from("w-0")),
        kind,
        time: at,
        data: json!({"n": id}).to_string().into(),
    }
}

/// A flow record; `previous` and `message` are set when `with_previous`.
pub(super) fn flow_record(
    generation: u64,
    stopped: bool,
    deploy: DeployStatus,
    with_previous: bool,
    at: i64,
) -> FlowRecord {
    let manifest = |g: u64| -> Arc<str> {
        json!({"name": "f", "workers": {"w": {"command": "sleep", "args": [g.to_string()]}}})
            .to_string()
            .into()
    };
    FlowRecord {
        manifest: manifest(generation),
        previous: with_previous.then(|| manifest(generation.saturating_sub(1))),
        desired: if stopped {
            FlowDesired::Stopped
        } else {
            FlowDesired::Running
        },
        generation,
        deploy,
        message: with_previous.then(|| Arc::from("w.0 never became ready")),
        created_at: at,
        updated_at: at + 1,
    }
}
