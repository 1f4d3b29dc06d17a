//! Replay with [`FreshIds`] hints gives exactly the state that applying records one by one
//! ([`State::apply`]) gives, and the objects of both match a reference model (the apply
//! algorithm as it was before it learnt to update entries in place): random logs of puts,
//! overwrites, deletes, TTLs, idempotent answers, leases, checkpoints and workflow documents
//! over a small key space, replayed on top of a base state made of a random prefix of the same
//! log (as a snapshot would be).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use proptest::prelude::*;

use super::workflows::{GraphRecord, Validation, WorkflowOp};
use super::{Entry, FreshIds, History, HistoryPolicy, State, Version};
use crate::store::command::{
    Body, CheckpointOp, DeleteReason, LeaseOp, ObjectData, ObjectOp, Op, Record,
};

const NAMESPACES: [&str; 3] = ["agent://a", "agent://b", "c"];

/// Ids share long prefixes so that the 16-byte sort prefix ties and the full comparison runs.
fn id(n: u8) -> Arc<str> {
    match n % 4 {
        0 => format!("{n}").into(),
        1 => format!("shared-prefix-16b{n}").into(),
        2 => format!("shared-prefix-16b{n}\0").into(),
        _ => format!("o{n:03}").into(),
    }
}

fn data(n: u16, ttl: Option<u64>, tagged: bool) -> Arc<ObjectData> {
    let d = ObjectData::new(
        "t".into(),
        Body::from_json(format!("{{\"n\":{n}}}")).unwrap(),
    )
    .with_ttl_seconds(ttl);
    Arc::new(if tagged {
        d.with_tags([("k".to_string(), format!("{}", n % 3))].into())
            .with_parents(vec!["p".into()])
    } else {
        d
    })
}

fn op() -> impl Strategy<Value = Op> {
    let ns = (0..NAMESPACES.len()).prop_map(|i| Arc::<str>::from(NAMESPACES[i]));
    let ttl = prop_oneof![Just(None), (1u64..4).prop_map(Some)];
    prop_oneof![
        6 => (ns.clone(), 0u8..12, any::<u16>(), ttl, any::<bool>()).prop_map(
            |(ns, n, v, ttl, tagged)| Op::Object(ObjectOp::Put {
                ns,
                id: id(n),
                data: data(v, ttl, tagged),
            })
        ),
        3 => (ns.clone(), 0u8..12, any::<bool>()).prop_map(|(ns, n, expired)| {
            Op::Object(ObjectOp::Delete {
                ns,
                id: id(n),
                reason: if expired {
                    DeleteReason::Expired
                } else {
                    DeleteReason::Deleted
                },
            })
        }),
        1 => (ns.clone(), 0u8..3, 0u8..12, any::<u16>()).prop_map(|(ns, k, n, v)| {
            Op::Object(ObjectOp::Remember {
                ns,
                key: format!("idem-{k}").into(),
                request: [k; 32],
                id: id(n),
                data: data(v, None, false),
            })
        }),
        1 => (ns.clone(), 0u8..3, 0u8..3, 1u64..3000).prop_map(|(ns, k, how, ttl_ms)| {
            let key: Arc<str> = format!("lease-{k}").into();
            Op::Lease(match how {
                0 => LeaseOp::Acquire { ns, key, owner: "me".into(), ttl_ms },
                1 => LeaseOp::Renew { ns, key, ttl_ms },
                _ => LeaseOp::Release { ns, key },
            })
        }),
        1 => (ns.clone(), 0u8..12, 0u8..2, any::<bool>(), any::<u16>()).prop_map(
            |(ns, n, name, create, v)| {
                let name: Arc<str> = format!("cp-{name}").into();
                Op::Checkpoint(if create {
                    CheckpointOp::Create {
                        ns,
                        id: id(n),
                        name,
                        metadata: None,
                        source_seq: 1,
                        data: data(v, None, false),
                    }
                } else {
                    CheckpointOp::Delete {
                        ns,
                        id: id(n),
                        names: vec![name],
                    }
                })
            }
        ),
        1 => (ns, 0u8..2, any::<i64>()).prop_map(|(ns, g, at)| {
            Op::Workflow(WorkflowOp::PutGraph {
                ns,
                name: format!("g{g}").into(),
                graph: GraphRecord {
                    template: "{}".into(),
                    secrets: vec![],
                    validation: Validation::Pending,
                    errors: vec![],
                    created_at: 0,
                    updated_at: at,
                    parsed: Default::default(),
                },
            })
        }),
    ]
}

/// Records with seqs from 1 and times that grow by up to 3 s (TTLs and the age window matter).
fn log() -> impl Strategy<Value = Vec<Record>> {
    prop::collection::vec((prop::collection::vec(op(), 1..4), 0i64..3000), 0..120).prop_map(
        |recs| {
            let mut ts = 1_700_000_000_000;
            recs.into_iter()
                .enumerate()
                .map(|(i, (ops, gap))| {
                    ts += gap;
                    Record {
                        seq: i as u64 + 1,
                        ts,
                        ops,
                    }
                })
                .collect()
        },
    )
}

