//! Replay hints: which puts and deletes of a log touch an object id for the first time.
//!
//! Replay is pipelined: one thread reads and decodes the log, another applies it. Applying a
//! put to an id the state does not hold yet costs a lookup that finds nothing, then an insert:
//! two descents of the persistent map. The reading thread, which has time to spare, remembers
//! every id it has passed and tells the applying thread which ops are on ids that certainly do
//! not exist yet; those are inserted without the lookup.
//!
//! Ids are remembered in a bitmap indexed by a hash of `(namespace, id)` (a one-hash Bloom
//! filter), sized from the log so that it stays small enough for the cache: 4 MB for a log of
//! 300 MB. A collision can only make an op look already seen, and an op not marked fresh takes
//! the ordinary path, which is always right: collisions cost a lookup, never correctness. So
//! the hash can be a fast one (multiply and rotate, seeded at random per replay): ids crafted
//! to collide could only make their own replay take the ordinary path.

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
    seed: u64,
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
            seed: std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), bits),
        }
    }

    /// A fast hash of `(ns, id)` whose top bits index the bitmap.
    fn hash(&self, ns: &str, id: &str) -> u64 {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut h = self.seed;
        for part in [ns.as_bytes(), id.as_bytes()] {
            let mut words = part.chunks_exact(8);
            for w in &mut words {
                let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
                h = (h.rotate_left(23) ^ w).wrapping_mul(K);
            }
            let mut tail = [0u8; 8];
            tail[..words.remainder().len()].copy_from_slice(words.remainder());
            // The length separates ("ab", "c") from ("a", "bc").
            h = (h.rotate_left(23) ^ u64::from_le_bytes(tail) ^ part.len() as u64).wrapping_mul(K);
        }
        h
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
            let bit = self.hash(ns, id) >> self.shift;
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
