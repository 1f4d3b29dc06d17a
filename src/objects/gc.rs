//! Garbage collection of objects not written for a while (`POST /admin/gc`): every namespace
//! (or one) keeps its newest `keep_last` objects whatever their age; older ones not written
//! since the cutoff are deleted, in batches, each only if the object is still at the version
//! judged old when its batch commits.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Invalid;
use super::error::Result;
use super::service::Objects;
use crate::store::{DeleteReason, ObjectOp, Op};

/// Objects deleted per commit.
const GC_BATCH: usize = 10_000;

/// The body of a garbage collection.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GcInput {
    /// Objects not written for this long go (e.g. "30d", "12h").
    #[schema(
        example = "30d",
        pattern = r"^\s*[0-9]+\s*[a-zA-Z]+(\s*[0-9]+\s*[a-zA-Z]+)*\s*$"
    )]
    pub older_than: String,
    /// Keep at least this many of the most recently written objects per namespace.
    #[serde(default)]
    pub keep_last: usize,
    /// Only this namespace.
    #[serde(default)]
    pub ns: Option<String>,
    /// Count only.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a garbage collection deleted.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GcOut {
    /// Objects deleted (or that would be).
    pub deleted: usize,
    /// Whether nothing was deleted.
    pub dry_run: bool,
}

impl Objects {
    /// Deletes the objects `input` selects (counts them only, with `dry_run`).
    ///
    /// # Errors
    /// An `older_than` that is not a duration; an engine failure.
    pub async fn gc(&self, input: GcInput) -> Result<GcOut> {
        let age = humantime::parse_duration(&input.older_than)
            .map_err(|e| Invalid(format!("older_than {:?}: {e}", input.older_than)))?;
        let engine = self.engine();
        let cutoff = engine.now_ms() - i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
        let view = engine.view();
        let mut doomed: Vec<(Arc<str>, Arc<str>, u64)> = Vec::new();
        for n in view.objects.namespaces() {
            if input.ns.as_deref().is_some_and(|want| want != n.ns) {
                continue;
            }
            let mut objs: Vec<_> = view
                .objects
                .list(&n.ns, None)
                .map(|o| (o.ns.clone(), o.id.clone(), o.seq, o.ts))
                .collect();
            // Newest first; the first `keep_last` always stay.
            objs.sort_by_key(|o| std::cmp::Reverse(o.2));
            doomed.extend(
                objs.into_iter()
                    .skip(input.keep_last)
                    .filter(|o| o.3 < cutoff)
                    .map(|o| (o.0, o.1, o.2)),
            );
        }
        let count = doomed.len();
        if !input.dry_run {
            for chunk in doomed.chunks(GC_BATCH) {
                let chunk = chunk.to_vec();
                engine
                    .transact(move |s| {
                        // Only objects still at the version judged old.
                        let ops = chunk
                            .into_iter()
                            .filter(|(ns, id, seq)| {
                                s.objects.get(ns, id).is_some_and(|o| o.seq == *seq)
                            })
                            .map(|(ns, id, _)| {
                                Op::Object(ObjectOp::Delete {
                                    ns,
                                    id,
                                    reason: DeleteReason::Deleted,
                                })
                            })
                            .collect();
                        Ok((ops, ()))
                    })
                    .await?;
            }
        }
        Ok(GcOut {
            deleted: count,
            dry_run: input.dry_run,
        })
    }
}
