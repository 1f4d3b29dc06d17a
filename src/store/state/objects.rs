//! The objects domain: namespaced JSON documents with a bounded per-object history, a TTL index
//! and per-namespace counters.

mod entry;
mod fresh;

use std::ops::Bound;
use std::sync::Arc;

use imbl::{OrdMap, OrdSet};
use serde::Serialize;

use super::HistoryPolicy;
use crate::store::command::{ObjectData, ObjectOp};
use entry::{Counts, change_of, data_bytes, expires_at, next_entry, set_history};
pub use entry::{Entry, History, OutOfWindow, Version};
pub use fresh::{FreshIds, FreshOps};

/// The objects of one namespace.
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    /// Entries by id (tombstones included while they have history).
    pub entries: OrdMap<Arc<str>, Entry>,
    /// Live (not deleted) objects.
    pub live: u64,
    /// Bytes of live ids, types, bodies and tags.
    pub bytes: u64,
}

impl Namespace {
    fn counts(&self) -> Counts {
        Counts {
            live: self.live,
            bytes: self.bytes,
        }
    }

    fn set_counts(&mut self, c: Counts) {
        self.live = c.live;
        self.bytes = c.bytes;
    }
}

/// Counters of a namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespaceStats {
    /// The namespace.
    pub ns: String,
    /// Live objects.
    pub objects: u64,
    /// Bytes of live ids, types, bodies and tags.
    pub bytes: u64,
}

/// A live object together with its address.
#[derive(Debug, Clone, Copy)]
pub struct ObjectRef<'a> {
    /// Namespace.
    pub ns: &'a Arc<str>,
    /// Id.
    pub id: &'a Arc<str>,
    /// Commit that wrote it.
    pub seq: u64,
    /// Time of that commit.
    pub ts: i64,
    /// Content.
    pub data: &'a Arc<ObjectData>,
}

/// All namespaces.
#[derive(Debug, Clone, Default)]
pub struct ObjectState {
    namespaces: OrdMap<Arc<str>, Namespace>,
    /// `(expires_at_ms, ns, id)` of live objects with a TTL.
    expiries: OrdSet<(i64, Arc<str>, Arc<str>)>,
}

impl ObjectState {
    /// Applies one op of the commit `seq` at time `ts`.
    pub fn apply(&mut self, seq: u64, ts: i64, op: &ObjectOp, policy: &HistoryPolicy) {
        self.apply_op(seq, ts, op, policy, false);
    }

    /// As [`ObjectState::apply`]; `fresh` says the op's id is certainly not in the state (see
    /// [`FreshIds`]), which saves looking for it.
    pub(super) fn apply_op(
        &mut self,
        seq: u64,
        ts: i64,
        op: &ObjectOp,
        policy: &HistoryPolicy,
        fresh: bool,
    ) {
        let Some((ns, id, new)) = change_of(seq, ts, op) else {
            return;
        };
        if fresh && new.data.is_none() {
            return; // deleting what does not exist
        }
        let ns_key = match self.namespaces.get_key_value(ns) {
            Some((k, _)) => k.clone(),
            None => ns.clone(),
        };
        let new_expiry = new.data.as_deref().and_then(|d| expires_at(ts, d));
        let space = self.namespaces.entry(ns_key.clone()).or_default();
        let mut counts = space.counts();
        // One descent: the entry is updated where it lies, or inserted when it is new.
        let existing = if fresh {
            None
        } else {
            space.entries.get_mut(&**id)
        };
        match existing {
            Some(slot) => {
                let old = std::mem::replace(slot, Entry::placeholder());
                counts.replace(id, Some(&old), &new);
                if let Some(at) = old.expires_at() {
                    self.expiries.remove(&(at, ns_key.clone(), id.clone()));
                }
                match next_entry(Some(old), new, policy) {
                    Some(e) => *slot = e,
                    None => {
                        space.entries.remove(&**id);
                    }
                }
            }
            None => {
                counts.replace(id, None, &new);
                if let Some(e) = next_entry(None, new, policy) {
                    space.entries.insert(id.clone(), e);
                }
            }
        }
        space.set_counts(counts);
        let emptied = space.entries.is_empty();
        if let Some(at) = new_expiry {
            self.expiries.insert((at, ns_key.clone(), id.clone()));
        }
        if emptied {
            self.namespaces.remove(&ns_key);
        }
    }

    /// Drops versions superseded before `now - age` and tombstones left without history.
    pub fn prune_history(&mut self, now: i64, policy: &HistoryPolicy) {
        let cutoff = now.saturating_sub(policy.age_ms);
        let mut changes: Vec<(Arc<str>, Arc<str>, Option<Entry>)> = Vec::new();
        for (ns, space) in &self.namespaces {
            for (id, e) in &space.entries {
                let oldest_needed = e.history.as_deref().map(|h| &h.versions).map(|h| {
                    // A version is still needed while its successor is newer than the cutoff.
                    let succ_ts = |i: usize| h.get(i + 1).map_or(e.current.ts, |v| v.ts);
                    (0..h.len())
                        .find(|&i| succ_ts(i) >= cutoff)
                        .unwrap_or(h.len())
                });
                let tomb_expired = e.current.data.is_none() && e.current.ts < cutoff;
                match oldest_needed {
                    Some(0) if !tomb_expired => {}
                    None if !tomb_expired => {}
                    _ => {
                        let mut entry = e.clone();
                        set_history(&mut entry, e.versions(), e.pruned(), now, policy);
                        let keep = entry.current.data.is_some()
                            || (entry
                                .history
                                .as_ref()
                                .is_some_and(|h| !h.versions.is_empty())
                                && !tomb_expired);
                        changes.push((ns.clone(), id.clone(), keep.then_some(entry)));
                    }
                }
            }
        }
        for (ns, id, entry) in changes {
            if let Some(space) = self.namespaces.get_mut(&ns) {
                match entry {
                    Some(e) => {
                        space.entries.insert(id, e);
                    }
                    None => {
                        space.entries.remove(&id);
                    }
                }
                if space.entries.is_empty() {
                    self.namespaces.remove(&ns);
                }
            }
        }
    }

