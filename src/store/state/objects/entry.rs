//! One object's versions: the current one and a bounded window of earlier ones, and the single
//! step that turns an entry and a new version into the next entry (used by the live path and by
//! bulk loading alike, so both keep exactly the same history).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::store::command::{ObjectData, ObjectOp};
use crate::store::state::HistoryPolicy;

/// One version of an object: the data it had from `seq` on (`None`: deleted at `seq`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// The commit that wrote this version.
    pub seq: u64,
    /// Its time (ms since the epoch).
    pub ts: i64,
    /// The content, or `None` for a deletion.
    pub data: Option<Arc<ObjectData>>,
}

/// A read before the history window of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("that point is older than the history kept for this object")]
pub struct OutOfWindow;

/// An object's current version and its recent history (32 bytes: one per object in memory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The newest version (a tombstone when the object is deleted).
    pub current: Version,
    /// Earlier versions, if any were kept or dropped.
    pub history: Option<Arc<History>>,
}

/// Earlier versions of an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Oldest first, bounded by the history policy.
    pub versions: Vec<Version>,
    /// Whether older versions were dropped (reads before `versions` are refused).
    pub pruned: bool,
}

impl Entry {
    /// The version that was current at `seq`: `Ok(None)` if the object did not exist then.
    ///
    /// # Errors
    /// [`OutOfWindow`] if that point is older than the kept history.
    pub fn at_seq(&self, seq: u64) -> Result<Option<&Version>, OutOfWindow> {
        self.find(|v| v.seq <= seq)
    }

    /// The version that was current at time `ts` (ms since the epoch).
    ///
    /// # Errors
    /// [`OutOfWindow`] if that point is older than the kept history.
    pub fn at_time(&self, ts: i64) -> Result<Option<&Version>, OutOfWindow> {
        self.find(|v| v.ts <= ts)
    }

    fn find(
        &self,
        is_at_or_before: impl Fn(&Version) -> bool,
    ) -> Result<Option<&Version>, OutOfWindow> {
        if is_at_or_before(&self.current) {
            return Ok(Some(&self.current));
        }
        let Some(history) = self.history.as_deref() else {
            return Ok(None);
        };
        if let Some(v) = history.versions.iter().rev().find(|v| is_at_or_before(v)) {
            return Ok(Some(v));
        }
        if history.pruned {
            Err(OutOfWindow)
        } else {
            Ok(None)
        }
    }

    /// A stand-in while an entry is moved out of its slot.
    pub(super) fn placeholder() -> Entry {
        Entry {
            current: Version {
                seq: 0,
                ts: 0,
                data: None,
            },
            history: None,
        }
    }

    pub(super) fn versions(&self) -> Vec<Version> {
        self.history
            .as_ref()
            .map(|h| h.versions.clone())
            .unwrap_or_default()
    }

    pub(super) fn pruned(&self) -> bool {
        self.history.as_ref().is_some_and(|h| h.pruned)
    }

    /// When the current version's TTL runs out (ms since the epoch), if it is live and has one.
    pub(super) fn expires_at(&self) -> Option<i64> {
        self.current
            .data
            .as_deref()
            .and_then(|d| expires_at(self.current.ts, d))
    }
}

/// The namespace, id and new version an object op writes (`None` for ops that are not puts or
/// deletes).
pub(super) fn change_of(
    seq: u64,
    ts: i64,
    op: &ObjectOp,
) -> Option<(&Arc<str>, &Arc<str>, Version)> {
    let (ns, id, data) = match op {
        ObjectOp::Put { ns, id, data } => (ns, id, Some(data.clone())),
        ObjectOp::Delete { ns, id, .. } => (ns, id, None),
        ObjectOp::Remember { .. } => return None, // state::idempotency's
    };
    Some((ns, id, Version { seq, ts, data }))
}

/// Bytes of live data an object version counts for in its namespace.
pub(super) fn data_bytes(id: &str, d: &ObjectData) -> u64 {
    let tags: usize = d.tags().iter().map(|(k, v)| k.len() + v.len()).sum();
    (id.len() + d.type_.len() + d.body.get().len() + tags) as u64
}

/// When a version written at `ts` expires.
pub(super) fn expires_at(ts: i64, d: &ObjectData) -> Option<i64> {
    d.ttl_seconds()
        .map(|ttl| ts.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX / 1000) * 1000))
}

/// Live objects and bytes of a namespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Counts {
    pub live: u64,
    pub bytes: u64,
}

impl Counts {
    /// Accounts for `new` replacing the current version of `old` (of object `id`).
    pub(super) fn replace(&mut self, id: &str, old: Option<&Entry>, new: &Version) {
        if let Some(d) = old.and_then(|e| e.current.data.as_deref()) {
            self.live -= 1;
            self.bytes -= data_bytes(id, d);
        }
        if let Some(d) = new.data.as_deref() {
            self.live += 1;
            self.bytes += data_bytes(id, d);
        }
    }
}

/// The entry after `new` replaces the current version of `old`, with the history bounded by
/// `policy` at the new version's time; `None` when nothing is left worth keeping (a deletion of
/// an object without history).
pub(super) fn next_entry(
    old: Option<Entry>,
    new: Version,
    policy: &HistoryPolicy,
) -> Option<Entry> {
    let Some(old) = old else {
        return new.data.is_some().then_some(Entry {
            current: new,
            history: None,
        });
    };
    let now = new.ts;
    let (mut versions, pruned) = match old.history {
        // The history is usually not shared (only a snapshot or a reader holds it meanwhile).
        Some(h) => {
            let h = Arc::unwrap_or_clone(h);
            (h.versions, h.pruned)
        }
        None => (Vec::new(), false),
    };
    versions.push(old.current);
    let mut entry = Entry {
        current: new,
        history: None,
    };
    set_history(&mut entry, versions, pruned, now, policy);
    let has_history = entry
        .history
        .as_ref()
        .is_some_and(|h| !h.versions.is_empty());
    (entry.current.data.is_some() || has_history).then_some(entry)
}

/// Stores `history` (oldest first) in `entry`, bounded by count and by age at time `now`.
pub(super) fn set_history(
    entry: &mut Entry,
    mut history: Vec<Version>,
    mut pruned: bool,
    now: i64,
    policy: &HistoryPolicy,
) {
    let cutoff = now.saturating_sub(policy.age_ms);
    let mut drop = history.len().saturating_sub(policy.versions);
    // A version is needed while its successor was written after the cutoff.
    while drop < history.len() {
        let succ_ts = history.get(drop + 1).map_or(entry.current.ts, |v| v.ts);
        if succ_ts >= cutoff {
            break;
        }
        drop += 1;
    }
    if drop > 0 {
        history.drain(..drop);
        pruned = true;
    }
    entry.history = (!history.is_empty() || pruned).then(|| {
        Arc::new(History {
            versions: history,
            pruned,
        })
    });
}
