//! The objects domain over the engine seam: upsert (conditional on `If-Match`, fenced by a
//! lease, idempotent by key), read now or at a commit or time within the history window,
//! delete, list, query and an object's history. Each write is one engine transaction that
//! checks its conditions against the state it commits on; answers are built from the
//! transaction's value and commit, off the commit thread.

use std::ops::Bound;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::fence::Fence;
use super::query::{self, Page, QueryInput};
use super::{ObjectInput, ObjectOut, validate_id, validate_idempotency_key, validate_ns};
use crate::store::state::idempotency::Remembered;
use crate::store::{CommitInfo, DeleteReason, Engine, ObjectOp, Op, Rejection};
use crate::time::{format_ts, parse_ts};

/// The objects domain over an engine.
#[derive(Debug, Clone)]
pub struct Objects {
    engine: Engine,
}

/// What a write is conditional on.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// The object's current commit_seq must be this (`0`: the object must not exist).
    pub if_match: Option<u64>,
    /// A lease the writer must hold.
    pub fence: Option<Fence>,
    /// A retry with the same key and request gets the first answer again.
    pub idempotency_key: Option<String>,
}

/// The answer of an upsert.
#[derive(Debug, Clone)]
pub struct Written {
    /// The object as stored.
    pub object: ObjectOut,
    /// Whether this is the remembered answer of an earlier request with the same key.
    pub replayed: bool,
}

/// One page of objects.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListOut {
    /// Objects in id order.
    pub objects: Vec<ObjectOut>,
    /// The `after` of the next page, if there may be more.
    pub next_cursor: Option<String>,
}

/// One version in an object's history.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionOut {
    /// The commit that wrote it.
    pub commit_seq: u64,
    /// Its time, RFC 3339.
    pub ts: String,
    /// `put` or `delete`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The object as it was (absent for a delete).
    pub object: Option<ObjectOut>,
}

/// An object's history.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryOut {
    /// Namespace.
    pub ns: String,
    /// Object id.
    pub id: String,
    /// Versions, newest first.
    pub versions: Vec<VersionOut>,
    /// Whether older versions were dropped (the history window is bounded).
    pub older_versions_dropped: bool,
}

/// What an upsert's transaction decided.
enum Upsert {
    /// The put (and the remembered answer) were committed.
    Written,
    /// A concurrent request with the same key committed first: its answer.
    Replay(Remembered),
}

impl Objects {
    /// The objects domain over `engine`.
    pub fn new(engine: Engine) -> Self {
        Objects { engine }
    }

    /// Creates or replaces an object of `ns`.
    ///
    /// # Errors
    /// Invalid input or key; [`Error::IdempotencyConflict`]; a stale fence (conflict), an
    /// `If-Match` that does not match (seq mismatch); an engine failure.
    pub async fn put(&self, ns: &str, input: ObjectInput, cond: Conditions) -> Result<Written> {
        let now = self.engine.now_ms();
        let idem = match cond.idempotency_key {
            Some(key) => {
                validate_idempotency_key(&key)?;
                let fingerprint = input.fingerprint(ns);
                Some((key, fingerprint))
            }
            None => None,
        };
        // A retry of a request already answered: the same answer, no new commit.
        if let Some((key, fp)) = &idem
            && let Some(r) = self.engine.view().idempotency.get(ns, key)
        {
            return replay(ns, r, fp);
        }
        let (id, data) = input.into_data(ns)?;
        let fingerprint = idem.as_ref().map(|(_, fp)| *fp);
        let (ns_arc, id_arc, put_data) = (Arc::<str>::from(ns), id.clone(), data.clone());
        let (fence, expected) = (cond.fence, cond.if_match);
        let (info, decided) = self
            .engine
            .transact(move |state| {
                if let Some(f) = &fence {
                    f.check(state, &ns_arc, now)?;
                }
                if let Some(expected) = expected {
                    let actual = state.objects.get(&ns_arc, &id_arc).map_or(0, |o| o.seq);
                    if actual != expected {
                        return Err(Rejection::SeqMismatch {
                            ns: ns_arc.to_string(),
                            id: id_arc.to_string(),
                            expected,
                            actual,
                        });
                    }
                }
                let mut ops = vec![Op::Object(ObjectOp::Put {
                    ns: ns_arc.clone(),
                    id: id_arc.clone(),
                    data: put_data.clone(),
                })];
                if let Some((key, request)) = idem {
                    if let Some(r) = state.idempotency.get(&ns_arc, &key) {
                        return Ok((Vec::new(), Upsert::Replay(r.clone())));
                    }
                    ops.push(Op::Object(ObjectOp::Remember {
                        ns: ns_arc,
                        key: key.into(),
                        request,
                        id: id_arc,
                        data: put_data,
                    }));
                }
                Ok((ops, Upsert::Written))
            })
            .await?;
        match (info, decided, fingerprint) {
            (Some(info), Upsert::Written, _) => Ok(Written {
                object: ObjectOut::new(ns, &id, info.seq, info.ts, &data),
                replayed: false,
            }),
            (None, Upsert::Replay(r), Some(fp)) => replay(ns, &r, &fp),
            _ => Err(Rejection::Unchanged.into()),
        }
    }