    /// The live object `ns/id`.
    pub fn get(&self, ns: &str, id: &str) -> Option<ObjectRef<'_>> {
        let (ns_key, space) = self.namespaces.get_key_value(ns)?;
        let (id_key, entry) = space.entries.get_key_value(id)?;
        live_ref(ns_key, id_key, &entry.current)
    }

    /// The entry (current version and history) of `ns/id`, deleted ones included.
    pub fn entry(&self, ns: &str, id: &str) -> Option<(&Arc<str>, &Arc<str>, &Entry)> {
        let (ns_key, space) = self.namespaces.get_key_value(ns)?;
        let (id_key, entry) = space.entries.get_key_value(id)?;
        Some((ns_key, id_key, entry))
    }

    /// Live objects of `ns` in id order, starting after `after`.
    pub fn list<'a>(
        &'a self,
        ns: &str,
        after: Option<&str>,
    ) -> impl Iterator<Item = ObjectRef<'a>> + 'a {
        let start = match after {
            Some(a) => Bound::Excluded(a),
            None => Bound::Unbounded,
        };
        self.range(ns, start)
    }

    /// Live objects of `ns` in id order from `start`.
    pub fn range<'a>(
        &'a self,
        ns: &str,
        start: Bound<&str>,
    ) -> impl Iterator<Item = ObjectRef<'a>> + 'a {
        let start: Bound<Arc<str>> = match start {
            Bound::Included(s) => Bound::Included(Arc::from(s)),
            Bound::Excluded(s) => Bound::Excluded(Arc::from(s)),
            Bound::Unbounded => Bound::Unbounded,
        };
        self.namespaces
            .get_key_value(ns)
            .into_iter()
            .flat_map(move |(ns_key, space)| {
                space
                    .entries
                    .range((start.clone(), Bound::Unbounded))
                    .filter_map(move |(id, e)| live_ref(ns_key, id, &e.current))
            })
    }

    /// Every live object, by namespace then id.
    pub fn iter(&self) -> impl Iterator<Item = ObjectRef<'_>> + '_ {
        self.namespaces.iter().flat_map(|(ns, space)| {
            space
                .entries
                .iter()
                .filter_map(move |(id, e)| live_ref(ns, id, &e.current))
        })
    }

    /// Every entry (with history and tombstones), by namespace then id.
    pub fn entries(&self) -> impl Iterator<Item = (&Arc<str>, &Arc<str>, &Entry)> + '_ {
        self.namespaces
            .iter()
            .flat_map(|(ns, space)| space.entries.iter().map(move |(id, e)| (ns, id, e)))
    }

    /// Puts an entry back as read from a snapshot.
    pub fn restore_entry(&mut self, ns: Arc<str>, id: Arc<str>, entry: Entry) {
        let ns = match self.namespaces.get_key_value(&ns) {
            Some((k, _)) => k.clone(),
            None => ns,
        };
        let space = self.namespaces.entry(ns.clone()).or_default();
        if let Some(d) = &entry.current.data {
            space.live += 1;
            space.bytes += data_bytes(&id, d);
            if let Some(at) = expires_at(entry.current.ts, d) {
                self.expiries.insert((at, ns, id.clone()));
            }
        }
        space.entries.insert(id, entry);
    }

    /// Live objects whose TTL ran out at `now`, soonest first, at most `limit`.
    pub fn expired(&self, now: i64, limit: usize) -> Vec<(Arc<str>, Arc<str>)> {
        self.expiries
            .iter()
            .take_while(|(at, _, _)| *at <= now)
            .take(limit)
            .map(|(_, ns, id)| (ns.clone(), id.clone()))
            .collect()
    }

    /// The TTL index, soonest first (tests compare it between states).
    #[cfg(test)]
    pub(crate) fn expiry_index(&self) -> Vec<(i64, Arc<str>, Arc<str>)> {
        self.expiries.iter().cloned().collect()
    }

    /// Counters of every namespace.
    pub fn namespaces(&self) -> Vec<NamespaceStats> {
        self.namespaces
            .iter()
            .map(|(ns, s)| NamespaceStats {
                ns: ns.to_string(),
                objects: s.live,
                bytes: s.bytes,
            })
            .collect()
    }

    /// Live objects in all namespaces.
    pub fn live_count(&self) -> u64 {
        self.namespaces.values().map(|s| s.live).sum()
    }

    /// Entries (live objects and tombstones kept for their history), counted in O(namespaces).
    pub fn entry_count(&self) -> usize {
        self.namespaces.values().map(|s| s.entries.len()).sum()
    }
}

fn live_ref<'a>(ns: &'a Arc<str>, id: &'a Arc<str>, v: &'a Version) -> Option<ObjectRef<'a>> {
    v.data.as_ref().map(|data| ObjectRef {
        ns,
        id,
        seq: v.seq,
        ts: v.ts,
        data,
    })
}

#[cfg(test)]
mod diff;
#[cfg(test)]
mod tests;
