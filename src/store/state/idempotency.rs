//! Remembered answers of idempotent writes (`Idempotency-Key`), kept for a day.

use std::sync::Arc;

use imbl::OrdMap;
use serde::{Deserialize, Serialize};

use crate::store::command::ObjectData;

/// How long an idempotency key is remembered (ms).
pub const KEEP_MS: i64 = 24 * 3600 * 1000;

/// What a key answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remembered {
    /// SHA-256 of the request.
    pub request: [u8; 32],
    /// The object written.
    pub id: Arc<str>,
    /// The commit that wrote it.
    pub seq: u64,
    /// Its time.
    pub ts: i64,
    /// The content written.
    pub data: Arc<ObjectData>,
}

/// Remembered answers by `(ns, key)`.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyState {
    keys: OrdMap<(Arc<str>, Arc<str>), Remembered>,
}

impl IdempotencyState {
    /// Records an answer.
    pub fn remember(&mut self, ns: Arc<str>, key: Arc<str>, r: Remembered) {
        self.keys.insert((ns, key), r);
    }

    /// The answer remembered for `key` in `ns`.
    pub fn get(&self, ns: &str, key: &str) -> Option<&Remembered> {
        self.keys.get(&(Arc::from(ns), Arc::from(key)))
    }

    /// Forgets answers older than [`KEEP_MS`] at time `now`.
    pub fn prune(&mut self, now: i64) {
        let cutoff = now.saturating_sub(KEEP_MS);
        let old: Vec<_> = self
            .keys
            .iter()
            .filter(|(_, r)| r.ts < cutoff)
            .map(|(k, _)| k.clone())
            .collect();
        for k in old {
            self.keys.remove(&k);
        }
    }

    /// Number of remembered answers (O(1)).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Every remembered answer.
    pub fn iter(&self) -> impl Iterator<Item = (&(Arc<str>, Arc<str>), &Remembered)> {
        self.keys.iter()
    }
}

#[cfg(test)]
impl IdempotencyState {
    /// Compares with `got` field by field (see `crate::store::state::diff`).
    pub(crate) fn diff(&self, got: &Self, d: &mut super::diff::Diff) {
        let IdempotencyState { keys } = self;
        let IdempotencyState { keys: got_keys } = got;
        d.map("idempotency.keys", keys, got_keys);
    }
}
