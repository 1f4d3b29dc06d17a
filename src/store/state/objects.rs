//! The objects domain: namespaced JSON documents with a bounded per-object history, a TTL index
//! and per-namespace counters.

use std::ops::Bound;
use std::sync::Arc;

use imbl::{OrdMap, OrdSet};
use serde::{Deserialize, Serialize};

use super::HistoryPolicy;
use crate::store::command::{ObjectData, ObjectOp};

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

    fn versions(&self) -> Vec<Version> {
        self.history
            .as_ref()
            .map(|h| h.versions.clone())
            .unwrap_or_default()
    }

    fn pruned(&self) -> bool {
        self.history.as_ref().is_some_and(|h| h.pruned)
    }
}

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

fn data_bytes(id: &str, d: &ObjectData) -> u64 {
    let tags: usize = d.tags().iter().map(|(k, v)| k.len() + v.len()).sum();
    (id.len() + d.type_.len() + d.body.get().len() + tags) as u64
}

fn expires_at(ts: i64, d: &ObjectData) -> Option<i64> {
    d.ttl_seconds()
        .map(|ttl| ts.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX / 1000) * 1000))
}

impl ObjectState {
    /// Applies one op of the commit `seq` at time `ts`.
    pub fn apply(&mut self, seq: u64, ts: i64, op: &ObjectOp, policy: &HistoryPolicy) {
        let (ns, id, data) = match op {
            ObjectOp::Put { ns, id, data } => (ns, id, Some(data.clone())),
            ObjectOp::Delete { ns, id, .. } => (ns, id, None),
            ObjectOp::Remember { .. } => return, // state::idempotency's
        };
        let ns_key = match self.namespaces.get_key_value(ns) {
            Some((k, _)) => k.clone(),
            None => ns.clone(),
        };
        let space = self.namespaces.entry(ns_key.clone()).or_default();
        let new = Version { seq, ts, data };
        let old = space.entries.get(id).cloned();
        if let Some(old_data) = old.as_ref().and_then(|e| e.current.data.as_ref()) {
            space.live -= 1;
            space.bytes -= data_bytes(id, old_data);
            if let Some(at) = expires_at(old.as_ref().map_or(0, |e| e.current.ts), old_data) {
                self.expiries.remove(&(at, ns_key.clone(), id.clone()));
            }
        }
        if let Some(d) = &new.data {
            space.live += 1;
            space.bytes += data_bytes(id, d);
            if let Some(at) = expires_at(ts, d) {
                self.expiries.insert((at, ns_key.clone(), id.clone()));
            }
        }
        let entry = match old {
            None if new.data.is_none() => None,
            None => Some(Entry {
                current: new,
                history: None,
            }),
            Some(old) => {
                let mut history = old.versions();
                let pruned = old.pruned();
                history.push(old.current);
                let mut entry = Entry {
                    current: new,
                    history: None,
                };
                set_history(&mut entry, history, pruned, ts, policy);
                let has_history = entry
                    .history
                    .as_ref()
                    .is_some_and(|h| !h.versions.is_empty());
                (entry.current.data.is_some() || has_history).then_some(entry)
            }
        };
        match entry {
            Some(e) => {
                space.entries.insert(id.clone(), e);
            }
            None => {
                space.entries.remove(id);
            }
        }
        if space.entries.is_empty() {
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

/// Stores `history` (oldest first) in `entry`, bounded by count and by age at time `now`.
fn set_history(
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

#[cfg(test)]
mod tests;