/// Everything a state holds, in a comparable form.
fn contents(s: &State) -> impl PartialEq + std::fmt::Debug {
    let entries: Vec<_> = s
        .objects
        .entries()
        .map(|(ns, id, e)| (ns.to_string(), id.to_string(), e.clone()))
        .collect();
    let leases: Vec<_> = s
        .leases
        .iter()
        .map(|(k, l)| (k.clone(), l.clone()))
        .collect();
    let answers: Vec<_> = s
        .idempotency
        .iter()
        .map(|(k, r)| (k.clone(), r.clone()))
        .collect();
    let checkpoints: Vec<_> = s
        .checkpoints
        .iter()
        .map(|(k, l)| (k.clone(), l.as_ref().clone()))
        .collect();
    let workflows: Vec<_> = s.workflows.items().collect();
    (
        (s.seq, s.ts),
        entries,
        s.objects.namespaces(),
        s.objects.expiry_index(),
        s.objects.live_count(),
        (leases, answers, checkpoints, workflows),
    )
}

/// Entries, namespace counters (live objects, bytes) and the TTL index.
type ObjectsView = (
    Vec<(String, String, Entry)>,
    Vec<(String, (u64, u64))>,
    Vec<(i64, String, String)>,
);

/// The objects domain as the original `ObjectState::apply` computed it: look the entry up,
/// clone it, build the next one, insert it (a copy of that code over plain `BTreeMap`s).
#[derive(Default)]
struct Reference {
    entries: BTreeMap<(String, String), Entry>,
    counts: BTreeMap<String, (u64, u64)>,
    expiries: BTreeSet<(i64, String, String)>,
}

impl Reference {
    fn apply(&mut self, rec: &Record, policy: &HistoryPolicy) {
        for op in &rec.ops {
            let (ns, id, data) = match op {
                Op::Object(ObjectOp::Put { ns, id, data }) => (ns, id, Some(data.clone())),
                Op::Object(ObjectOp::Delete { ns, id, .. }) => (ns, id, None),
                _ => continue,
            };
            let key = (ns.to_string(), id.to_string());
            let bytes = |d: &ObjectData| {
                let tags: usize = d.tags().iter().map(|(k, v)| k.len() + v.len()).sum();
                (id.len() + d.type_.len() + d.body.get().len() + tags) as u64
            };
            let expiry = |ts: i64, d: &ObjectData| d.ttl_seconds().map(|t| ts + t as i64 * 1000);
            let new = Version {
                seq: rec.seq,
                ts: rec.ts,
                data,
            };
            let old = self.entries.get(&key).cloned();
            let counts = self.counts.entry(key.0.clone()).or_default();
            if let Some(d) = old.as_ref().and_then(|e| e.current.data.as_deref()) {
                counts.0 -= 1;
                counts.1 -= bytes(d);
                if let Some(at) = expiry(old.as_ref().map_or(0, |e| e.current.ts), d) {
                    self.expiries.remove(&(at, key.0.clone(), key.1.clone()));
                }
            }
            if let Some(d) = new.data.as_deref() {
                counts.0 += 1;
                counts.1 += bytes(d);
                if let Some(at) = expiry(rec.ts, d) {
                    self.expiries.insert((at, key.0.clone(), key.1.clone()));
                }
            }
            let entry = match old {
                None if new.data.is_none() => None,
                None => Some(Entry {
                    current: new,
                    history: None,
                }),
                Some(old) => {
                    let mut history = old
                        .history
                        .as_ref()
                        .map(|h| h.versions.clone())
                        .unwrap_or_default();
                    let mut pruned = old.history.as_ref().is_some_and(|h| h.pruned);
                    history.push(old.current);
                    let cutoff = rec.ts.saturating_sub(policy.age_ms);
                    let mut drop = history.len().saturating_sub(policy.versions);
                    while drop < history.len() {
                        let succ_ts = history.get(drop + 1).map_or(new.ts, |v| v.ts);
                        if succ_ts >= cutoff {
                            break;
                        }
                        drop += 1;
                    }
                    if drop > 0 {
                        history.drain(..drop);
                        pruned = true;
                    }
                    let has_history = !history.is_empty();
                    let history = (has_history || pruned).then(|| {
                        Arc::new(History {
                            versions: history,
                            pruned,
                        })
                    });
                    (new.data.is_some() || has_history).then_some(Entry {
                        current: new,
                        history,
                    })
                }
            };
            match entry {
                Some(e) => {
                    self.entries.insert(key, e);
                }
                None => {
                    self.entries.remove(&key);
                }
            }
        }
    }

    /// Entries, namespace counters and the TTL index in the form [`objects_of`] gives.
    fn contents(&self) -> ObjectsView {
        let entries: Vec<_> = self
            .entries
            .iter()
            .map(|((ns, id), e)| (ns.clone(), id.clone(), e.clone()))
            .collect();
        let counts: Vec<_> = self
            .counts
            .iter()
            .filter(|(ns, _)| self.entries.keys().any(|(n, _)| n == *ns))
            .map(|(ns, c)| (ns.clone(), *c))
            .collect();
        let expiries: Vec<_> = self.expiries.iter().cloned().collect();
        (entries, counts, expiries)
    }
}

