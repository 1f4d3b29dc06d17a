//! The objects domain: validation of namespaces, ids and object input, the JSON shape of an
//! object as clients see it (AgentState's), and the [`Objects`] service that holds the rules
//! of writes (conditional, fenced, idempotent), reads at a point in history, queries and the
//! garbage collection of old objects ([`Objects::gc`]).

mod error;
mod fence;
mod gc;
pub mod query;
mod service;

pub use error::{Error, Result};
pub use fence::Fence;
pub use gc::{GcInput, GcOut};
pub use service::{Conditions, HistoryOut, ListOut, Objects, VersionOut, Written};

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::state::ObjectRef;
use crate::store::{Body, ObjectData, Tags};

/// Longest namespace, id or tag key accepted (bytes).
pub const MAX_NAME_LEN: usize = 256;
/// Longest type name (bytes).
pub const MAX_TYPE_LEN: usize = 128;
/// Most tags on one object.
pub const MAX_TAGS: usize = 64;
/// Longest tag value (bytes).
pub const MAX_TAG_VALUE_LEN: usize = 1024;
/// Most parents of one object.
pub const MAX_PARENTS: usize = 64;

/// Input that fails validation; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn check_name(what: &str, s: &str, max: usize) -> Result<(), Invalid> {
    if s.is_empty() {
        return Err(Invalid(format!("{what} must not be empty")));
    }
    if s.len() > max {
        return Err(Invalid(format!(
            "{what} is {} bytes long; the limit is {max}",
            s.len()
        )));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(Invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(())
}

/// Checks a namespace (`agent://demo`, `team-a`, ...).
///
/// # Errors
/// Empty, too long, whitespace or control characters.
pub fn validate_ns(ns: &str) -> Result<(), Invalid> {
    check_name("namespace", ns, MAX_NAME_LEN)?;
    if ns.chars().any(char::is_whitespace) {
        return Err(Invalid("namespace must not contain whitespace".into()));
    }
    Ok(())
}

/// Checks an object id.
///
/// # Errors
/// Empty, too long, `/` or control characters.
pub fn validate_id(id: &str) -> Result<(), Invalid> {
    check_name("id", id, MAX_NAME_LEN)?;
    if id.contains('/') {
        return Err(Invalid("id must not contain '/'".into()));
    }
    Ok(())
}

/// The body of `POST /v1/{ns}/objects`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectInput {
    /// Type name.
    #[serde(rename = "type")]
    pub type_: String,
    /// Any JSON value; stored compact, with object keys sorted and the last of duplicate keys
    /// (what AgentState stores).
    #[schema(value_type = serde_json::Value)]
    pub body: Body,
    /// Tags.
    #[serde(default)]
    pub tags: Option<Tags>,
    /// Time to live in seconds.
    #[serde(default)]
    pub ttl_seconds: Option<u64>,
    /// Id; a ULID is generated when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Parent ids.
    #[serde(default)]
    pub parents: Option<Vec<String>>,
}

impl ObjectInput {
    /// SHA-256 of the request as it affects the result (namespace and every field), to tell a
    /// retry of an idempotent request from a different request reusing its key.
    pub fn fingerprint(&self, ns: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        let canonical = serde_json::json!([
            ns,
            self.type_,
            self.body.get(),
            self.tags,
            self.ttl_seconds,
            self.id,
            self.parents,
        ]);
        h.update(canonical.to_string().as_bytes());
        h.finalize().into()
    }

    /// Validates the input and turns it into the object to put; returns the id used (a new
    /// ULID when the input has none).
    ///
    /// # Errors
    /// The first invalid field.
    pub fn into_data(self, ns: &str) -> Result<(Arc<str>, Arc<ObjectData>), Invalid> {
        validate_ns(ns)?;
        let id = match self.id {
            Some(id) => {
                validate_id(&id)?;
                id
            }
            None => ulid::Ulid::generate().to_string(),
        };
        check_name("type", &self.type_, MAX_TYPE_LEN)?;
        let tags = self.tags.unwrap_or_default();
        if tags.len() > MAX_TAGS {
            return Err(Invalid(format!(
                "{} tags; the limit is {MAX_TAGS}",
                tags.len()
            )));
        }
        for (k, v) in &tags {
            check_name("tag key", k, MAX_NAME_LEN)?;
            if v.len() > MAX_TAG_VALUE_LEN {
                return Err(Invalid(format!(
                    "tag {k:?} value is longer than {MAX_TAG_VALUE_LEN} bytes"
                )));
            }
        }
        let parents = self.parents.unwrap_or_default();
        if parents.len() > MAX_PARENTS {
            return Err(Invalid(format!(
                "{} parents; the limit is {MAX_PARENTS}",
                parents.len()
            )));
        }
        for p in &parents {
            validate_id(p).map_err(|e| Invalid(format!("parent: {e}")))?;
        }
        if self.ttl_seconds == Some(0) {
            return Err(Invalid("ttl_seconds must be at least 1".into()));
        }
        let data = ObjectData::new(crate::store::command::intern_type(&self.type_), self.body)
            .with_tags(tags)
            .with_ttl_seconds(self.ttl_seconds)
            .with_parents(parents);
        Ok((id.into(), Arc::new(data)))
    }
}