    /// The object `ns/id` now, or as it was at commit `at_seq` or at the RFC 3339 time `at`
    /// (one of them) within the history window.
    ///
    /// # Errors
    /// Invalid names or point; [`Error::NotFound`]; [`Error::HistoryUnavailable`] before the
    /// window.
    pub fn get(
        &self,
        ns: &str,
        id: &str,
        at_seq: Option<u64>,
        at: Option<&str>,
    ) -> Result<ObjectOut> {
        validate_ns(ns)?;
        validate_id(id)?;
        let view = self.engine.view();
        let not_found = || Error::NotFound("object not found".into());
        let (ns_key, id_key, entry) = view.objects.entry(ns, id).ok_or_else(not_found)?;
        let version = match (at_seq, at) {
            (Some(_), Some(_)) => return Err(invalid("give at or at_seq, not both")),
            (Some(seq), None) => entry.at_seq(seq),
            (None, Some(at)) => {
                let t = parse_ts(at)
                    .map_err(|e| invalid(format!("at={at:?} is not an RFC 3339 time: {e}")))?;
                entry.at_time(t)
            }
            (None, None) => Ok(Some(&entry.current)),
        }
        .map_err(|e| Error::HistoryUnavailable(e.to_string()))?;
        let v = version.ok_or_else(not_found)?;
        let data = v.data.as_ref().ok_or_else(not_found)?;
        Ok(ObjectOut::new(ns_key, id_key, v.seq, v.ts, data))
    }

    /// Deletes `ns/id` (conditions as for [`Objects::put`], without the idempotency key).
    ///
    /// # Errors
    /// Invalid names; not found; a stale fence; an `If-Match` that does not match; an engine
    /// failure.
    pub async fn delete(&self, ns: &str, id: &str, cond: Conditions) -> Result<CommitInfo> {
        validate_ns(ns)?;
        validate_id(id)?;
        let now = self.engine.now_ms();
        let (ns, id) = (ns.to_string(), id.to_string());
        let (fence, expected) = (cond.fence, cond.if_match);
        let (info, ()) = self
            .engine
            .commit(move |state| {
                if let Some(f) = &fence {
                    f.check(state, &ns, now)?;
                }
                let actual = state.objects.get(&ns, &id).map(|o| o.seq);
                let Some(actual) = actual else {
                    return Err(Rejection::NotFound { ns, id });
                };
                if let Some(expected) = expected.filter(|e| *e != actual) {
                    return Err(Rejection::SeqMismatch {
                        ns,
                        id,
                        expected,
                        actual,
                    });
                }
                let op = Op::Object(ObjectOp::Delete {
                    ns: ns.into(),
                    id: id.into(),
                    reason: DeleteReason::Deleted,
                });
                Ok((vec![op], ()))
            })
            .await?;
        Ok(info)
    }

