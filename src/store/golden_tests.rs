//! Compatibility of the on-disk encodings: WAL record payloads and snapshot items encoded by
//! earlier builds (the golden bytes below were produced before the in-memory layout of
//! [`ObjectData`] changed) must decode to the same values and encode to the same bytes.

use std::sync::Arc;

use crate::store::command::{Body, CheckpointOp, DeleteReason, ObjectData, ObjectOp, Op, Record};
use crate::store::snapshot::Item;
use crate::store::state::{Entry, History, Version};

fn data(body: &str, tags: &[(&str, &str)], ttl: Option<u64>, parents: &[&str]) -> ObjectData {
    ObjectData::new("note".into(), Body::from_json(body).unwrap())
        .with_tags(
            tags.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
        .with_ttl_seconds(ttl)
        .with_parents(parents.iter().map(|p| p.to_string()).collect())
}

fn rich() -> Arc<ObjectData> {
    Arc::new(data(
        r#"{"a":[1,2,{"b":null}]}"#,
        &[("k", "v"), ("team", "blue")],
        Some(30),
        &["p1", "p2"],
    ))
}

fn plain() -> Arc<ObjectData> {
    Arc::new(data(r#""hello""#, &[], None, &[]))
}

fn ops() -> Vec<Op> {
    vec![
        Op::Object(ObjectOp::Put {
            ns: "agent://a".into(),
            id: "x".into(),
            data: rich(),
        }),
        Op::Object(ObjectOp::Put {
            ns: "agent://a".into(),
            id: "y".into(),
            data: plain(),
        }),
        Op::Object(ObjectOp::Delete {
            ns: "agent://a".into(),
            id: "z".into(),
            reason: DeleteReason::Expired,
        }),
        Op::Object(ObjectOp::Remember {
            ns: "agent://a".into(),
            key: "idem".into(),
            request: [7; 32],
            id: "x".into(),
            data: rich(),
        }),
        Op::Checkpoint(CheckpointOp::Create {
            ns: "agent://a".into(),
            id: "x".into(),
            name: "cp".into(),
            metadata: Some(Body::from_json("{}").unwrap()),
            source_seq: 3,
            data: plain(),
        }),
    ]
}

fn item() -> Item {
    Item::Object {
        ns: "agent://a".into(),
        id: "x".into(),
        entry: Entry {
            current: Version {
                seq: 9,
                ts: 1_700_000_000_900,
                data: Some(rich()),
            },
            history: Some(Arc::new(History {
                versions: vec![
                    Version {
                        seq: 4,
                        ts: 1_700_000_000_400,
                        data: Some(plain()),
                    },
                    Version {
                        seq: 6,
                        ts: 1_700_000_000_600,
                        data: None,
                    },
                ],
                pruned: true,
            })),
        },
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

/// `Record::encode_into(42, 1_700_000_000_123, &ops())` as written before the layout change.
const GOLDEN_RECORD: &str = concat!(
    "012a000000000000007b68e5cf8b010000050000096167656e743a2f2f610178046e6f7465167b2261223a5b",
    "312c322c7b2262223a6e756c6c7d5d7d02016b0176047465616d04626c7565011e0202703102703200000961",
    "67656e743a2f2f610179046e6f7465072268656c6c6f220000000001096167656e743a2f2f61017a01000209",
    "6167656e743a2f2f61046964656d070707070707070707070707070707070707070707070707070707070707",
    "07070178046e6f7465167b2261223a5b312c322c7b2262223a6e756c6c7d5d7d02016b0176047465616d0462",
    "6c7565011e020270310270320200096167656e743a2f2f61017802637001027b7d03046e6f7465072268656c",
    "6c6f22000000",
);

/// `postcard(item())` as written before the layout change.
const GOLDEN_ITEM: &str = concat!(
    "00096167656e743a2f2f6101780988aeabfef96201046e6f7465167b2261223a5b312c322c7b2262223a6e75",
    "6c6c7d5d7d02016b0176047465616d04626c7565011e02027031027032010204a0a6abfef96201046e6f7465",
    "072268656c6c6f2200000006b0a9abfef9620001",
);

/// `serde_json(rich())` before the layout change.
const GOLDEN_JSON: &str = r#"{"type":"note","body":{"a":[1,2,{"b":null}]},"tags":{"k":"v","team":"blue"},"ttl_seconds":30,"parents":["p1","p2"]}"#;

#[test]
fn old_records_decode_and_encode_identically() {
    let golden = unhex(GOLDEN_RECORD);
    let mut buf = Vec::new();
    Record::encode_into(42, 1_700_000_000_123, &ops(), &mut buf).unwrap();
    assert_eq!(hex(&buf), GOLDEN_RECORD, "record encoding changed");
    let rec = Record::decode(&golden).unwrap();
    assert_eq!((rec.seq, rec.ts), (42, 1_700_000_000_123));
    assert_eq!(rec.ops, ops());
}

#[test]
fn old_snapshot_items_decode_and_encode_identically() {
    let golden = unhex(GOLDEN_ITEM);
    let bytes = postcard::to_stdvec(&item()).unwrap();
    assert_eq!(hex(&bytes), GOLDEN_ITEM, "snapshot item encoding changed");
    let back: Item = postcard::from_bytes(&golden).unwrap();
    assert_eq!(back, item());
}

#[test]
fn json_form_of_object_data_is_unchanged() {
    assert_eq!(serde_json::to_string(&*rich()).unwrap(), GOLDEN_JSON);
    let back: ObjectData = serde_json::from_str(GOLDEN_JSON).unwrap();
    assert_eq!(back, *rich());
    let plain_json = serde_json::to_string(&*plain()).unwrap();
    assert_eq!(
        plain_json,
        r#"{"type":"note","body":"hello","tags":{},"ttl_seconds":null,"parents":[]}"#
    );
}

fn flow_ops() -> Vec<Op> {
    use crate::store::state::flows::{DeployStatus, FlowDesired, FlowOp, FlowRecord};
    vec![
        Op::Flow(FlowOp::Put {
            name: "etl".into(),
            flow: FlowRecord {
                manifest: r#"{"name":"etl"}"#.into(),
                previous: Some(r#"{"name":"old"}"#.into()),
                desired: FlowDesired::Stopped,
                generation: 300,
                deploy: DeployStatus::RolledBack,
                message: Some("w-0 never ready".into()),
                created_at: 1_700_000_000_000,
                updated_at: 1_700_000_000_500,
            },
        }),
        Op::Flow(FlowOp::Delete {
            name: "gone".into(),
        }),
    ]
}

/// `Record::encode_into(7, 1_700_000_000_123, &flow_ops())` as the first flow build wrote it.
const GOLDEN_FLOW_RECORD: &str = concat!(
    "0107000000000000007b68e5cf8b0100000204000365746c0e7b226e616d65223a2265746c227d010e7b226e",
    "616d65223a226f6c64227d01ac0202010f772d30206e6576657220726561647980a0abfef962e8a7abfef962",
    "040104676f6e65",
);

#[test]
fn flow_records_decode_and_encode_identically() {
    let mut buf = Vec::new();
    Record::encode_into(7, 1_700_000_000_123, &flow_ops(), &mut buf).unwrap();
    assert_eq!(
        hex(&buf),
        GOLDEN_FLOW_RECORD,
        "flow record encoding changed"
    );
    let rec = Record::decode(&unhex(GOLDEN_FLOW_RECORD)).unwrap();
    assert_eq!(rec.ops, flow_ops());
}

fn flow_event_ops() -> Vec<Op> {
    use crate::store::state::flows::{EventKind, FlowEvent, FlowOp, Retention};
    vec![Op::Flow(FlowOp::Event {
        event: FlowEvent {
            id: 300,
            flow: "etl".into(),
            replica: Some("w-0".into()),
            kind: EventKind::Crashed,
            time: 1_700_000_000_500,
            data: r#"{"signal":9}"#.into(),
        },
        retention: Retention {
            keep: 10_000,
            max_age_ms: 604_800_000,
        },
    })]
}

/// `Record::encode_into(8, 1_700_000_000_123, &flow_event_ops())` as the first event build
/// wrote it.
const GOLDEN_FLOW_EVENT_RECORD: &str = concat!(
    "0108000000000000007b68e5cf8b010000010402ac020365746c0103772d3001e8a7abfef9620c7b227369676e",
    "616c223a397d904e8088b2a002",
);

#[test]
fn flow_event_records_decode_and_encode_identically() {
    let mut buf = Vec::new();
    Record::encode_into(8, 1_700_000_000_123, &flow_event_ops(), &mut buf).unwrap();
    assert_eq!(
        hex(&buf),
        GOLDEN_FLOW_EVENT_RECORD,
        "flow event record encoding changed"
    );
    let rec = Record::decode(&unhex(GOLDEN_FLOW_EVENT_RECORD)).unwrap();
    assert_eq!(rec.ops, flow_event_ops());
}