/// The objects of a state in the form [`Reference::contents`] gives.
fn objects_of(s: &State) -> ObjectsView {
    let entries: Vec<_> = s
        .objects
        .entries()
        .map(|(ns, id, e)| (ns.to_string(), id.to_string(), e.clone()))
        .collect();
    let counts: Vec<_> = s
        .objects
        .namespaces()
        .into_iter()
        .map(|n| (n.ns, (n.objects, n.bytes)))
        .collect();
    let expiries: Vec<_> = s
        .objects
        .expiry_index()
        .into_iter()
        .map(|(at, ns, id)| (at, ns.to_string(), id.to_string()))
        .collect();
    (entries, counts, expiries)
}

/// Replays `log[split..]` onto the state of `log[..split]` one by one and with hints, checks
/// that both agree with each other and with the reference model, and that the base is intact.
fn check(log: &[Record], split: usize, policy: &HistoryPolicy) {
    let mut base = State::default();
    let mut reference = Reference::default();
    for rec in &log[..split] {
        base.apply(rec, policy);
        reference.apply(rec, policy);
    }
    let before = contents(&base);
    let mut one_by_one = base.clone();
    let mut hinted = base.clone();
    let mut fresh = FreshIds::new(&base.objects, 1 << 20);
    for rec in &log[split..] {
        one_by_one.apply(rec, policy);
        hinted.apply_replayed(rec, policy, fresh.scan(rec));
        reference.apply(rec, policy);
    }
    assert_eq!(contents(&hinted), contents(&one_by_one));
    assert_eq!(objects_of(&one_by_one), reference.contents());
    // The base (sharing structure with both) is left as it was.
    assert_eq!(contents(&base), before);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn hinted_replay_equals_one_by_one_and_the_reference(
        log in log(),
        base_frac in 0.0f64..1.0,
        versions in 0usize..4,
        age_s in 1u64..8,
    ) {
        let policy = HistoryPolicy::new(versions, std::time::Duration::from_secs(age_s));
        check(&log, (log.len() as f64 * base_frac) as usize, &policy);
    }
}

#[test]
fn hinted_replay_of_many_objects_equals_one_by_one() {
    // Enough ids for multi-level trees, replayed onto an empty state and onto a large one.
    let policy = HistoryPolicy::new(2, std::time::Duration::from_secs(3600));
    let put = |seq: u64, i: u64| Record {
        seq,
        ts: seq as i64,
        ops: vec![Op::Object(ObjectOp::Put {
            ns: NAMESPACES[(i % 2) as usize].into(),
            id: format!("obj-{:02}-{:08}", i % 7, i / 7).into(),
            data: data(seq as u16, i.is_multiple_of(5).then_some(10), false),
        })],
    };
    let log: Vec<Record> = (1..=20_000).map(|s| put(s, (s * 7919) % 15_000)).collect();
    check(&log, 0, &policy);
    check(&log, 15_000, &policy);
}

#[test]
fn hints_mark_first_touches_of_ids_missing_from_the_base() {
    let put = |id: &str| {
        Op::Object(ObjectOp::Put {
            ns: "n".into(),
            id: id.into(),
            data: data(1, None, false),
        })
    };
    let rec = |seq, ops| Record { seq, ts: 0, ops };
    let mut base = State::default();
    let policy = HistoryPolicy::new(1, std::time::Duration::from_secs(1));
    base.apply(&rec(1, vec![put("old")]), &policy);
    let mut fresh = FreshIds::new(&base.objects, 1 << 20);
    let hints = fresh.scan(&rec(2, vec![put("new"), put("old"), put("new")]));
    assert_eq!(
        (0..3).map(|i| hints.is_fresh(i)).collect::<Vec<_>>(),
        [true, false, false]
    );
    assert!(!fresh.scan(&rec(3, vec![put("new")])).is_fresh(0));
    let many: Vec<Op> = (0..70).map(|i| put(&format!("m{i}"))).collect();
    let hints = fresh.scan(&rec(4, many));
    assert!(hints.is_fresh(63) && !hints.is_fresh(64) && !hints.is_fresh(69));
}

#[test]
fn hints_mark_nearly_every_new_id_of_a_large_log() {
    // 100k ids differing in their last digits, a bitmap sized for a 32 MB log (2M bits): the
    // hash must spread them (a collision only costs the hint).
    let mut fresh = FreshIds::new(&State::default().objects, 32 << 20);
    let marked = (0..100_000u64)
        .filter(|i| {
            let rec = Record {
                seq: i + 1,
                ts: 0,
                ops: vec![Op::Object(ObjectOp::Delete {
                    ns: "bench".into(),
                    id: format!("obj-{:02}-{:08}", i % 64, i / 64).into(),
                    reason: DeleteReason::Deleted,
                })],
            };
            fresh.scan(&rec).is_fresh(0)
        })
        .count();
    assert!(
        marked > 95_000,
        "only {marked} of 100000 new ids marked fresh"
    );
}
