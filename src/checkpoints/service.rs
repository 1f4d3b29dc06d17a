//! The checkpoint rules over the engine seam: a name is unique per object; creating one needs
//! the object; restoring one writes its version back as a new commit of the object; pruning
//! keeps the newest N. Each write is one transaction that checks against the state it
//! commits on.

use std::sync::Arc;

use super::{CheckpointOut, CreateInput, PruneOut};
use crate::objects::{Error, Invalid, ObjectOut, Result, validate_id, validate_ns};
use crate::store::state::checkpoints::Checkpoint;
use crate::store::{CheckpointOp, Engine, ObjectOp, Op, Rejection};

/// The checkpoints domain over an engine.
#[derive(Debug, Clone)]
pub struct Checkpoints {
    engine: Engine,
}

/// Checks `ns`, `id` and, if given, a checkpoint name (an id's rules).
fn check(ns: &str, id: &str, name: Option<&str>) -> Result<(), Invalid> {
    validate_ns(ns)?;
    validate_id(id)?;
    if let Some(name) = name {
        validate_id(name).map_err(|e| Invalid(format!("checkpoint name: {e}")))?;
    }
    Ok(())
}

impl Checkpoints {
    /// The checkpoints domain over `engine`.
    pub fn new(engine: Engine) -> Self {
        Checkpoints { engine }
    }

    /// Keeps the current version of `ns/id` under `input.name`.
    ///
    /// # Errors
    /// Invalid names; the object is missing; the name exists; an engine failure.
    pub async fn create(&self, ns: &str, id: &str, input: CreateInput) -> Result<CheckpointOut> {
        check(ns, id, Some(&input.name))?;
        let (ns2, id2, name) = (ns.to_string(), id.to_string(), input.name);
        let (metadata, kept_metadata) = (input.metadata.clone(), input.metadata);
        let (info, (name, source_seq, data)) = self
            .engine
            .commit(move |s| {
                let Some(o) = s.objects.get(&ns2, &id2) else {
                    return Err(Rejection::NotFound { ns: ns2, id: id2 });
                };
                if s.checkpoints.get(&ns2, &id2, &name).is_some() {
                    return Err(Rejection::Conflict(format!(
                        "checkpoint {name:?} of {ns2}/{id2} exists"
                    )));
                }
                let name: Arc<str> = name.into();
                let (source_seq, data) = (o.seq, o.data.clone());
                let op = Op::Checkpoint(CheckpointOp::Create {
                    ns: ns2.as_str().into(),
                    id: id2.as_str().into(),
                    name: name.clone(),
                    metadata,
                    source_seq,
                    data: data.clone(),
                });
                Ok((vec![op], (name, source_seq, data)))
            })
            .await?;
        let c = Checkpoint {
            name,
            seq: info.seq,
            ts: info.ts,
            source_seq,
            metadata: kept_metadata,
            data,
        };
        Ok(CheckpointOut::new(ns, id, &c))
    }

    /// The checkpoints of `ns/id`, newest first.
    ///
    /// # Errors
    /// Invalid names.
    pub fn list(&self, ns: &str, id: &str) -> Result<Vec<CheckpointOut>> {
        check(ns, id, None)?;
        let view = self.engine.view();
        Ok(view
            .checkpoints
            .list(ns, id)
            .iter()
            .rev()
            .map(|c| CheckpointOut::new(ns, id, c))
            .collect())
    }

    /// Writes the checkpoint `name` of `ns/id` back as the object's new version.
    ///
    /// # Errors
    /// Invalid names; no such checkpoint; an engine failure.
    pub async fn restore(&self, ns: &str, id: &str, name: &str) -> Result<ObjectOut> {
        check(ns, id, Some(name))?;
        if self.engine.view().checkpoints.get(ns, id, name).is_none() {
            return Err(Error::NotFound(format!(
                "no checkpoint {name:?} of {ns}/{id}"
            )));
        }
        let (ns2, id2, name) = (ns.to_string(), id.to_string(), name.to_string());
        let (info, data) = self
            .engine
            .commit(move |s| {
                let Some(c) = s.checkpoints.get(&ns2, &id2, &name) else {
                    return Err(Rejection::NotFound {
                        ns: ns2,
                        id: format!("{id2} checkpoint {name}"),
                    });
                };
                let data = c.data.clone();
                let op = Op::Object(ObjectOp::Put {
                    ns: ns2.as_str().into(),
                    id: id2.as_str().into(),
                    data: data.clone(),
                });
                Ok((vec![op], data))
            })
            .await?;
        Ok(ObjectOut::new(ns, id, info.seq, info.ts, &data))
    }

    /// Deletes the checkpoint `name` of `ns/id`.
    ///
    /// # Errors
    /// Invalid names; no such checkpoint; an engine failure.
    pub async fn delete(&self, ns: &str, id: &str, name: &str) -> Result<()> {
        check(ns, id, Some(name))?;
        let (ns, id, name) = (ns.to_string(), id.to_string(), name.to_string());
        self.engine
            .commit(move |s| {
                if s.checkpoints.get(&ns, &id, &name).is_none() {
                    return Err(Rejection::NotFound {
                        ns,
                        id: format!("{id} checkpoint {name}"),
                    });
                }
                let op = Op::Checkpoint(CheckpointOp::Delete {
                    ns: ns.into(),
                    id: id.into(),
                    names: vec![name.into()],
                });
                Ok((vec![op], ()))
            })
            .await?;
        Ok(())
    }

    /// Deletes all but the newest `keep_last` checkpoints of `ns/id`.
    ///
    /// # Errors
    /// Invalid names; an engine failure.
    pub async fn prune(&self, ns: &str, id: &str, keep_last: usize) -> Result<PruneOut> {
        check(ns, id, None)?;
        let (ns, id) = (ns.to_string(), id.to_string());
        let (_, deleted) = self
            .engine
            .transact(move |s| {
                let list = s.checkpoints.list(&ns, &id);
                let doomed: Vec<Arc<str>> = list[..list.len().saturating_sub(keep_last)]
                    .iter()
                    .map(|c| c.name.clone())
                    .collect();
                let names = doomed.iter().map(|n| n.to_string()).collect();
                if doomed.is_empty() {
                    return Ok((Vec::new(), names));
                }
                let op = Op::Checkpoint(CheckpointOp::Delete {
                    ns: ns.into(),
                    id: id.into(),
                    names: doomed,
                });
                Ok((vec![op], names))
            })
            .await?;
        Ok(PruneOut {
            deleted,
            kept: keep_last,
        })
    }
}