    /// One page of `ns`'s objects in id order: ids starting with `prefix`, after `after`, at
    /// most `limit` (default [`query::DEFAULT_LIMIT`]).
    ///
    /// # Errors
    /// An invalid namespace or limit.
    pub fn list(
        &self,
        ns: &str,
        prefix: Option<&str>,
        limit: Option<usize>,
        after: Option<&str>,
    ) -> Result<ListOut> {
        validate_ns(ns)?;
        let limit = limit.unwrap_or(query::DEFAULT_LIMIT);
        if limit == 0 || limit > query::MAX_LIMIT {
            return Err(invalid(format!(
                "limit must be between 1 and {}",
                query::MAX_LIMIT
            )));
        }
        let view = self.engine.view();
        let prefix = prefix.unwrap_or_default();
        // Start at the prefix, or after the cursor when that is later.
        let start = match after {
            Some(a) if a >= prefix => Bound::Excluded(a),
            _ => Bound::Included(prefix),
        };
        let mut objects = Vec::new();
        let mut next_cursor = None;
        for o in view.objects.range(ns, start) {
            if !o.id.starts_with(prefix) {
                break;
            }
            if objects.len() == limit {
                next_cursor = objects.last().map(|x: &ObjectOut| x.id.clone());
                break;
            }
            objects.push(ObjectOut::from(o));
        }
        Ok(ListOut {
            objects,
            next_cursor,
        })
    }

    /// The objects of `ns` matching `q` (tags, JSON-path equality), one page in id order.
    ///
    /// # Errors
    /// An invalid namespace or query.
    pub fn query(&self, ns: &str, q: &QueryInput) -> Result<Page> {
        validate_ns(ns)?;
        let view = self.engine.view();
        Ok(query::run(&view, ns, q)?)
    }

    /// The versions of `ns/id` within the history window, newest first, at most `limit`.
    ///
    /// # Errors
    /// Invalid names; [`Error::NotFound`].
    pub fn history(&self, ns: &str, id: &str, limit: Option<usize>) -> Result<HistoryOut> {
        validate_ns(ns)?;
        validate_id(id)?;
        let view = self.engine.view();
        let (_, _, entry) = view
            .objects
            .entry(ns, id)
            .ok_or_else(|| Error::NotFound("object not found".into()))?;
        let older = entry
            .history
            .as_ref()
            .map(|h| h.versions.as_slice())
            .unwrap_or(&[]);
        let versions: Vec<VersionOut> = std::iter::once(&entry.current)
            .chain(older.iter().rev())
            .take(limit.unwrap_or(usize::MAX))
            .map(|v| VersionOut {
                commit_seq: v.seq,
                ts: format_ts(v.ts),
                kind: if v.data.is_some() { "put" } else { "delete" }.into(),
                object: v
                    .data
                    .as_ref()
                    .map(|d| ObjectOut::new(ns, id, v.seq, v.ts, d)),
            })
            .collect();
        Ok(HistoryOut {
            ns: ns.to_string(),
            id: id.to_string(),
            versions,
            older_versions_dropped: entry.history.as_ref().is_some_and(|h| h.pruned),
        })
    }

    /// The engine this domain commits to (the garbage collection's batches, in `gc`).
    pub(super) fn engine(&self) -> &Engine {
        &self.engine
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::Invalid(super::Invalid(message.into()))
}

/// The remembered answer of an idempotent request, or a conflict if the key came with another
/// request.
fn replay(ns: &str, r: &Remembered, fingerprint: &[u8; 32]) -> Result<Written> {
    if &r.request != fingerprint {
        return Err(Error::IdempotencyConflict);
    }
    Ok(Written {
        object: ObjectOut::new(ns, &r.id, r.seq, r.ts, &r.data),
        replayed: true,
    })
}
