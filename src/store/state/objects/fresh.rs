//! Replay hints: which puts and deletes of a log touch an object id for the first time.
//!
//! Replay is pipelined: one thread reads and decodes the log, another applies it. Applying a
//! put to an id the state does not hold yet costs a lookup that finds nothing, then an insert:
//! two descents of the persistent map. The reading thread, which has time to spare, remembers
//! every id it has passed and tells the applying thread which ops are on ids that certainly do
//! not exist yet; those are inserted without the lookup.
//!
//! Ids are remembered in a bitmap indexed by a keyed hash of `(namespace, id)` (a one-hash
//! Bloom filter), sized from the log so that it stays small enough for the cache: 4 MB for a
//! log of 300 MB. A collision can only make an op look already seen, and an op not marked fresh
//! takes the ordinary path, which is always right: collisions cost a lookup, never correctness.

use std::hash::{BuildHasher, RandomState};

use super::ObjectState;
use crate::store::command::{ObjectOp, Op, Record};

/// Ops of one record that touch an id for the first time: bit `i` for op `i` (ops past the
/// 64th are never marked). Only [`FreshIds::scan`] makes non-empty ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FreshOps(u64);

impl FreshOps {
    /// No hint: every op takes the ordinary path.
    pub const NONE: FreshOps = FreshOps(0);

    /// Whether op `i` is on an id the state certainly does not hold.
    pub(in crate::store::state) fn is_fresh(self, i: usize) -> bool {
        i < 64 && self.0 & (1 << i) != 0
    }
}

/// The ids a replay has passed, on top of the state it starts from.
#[derive(Debug)]
pub struct FreshIds {
    base: ObjectState,
    /// Bit `h >> shift` is set once an id hashing to `h` was seen.
    seen: Vec<u64>,
    shift: u32,
    hasher: RandomState,
}

/// Bits of the bitmap per byte of log to replay (a put of a small object takes 100 bytes or
/// more, so this leaves several bits per object).
const LOG_BYTES_PER_BIT: u64 = 16;
/// Bounds of the bitmap (bits, powers of two): 8 KB to 512 MB.
const MIN_BITS: u32 = 16;
const MAX_BITS: u32 = 32;

impl FreshIds {
    /// Hints for a replay of about `log_bytes` of log onto `base` (a cheap clone of it is
    /// kept).
    pub fn new(base: &ObjectState, log_bytes: u64) -> FreshIds {
        let bits = (log_bytes / LOG_BYTES_PER_BIT)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(MIN_BITS, MAX_BITS);
        FreshIds {
            base: base.clone(),
            seen: vec![0; 1 << (bits - 6)],
            shift: 64 - bits,
            hasher: RandomState::new(),
        }
    }

    /// The hints for `record`, which must be the record replayed right after the ones scanned
    /// before it (the hints are only valid in that order).
    pub fn scan(&mut self, record: &Record) -> FreshOps {
        let mut bits = 0u64;
        for (i, op) in record.ops.iter().enumerate().take(64) {
            let (Op::Object(ObjectOp::Put { ns, id, .. })
            | Op::Object(ObjectOp::Delete { ns, id, .. })) = op
            else {
                continue;
            };
            let bit = self.hasher.hash_one((&**ns, &**id)) >> self.shift;
            let (word, mask) = (&mut self.seen[(bit >> 6) as usize], 1u64 << (bit & 63));
            let first_time = *word & mask == 0;
            *word |= mask;
            if first_time && self.base.entry(ns, id).is_none() {
                bits |= 1 << i;
            }
        }
        FreshOps(bits)
    }
}
