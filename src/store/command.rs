//! Typed commands (the only way state changes) and their compact, versioned log encoding.
//!
//! A commit is a [`Record`]: its `commit_seq`, its timestamp and one or more [`Op`]s applied
//! atomically. Ops are *resolved*: they carry everything needed to replay them (a put carries the
//! whole object), so recovery, restore and watchers read state changes from the log alone.
//!
//! Encoding of a record payload (inside a WAL frame):
//! `format u8 | commit_seq u64 LE | ts_ms i64 LE | postcard(Vec<Op>)`. With encryption at rest
//! the format is [`SEALED_RECORD_FORMAT`] and the ops are sealed (`crate::store::crypto`); the
//! 17-byte prefix is the same, so [`Record::peek`] reads both.
//! A new domain (workflow, flows) adds a variant at the *end* of [`Op`]: postcard tags enum
//! variants by index, so existing logs keep decoding and the WAL code never changes.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::store::data::{Body, ObjectData, Tags, intern_type};
use crate::store::intern::deserialize_ns;
use crate::store::tags::stored_enum;

/// Version of the record payload encoding.
pub const RECORD_FORMAT: u8 = 1;
/// Format byte of a record whose ops are sealed with AES-256-GCM (see `crate::store::crypto`).
pub const SEALED_RECORD_FORMAT: u8 = 2;
/// Bytes before the postcard-encoded ops.
pub const RECORD_HEADER_LEN: usize = 1 + 8 + 8;

/// One state change. Variants are append-only: postcard stores a variant as its position, so
/// the tags are `Object` 0, `Lease` 1, `Checkpoint` 2, `Workflow` 3, `Flow` 4, and a new domain comes
/// last (pinned by `tag_tests`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// The objects domain (namespaced JSON documents).
    Object(ObjectOp),
    /// Leases with fencing tokens.
    Lease(LeaseOp),
    /// Named checkpoints of objects.
    Checkpoint(CheckpointOp),
    /// Workflow graphs, runs and states.
    Workflow(crate::store::state::workflows::WorkflowOp),
    /// Flows of supervised workers.
    Flow(crate::store::state::flows::FlowOp),
}

/// Changes to named checkpoints of objects. Tags (append-only): `Create` 0, `Delete` 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CheckpointOp {
    /// Keeps a copy of an object's version under a name.
    Create {
        /// Namespace.
        ns: Arc<str>,
        /// Object id.
        id: Arc<str>,
        /// Checkpoint name, unique per object.
        name: Arc<str>,
        /// Free-form JSON from the client.
        metadata: Option<Body>,
        /// The commit that wrote the version kept.
        source_seq: u64,
        /// The version kept.
        data: Arc<ObjectData>,
    },
    /// Forgets checkpoints of an object.
    Delete {
        /// Namespace.
        ns: Arc<str>,
        /// Object id.
        id: Arc<str>,
        /// Names to forget.
        names: Vec<Arc<str>>,
    },
}

/// Changes to leases. Expiry times are computed from the commit's timestamp, so replay is
/// deterministic. Tags (append-only): `Acquire` 0, `Renew` 1, `Release` 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LeaseOp {
    /// `owner` takes `key`; the commit's seq becomes the lease's fencing token.
    Acquire {
        /// Namespace.
        ns: Arc<str>,
        /// Lease name.
        key: Arc<str>,
        /// Who holds it.
        owner: Arc<str>,
        /// Time to live (ms) from the commit.
        ttl_ms: u64,
    },
    /// The holder extends the lease (same token).
    Renew {
        /// Namespace.
        ns: Arc<str>,
        /// Lease name.
        key: Arc<str>,
        /// Time to live (ms) from the commit.
        ttl_ms: u64,
    },
    /// The holder gives the lease up.
    Release {
        /// Namespace.
        ns: Arc<str>,
        /// Lease name.
        key: Arc<str>,
    },
}

/// Changes to namespaced JSON objects. Tags (append-only): `Put` 0, `Delete` 1, `Remember` 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ObjectOp {
    /// Create or replace an object.
    Put {
        /// Namespace, e.g. `agent://demo`.
        #[serde(deserialize_with = "deserialize_ns")]
        ns: Arc<str>,
        /// Object id, unique within its namespace.
        id: Arc<str>,
        /// The object's content.
        data: Arc<ObjectData>,
    },
    /// Remove an object.
    Delete {
        /// Namespace.
        #[serde(deserialize_with = "deserialize_ns")]
        ns: Arc<str>,
        /// Object id.
        id: Arc<str>,
        /// Why it went away.
        reason: DeleteReason,
    },
    /// Remembers that the idempotent request `key` (with content hash `request`) was answered by
    /// this commit's put of `id`, so a retry gets the same answer.
    Remember {
        /// Namespace.
        #[serde(deserialize_with = "deserialize_ns")]
        ns: Arc<str>,
        /// The client's `Idempotency-Key`.
        key: Arc<str>,
        /// SHA-256 of the request.
        request: [u8; 32],
        /// The object written.
        id: Arc<str>,
        /// Its content as written.
        data: Arc<ObjectData>,
    },
}

