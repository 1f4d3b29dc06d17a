//! The checkpoints domain (MARS sessions): named copies of an object's version, kept until
//! deleted whatever happens to the object; restored as a new commit of the object (so
//! watchers see it); pruned to the newest N.
//!
//! [`Checkpoints`] holds the rules; [`CreateInput`], [`CheckpointOut`] and [`PruneOut`] are the
//! wire shapes of `/v1/{ns}/objects/{id}/checkpoints`.

mod service;

use serde::{Deserialize, Serialize};

use crate::objects::ObjectOut;
use crate::store::Body;
use crate::store::state::checkpoints::Checkpoint;
use crate::time::format_ts;

pub use service::Checkpoints;

/// The body of a checkpoint creation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInput {
    /// Unique among the object's checkpoints; at most 256 bytes, no `/`.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^/\x00-\x1f\x7f-\x9f]+$"
    )]
    pub name: String,
    /// Any JSON, kept with the checkpoint.
    #[serde(default)]
    #[schema(value_type = Option<serde_json::Value>)]
    pub metadata: Option<Body>,
}

/// A checkpoint as the API shows it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckpointOut {
    /// Name.
    pub name: String,
    /// Namespace.
    pub ns: String,
    /// Object id.
    pub id: String,
    /// The commit that created the checkpoint.
    pub commit_seq: u64,
    /// When, RFC 3339.
    pub created_at: String,
    /// The commit that wrote the version kept.
    pub source_seq: u64,
    /// Client metadata.
    #[schema(value_type = Option<serde_json::Value>)]
    pub metadata: Option<Body>,
    /// The version kept.
    pub object: ObjectOut,
}

impl CheckpointOut {
    /// The answer shape of the checkpoint `c` of `ns/id`.
    pub fn new(ns: &str, id: &str, c: &Checkpoint) -> Self {
        CheckpointOut {
            name: c.name.to_string(),
            ns: ns.to_string(),
            id: id.to_string(),
            commit_seq: c.seq,
            created_at: format_ts(c.ts),
            source_seq: c.source_seq,
            metadata: c.metadata.clone(),
            object: ObjectOut::new(ns, id, c.source_seq, c.ts, &c.data),
        }
    }
}

/// The result of a prune.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PruneOut {
    /// Names deleted.
    pub deleted: Vec<String>,
    /// The `keep_last` asked for.
    pub kept: usize,
}
