//! Leases: one holder per `(ns, key)` at a time, with a fencing token (the seq of the commit
//! that granted it) that only grows, so a write carrying an older token can be refused.

use std::sync::Arc;

use imbl::OrdMap;
use serde::{Deserialize, Serialize};

use crate::store::command::LeaseOp;

/// A granted lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Who holds it.
    pub owner: Arc<str>,
    /// Fencing token: the seq of the acquiring commit.
    pub token: u64,
    /// When it lapses (ms since the epoch).
    pub expires_at: i64,
}

/// When a lease granted or renewed by a commit at `ts` for `ttl_ms` lapses.
pub fn expires_at(ts: i64, ttl_ms: u64) -> i64 {
    ts.saturating_add(i64::try_from(ttl_ms).unwrap_or(i64::MAX))
}

/// Leases by `(ns, key)`; released ones are removed, lapsed ones stay until taken over.
#[derive(Debug, Clone, Default)]
pub struct LeaseState {
    leases: OrdMap<(Arc<str>, Arc<str>), Lease>,
}

impl LeaseState {
    /// Applies one op of the commit `seq` at time `ts`.
    pub fn apply(&mut self, seq: u64, ts: i64, op: &LeaseOp) {
        let ttl = |ms: u64| expires_at(ts, ms);
        match op {
            LeaseOp::Acquire {
                ns,
                key,
                owner,
                ttl_ms,
            } => {
                self.leases.insert(
                    (ns.clone(), key.clone()),
                    Lease {
                        owner: owner.clone(),
                        token: seq,
                        expires_at: ttl(*ttl_ms),
                    },
                );
            }
            LeaseOp::Renew { ns, key, ttl_ms } => {
                if let Some(l) = self.leases.get_mut(&(ns.clone(), key.clone())) {
                    l.expires_at = ttl(*ttl_ms);
                }
            }
            LeaseOp::Release { ns, key } => {
                self.leases.remove(&(ns.clone(), key.clone()));
            }
        }
    }

    /// The lease on `key` in `ns`, lapsed or not.
    pub fn get(&self, ns: &str, key: &str) -> Option<&Lease> {
        self.leases.get(&(Arc::from(ns), Arc::from(key)))
    }

    /// Puts a lease back as read from a snapshot.
    pub fn restore(&mut self, ns: Arc<str>, key: Arc<str>, lease: Lease) {
        self.leases.insert((ns, key), lease);
    }

    /// Number of leases (O(1)).
    pub fn len(&self) -> usize {
        self.leases.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.leases.is_empty()
    }

    /// Every lease.
    pub fn iter(&self) -> impl Iterator<Item = (&(Arc<str>, Arc<str>), &Lease)> {
        self.leases.iter()
    }
}

#[cfg(test)]
impl LeaseState {
    /// Compares with `got` field by field (see `crate::store::state::diff`).
    pub(crate) fn diff(&self, got: &Self, d: &mut super::diff::Diff) {
        let LeaseState { leases } = self;
        let LeaseState { leases: got_leases } = got;
        d.map("leases", leases, got_leases);
    }
}
