//! Named checkpoints of objects: a copy of one version under a name, kept until deleted (the
//! object itself may change or go away meanwhile).

use std::sync::Arc;

use imbl::OrdMap;
use serde::{Deserialize, Serialize};

use crate::store::command::{Body, CheckpointOp, ObjectData};

/// One checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Its name.
    pub name: Arc<str>,
    /// The commit that created it.
    pub seq: u64,
    /// Its time (ms since the epoch).
    pub ts: i64,
    /// The commit that wrote the version kept.
    pub source_seq: u64,
    /// Client metadata.
    pub metadata: Option<Body>,
    /// The version kept.
    pub data: Arc<ObjectData>,
}

/// `(namespace, object id)`.
type ObjectKey = (Arc<str>, Arc<str>);

/// Checkpoints by `(ns, id)`, oldest first.
#[derive(Debug, Clone, Default)]
pub struct CheckpointState {
    by_object: OrdMap<ObjectKey, Arc<Vec<Checkpoint>>>,
}

impl CheckpointState {
    /// Applies one op of the commit `seq` at time `ts`.
    pub fn apply(&mut self, seq: u64, ts: i64, op: &CheckpointOp) {
        match op {
            CheckpointOp::Create {
                ns,
                id,
                name,
                metadata,
                source_seq,
                data,
            } => {
                let key = (ns.clone(), id.clone());
                let mut list: Vec<Checkpoint> = self
                    .by_object
                    .get(&key)
                    .map(|l| l.as_ref().clone())
                    .unwrap_or_default();
                list.retain(|c| c.name != *name);
                list.push(Checkpoint {
                    name: name.clone(),
                    seq,
                    ts,
                    source_seq: *source_seq,
                    metadata: metadata.clone(),
                    data: data.clone(),
                });
                self.by_object.insert(key, Arc::new(list));
            }
            CheckpointOp::Delete { ns, id, names } => {
                let key = (ns.clone(), id.clone());
                if let Some(list) = self.by_object.get(&key) {
                    let left: Vec<Checkpoint> = list
                        .iter()
                        .filter(|c| !names.contains(&c.name))
                        .cloned()
                        .collect();
                    if left.is_empty() {
                        self.by_object.remove(&key);
                    } else {
                        self.by_object.insert(key, Arc::new(left));
                    }
                }
            }
        }
    }

    /// The checkpoints of `ns/id`, oldest first.
    pub fn list(&self, ns: &str, id: &str) -> &[Checkpoint] {
        self.by_object
            .get(&(Arc::from(ns), Arc::from(id)))
            .map_or(&[], |l| l.as_slice())
    }

    /// The checkpoint `name` of `ns/id`.
    pub fn get(&self, ns: &str, id: &str, name: &str) -> Option<&Checkpoint> {
        self.list(ns, id).iter().find(|c| &*c.name == name)
    }

    /// Checkpoints per namespace.
    pub fn count_in(&self, ns: &str) -> u64 {
        self.by_object
            .iter()
            .filter(|((n, _), _)| &**n == ns)
            .map(|(_, l)| l.len() as u64)
            .sum()
    }

    /// Puts an object's checkpoints back as read from a snapshot.
    pub fn restore(&mut self, ns: Arc<str>, id: Arc<str>, list: Vec<Checkpoint>) {
        self.by_object.insert((ns, id), Arc::new(list));
    }

    /// Number of objects with checkpoints (O(1)).
    pub fn len(&self) -> usize {
        self.by_object.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_object.is_empty()
    }

    /// Every object's checkpoints.
    pub fn iter(&self) -> impl Iterator<Item = (&ObjectKey, &Arc<Vec<Checkpoint>>)> {
        self.by_object.iter()
    }
}

#[cfg(test)]
impl CheckpointState {
    /// Compares with `got` field by field (see `crate::store::state::diff`).
    pub(crate) fn diff(&self, got: &Self, d: &mut super::diff::Diff) {
        let CheckpointState { by_object } = self;
        let CheckpointState {
            by_object: got_by_object,
        } = got;
        d.map("checkpoints.by_object", by_object, got_by_object);
    }
}