stored_enum! {
    /// Why an object was removed. Tags are append-only (see [`crate::store::tags`]).
    pub enum DeleteReason {
        /// A client deleted it.
        Deleted = 0 as "deleted",
        /// Its TTL ran out (the maintenance task commits the expiry).
        Expired = 1 as "expired",
    }
}

/// One commit as stored in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The global commit sequence number.
    pub seq: u64,
    /// Commit time, milliseconds since the Unix epoch (never decreasing along the log).
    pub ts: i64,
    /// The operations, applied atomically.
    pub ops: Vec<Op>,
}

impl Record {
    /// Appends the payload encoding of a record to `out`.
    ///
    /// # Errors
    /// Only if an op cannot be serialized (not expected for well-formed ops).
    pub fn encode_into(seq: u64, ts: i64, ops: &[Op], out: &mut Vec<u8>) -> Result<(), String> {
        out.push(RECORD_FORMAT);
        out.extend_from_slice(&seq.to_le_bytes());
        out.extend_from_slice(&ts.to_le_bytes());
        postcard::to_io(ops, &mut *out).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Reads only the seq and timestamp of a payload, plaintext or sealed.
    ///
    /// # Errors
    /// When the payload is too short or has an unknown format version.
    pub fn peek(payload: &[u8]) -> Result<(u64, i64), String> {
        if payload.len() < RECORD_HEADER_LEN {
            return Err(format!("record of {} bytes is too short", payload.len()));
        }
        if !is_record_format(payload[0]) {
            return Err(format!("unknown record format {}", payload[0]));
        }
        let seq = u64::from_le_bytes(payload[1..9].try_into().unwrap_or_default());
        let ts = i64::from_le_bytes(payload[9..17].try_into().unwrap_or_default());
        Ok((seq, ts))
    }

    /// Decodes a plaintext payload (sealed ones go through `crate::store::crypto::record`).
    ///
    /// # Errors
    /// When the payload is malformed or sealed.
    pub fn decode(payload: &[u8]) -> Result<Record, String> {
        let (seq, ts) = Record::peek(payload)?;
        if payload[0] == SEALED_RECORD_FORMAT {
            return Err("the record is encrypted".into());
        }
        let ops = Record::decode_ops(&payload[RECORD_HEADER_LEN..])?;
        Ok(Record { seq, ts, ops })
    }

    /// Decodes the ops part of a payload (after the 17-byte prefix, or opened).
    ///
    /// # Errors
    /// When the bytes are malformed or hold no op.
    pub fn decode_ops(bytes: &[u8]) -> Result<Vec<Op>, String> {
        let ops: Vec<Op> = postcard::from_bytes(bytes).map_err(|e| e.to_string())?;
        if ops.is_empty() {
            return Err("record has no operations".into());
        }
        Ok(ops)
    }
}

/// Whether `b` is the format byte of a record payload (plaintext or sealed).
pub fn is_record_format(b: u8) -> bool {
    b == RECORD_FORMAT || b == SEALED_RECORD_FORMAT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(ns: &str, id: &str, body: &str) -> Op {
        Op::Object(ObjectOp::Put {
            ns: ns.into(),
            id: id.into(),
            data: Arc::new(
                ObjectData::new("note".into(), Body::from_json(body).unwrap())
                    .with_tags([("k".to_string(), "v".to_string())].into())
                    .with_ttl_seconds(Some(5))
                    .with_parents(vec!["p".into()]),
            ),
        })
    }

    #[test]
    fn record_round_trip() {
        let ops = vec![
            put("agent://a", "x", r#"{"a":[1,2,{"b":null}]}"#),
            Op::Object(ObjectOp::Delete {
                ns: "agent://a".into(),
                id: "y".into(),
                reason: DeleteReason::Expired,
            }),
        ];
        let mut buf = Vec::new();
        Record::encode_into(42, 1_700_000_000_123, &ops, &mut buf).unwrap();
        assert_eq!(Record::peek(&buf).unwrap(), (42, 1_700_000_000_123));
        let rec = Record::decode(&buf).unwrap();
        assert_eq!(rec.seq, 42);
        assert_eq!(rec.ops, ops);
    }

    #[test]
    fn body_serializes_verbatim_as_json() {
        let b = Body::from_json(r#"{"z":1,"a":2}"#).unwrap();
        assert_eq!(serde_json::to_string(&b).unwrap(), r#"{"z":1,"a":2}"#);
        assert!(Body::from_json("{not json").is_err());
    }

    #[test]
    fn decode_rejects_garbage() {
        assert!(Record::decode(&[]).is_err());
        assert!(Record::decode(&[9; 40]).is_err());
        let mut buf = Vec::new();
        Record::encode_into(1, 1, &[], &mut buf).unwrap();
        assert!(
            Record::decode(&buf).is_err(),
            "empty commits are not records"
        );
    }
}