/// An object as the v1 API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObjectOut {
    /// Id.
    pub id: String,
    /// Namespace.
    pub ns: String,
    /// Type.
    #[serde(rename = "type")]
    pub type_: String,
    /// JSON body as stored: compact, object keys sorted, no duplicate keys.
    #[schema(value_type = serde_json::Value)]
    pub body: Body,
    /// Tags.
    pub tags: Tags,
    /// TTL in seconds.
    pub ttl_seconds: Option<u64>,
    /// Parent ids.
    pub parents: Vec<String>,
    /// Content hash of this version (sha256 of ns, id, type, commit_seq and body; hex).
    pub commit: String,
    /// Commit time, RFC 3339.
    pub ts: String,
    /// The commit that wrote this version.
    pub commit_seq: u64,
}

impl ObjectOut {
    /// Builds the output shape of a stored object.
    pub fn new(ns: &str, id: &str, seq: u64, ts: i64, data: &ObjectData) -> Self {
        let mut h = Sha256::new();
        for part in [ns, id, &data.type_, &seq.to_string(), data.body.get()] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut commit = String::with_capacity(32);
        for b in &digest[..16] {
            commit.push(char::from(HEX[usize::from(b >> 4)]));
            commit.push(char::from(HEX[usize::from(b & 15)]));
        }
        ObjectOut {
            id: id.to_string(),
            ns: ns.to_string(),
            type_: data.type_.to_string(),
            body: data.body.clone(),
            tags: data.tags().clone(),
            ttl_seconds: data.ttl_seconds(),
            parents: data.parents().to_vec(),
            commit,
            ts: crate::time::format_ts(ts),
            commit_seq: seq,
        }
    }
}

impl From<ObjectRef<'_>> for ObjectOut {
    fn from(o: ObjectRef<'_>) -> Self {
        ObjectOut::new(o.ns, o.id, o.seq, o.ts, o.data)
    }
}

/// Checks an `Idempotency-Key`: 1 to 256 visible ASCII characters.
///
/// # Errors
/// Empty, too long or with other characters.
pub fn validate_idempotency_key(key: &str) -> Result<(), Invalid> {
    if key.is_empty() || key.len() > MAX_NAME_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Invalid(format!(
            "Idempotency-Key must be 1 to {MAX_NAME_LEN} visible ASCII characters"
        )));
    }
    Ok(())
}

/// Parses `k=v` tag arguments.
///
/// # Errors
/// An argument without `=`.
pub fn parse_tags(args: &[String]) -> Result<Tags, Invalid> {
    let mut tags = BTreeMap::new();
    for a in args {
        let (k, v) = a
            .split_once('=')
            .ok_or_else(|| Invalid(format!("tag {a:?} is not key=value")))?;
        tags.insert(k.to_string(), v.to_string());
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> Result<ObjectInput, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn validates_and_generates_ids() {
        let (id, _) = input(r#"{"type":"t","body":{"a":1}}"#)
            .unwrap()
            .into_data("agent://x")
            .unwrap();
        assert_eq!(id.len(), 26, "a ULID");
        assert!(
            input(r#"{"type":"t","body":1,"bogus":1}"#).is_err(),
            "unknown fields refused"
        );
        assert!(input(r#"{"body":1}"#).is_err(), "type required");
        let bad = |j: &str, ns: &str| input(j).unwrap().into_data(ns).unwrap_err().0;
        assert!(bad(r#"{"type":"t","body":1}"#, "").contains("namespace"));
        assert!(bad(r#"{"type":"t","body":1,"id":"a/b"}"#, "n").contains("'/'"));
        assert!(bad(r#"{"type":"","body":1}"#, "n").contains("type"));
        let long = format!(r#"{{"type":"t","body":1,"id":"{}"}}"#, "x".repeat(300));
        assert!(bad(&long, "n").contains("limit"));
        assert!(bad(r#"{"type":"t","body":1,"ttl_seconds":0}"#, "n").contains("ttl"));
    }

    #[test]
    fn output_shape() {
        let (_, data) = input(r#"{"type":"t","body":{"a":1},"id":"x","tags":{"k":"v"}}"#)
            .unwrap()
            .into_data("n")
            .unwrap();
        let out = ObjectOut::new("n", "x", 7, 0, &data);
        let v: serde_json::Value = serde_json::to_value(&out).unwrap();
        assert_eq!(v["type"], "t");
        assert_eq!(v["body"]["a"], 1);
        assert_eq!(v["commit_seq"], 7);
        assert_eq!(v["ts"], "1970-01-01T00:00:00.000Z");
        assert_eq!(v["commit"].as_str().unwrap().len(), 32);
    }
}
