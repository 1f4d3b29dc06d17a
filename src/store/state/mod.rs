//! The in-memory state machine: applies records in seq order and answers reads.
//!
//! State is built from persistent maps (`imbl`), so cloning a [`State`] is O(1) and a clone is a
//! consistent view that later commits never change: readers and snapshots hold such a view while
//! the writer goes on. Each domain owns one field; a new domain adds a field and a match arm.

pub mod checkpoints;
pub mod idempotency;
pub mod leases;
mod objects;

use std::time::Duration;

pub use objects::{
    Entry, History, Namespace, NamespaceStats, ObjectRef, ObjectState, OutOfWindow, Version,
};

use crate::store::command::{ObjectOp, Op, Record};

/// How much history to keep per object.
#[derive(Debug, Clone, Copy)]
pub struct HistoryPolicy {
    /// Earlier versions kept per object.
    pub versions: usize,
    /// Earlier versions superseded longer ago than this are dropped (milliseconds).
    pub age_ms: i64,
}

impl HistoryPolicy {
    /// Builds a policy from a count and an age.
    pub fn new(versions: usize, age: Duration) -> Self {
        HistoryPolicy {
            versions,
            age_ms: i64::try_from(age.as_millis()).unwrap_or(i64::MAX),
        }
    }
}

/// The whole state at one commit_seq.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// The last applied commit_seq (0 when nothing was ever committed).
    pub seq: u64,
    /// The time of that commit (ms since the epoch).
    pub ts: i64,
    /// The objects domain.
    pub objects: ObjectState,
    /// Remembered answers of idempotent writes.
    pub idempotency: idempotency::IdempotencyState,
    /// Leases.
    pub leases: leases::LeaseState,
    /// Named checkpoints of objects.
    pub checkpoints: checkpoints::CheckpointState,
}

impl State {
    /// Applies one record. Records must come in seq order.
    pub fn apply(&mut self, record: &Record, policy: &HistoryPolicy) {
        for op in &record.ops {
            self.apply_op(record.seq, record.ts, op, policy);
        }
        self.seq = record.seq;
        self.ts = record.ts;
    }

    /// Applies many records (in seq order) with the same result as applying them one by one,
    /// but touches the object map in key order: puts and deletes of different objects commute,
    /// and sorted access keeps the tree's paths in cache. Recovery uses it.
    pub fn apply_batch(&mut self, records: &[Record], policy: &HistoryPolicy) {
        let mut object_ops: Vec<(u64, i64, &ObjectOp)> = Vec::new();
        for rec in records {
            for op in &rec.ops {
                match op {
                    Op::Object(o @ (ObjectOp::Put { .. } | ObjectOp::Delete { .. })) => {
                        object_ops.push((rec.seq, rec.ts, o));
                    }
                    other => self.apply_op(rec.seq, rec.ts, other, policy),
                }
            }
        }
        let key = |op: &ObjectOp| match op {
            ObjectOp::Put { ns, id, .. } | ObjectOp::Delete { ns, id, .. } => {
                (ns.clone(), id.clone())
            }
            ObjectOp::Remember { ns, key, .. } => (ns.clone(), key.clone()),
        };
        // Stable: the versions of one object stay in seq order.
        object_ops.sort_by_cached_key(|(_, _, op)| key(op));
        for (seq, ts, op) in object_ops {
            self.objects.apply(seq, ts, op, policy);
        }
        if let Some(last) = records.last() {
            self.seq = last.seq;
            self.ts = last.ts;
        }
    }

    fn apply_op(&mut self, seq: u64, ts: i64, op: &Op, policy: &HistoryPolicy) {
        match op {
            Op::Object(ObjectOp::Remember {
                ns,
                key,
                request,
                id,
                data,
            }) => {
                self.idempotency.remember(
                    ns.clone(),
                    key.clone(),
                    idempotency::Remembered {
                        request: *request,
                        id: id.clone(),
                        seq,
                        ts,
                        data: data.clone(),
                    },
                );
            }
            Op::Object(op) => self.objects.apply(seq, ts, op, policy),
            Op::Lease(op) => self.leases.apply(seq, ts, op),
            Op::Checkpoint(op) => self.checkpoints.apply(seq, ts, op),
        }
    }

    /// Drops history older than the policy allows at time `now` and forgets tombstones whose
    /// history is gone. Not logged: history is a read convenience, not state.
    pub fn prune_history(&mut self, now: i64, policy: &HistoryPolicy) {
        self.objects.prune_history(now, policy);
        self.idempotency.prune(now);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::command::{Body, DeleteReason, ObjectData};

    fn records(n: u64, mut rng: u64) -> Vec<Record> {
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        (1..=n)
            .map(|seq| {
                let ops = (0..1 + next() % 3)
                    .map(|_| {
                        let ns: Arc<str> = format!("ns{}", next() % 3).into();
                        let id: Arc<str> = format!("id{}", next() % 40).into();
                        if next() % 4 == 0 {
                            Op::Object(ObjectOp::Delete {
                                ns,
                                id,
                                reason: DeleteReason::Deleted,
                            })
                        } else {
                            let ttl = (next() % 5 == 0).then_some(next() % 100);
                            Op::Object(ObjectOp::Put {
                                ns,
                                id,
                                data: Arc::new(ObjectData {
                                    type_: "t".into(),
                                    body: Body::from_json(format!("{}", next() % 1000)).unwrap(),
                                    tags: Default::default(),
                                    ttl_seconds: ttl,
                                    parents: vec![],
                                }),
                            })
                        }
                    })
                    .collect();
                Record {
                    seq,
                    ts: seq as i64 * 10,
                    ops,
                }
            })
            .collect()
    }

    #[test]
    fn batch_apply_equals_one_by_one() {
        let policy = HistoryPolicy {
            versions: 3,
            age_ms: 500,
        };
        for seed in [1u64, 7, 99, 12345] {
            let recs = records(2000, seed);
            let mut one = State::default();
            for r in &recs {
                one.apply(r, &policy);
            }
            let mut batched = State::default();
            for chunk in recs.chunks(333) {
                batched.apply_batch(chunk, &policy);
            }
            let dump = |s: &State| -> Vec<(String, String, Entry)> {
                s.objects
                    .entries()
                    .map(|(n, i, e)| (n.to_string(), i.to_string(), e.clone()))
                    .collect()
            };
            assert_eq!(dump(&one), dump(&batched), "seed {seed}");
            assert_eq!(one.objects.namespaces(), batched.objects.namespaces());
            assert_eq!(
                one.objects.expired(i64::MAX, usize::MAX),
                batched.objects.expired(i64::MAX, usize::MAX)
            );
            assert_eq!((one.seq, one.ts), (batched.seq, batched.ts));
        }
    }
}
