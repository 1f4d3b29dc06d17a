//! `admin dump`: the live objects at the latest or an earlier commit_seq, rebuilt read-only from
//! snapshots and the WAL (no lock taken, nothing written: safe while a server runs).

use serde::Serialize;

use crate::store::command::{Body, Tags};
use crate::store::dir::DataDir;
use crate::store::error::Result;
use crate::store::recovery::{self, Base, Target};
use crate::store::state::{HistoryPolicy, ObjectRef, State};

/// One object as dumped (stable field names: scripts read them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DumpedObject {
    /// Namespace.
    pub ns: String,
    /// Id.
    pub id: String,
    /// Type.
    #[serde(rename = "type")]
    pub type_: String,
    /// JSON body as stored.
    pub body: Body,
    /// Tags.
    pub tags: Tags,
    /// TTL in seconds, if any.
    pub ttl_seconds: Option<u64>,
    /// Parent ids.
    pub parents: Vec<String>,
    /// The commit that wrote this version.
    pub commit_seq: u64,
    /// Its time, RFC 3339.
    pub ts: String,
}

impl From<ObjectRef<'_>> for DumpedObject {
    fn from(o: ObjectRef<'_>) -> Self {
        DumpedObject {
            ns: o.ns.to_string(),
            id: o.id.to_string(),
            type_: o.data.type_.to_string(),
            body: o.data.body.clone(),
            tags: o.data.tags().clone(),
            ttl_seconds: o.data.ttl_seconds(),
            parents: o.data.parents().to_vec(),
            commit_seq: o.seq,
            ts: format_ts(o.ts),
        }
    }
}

/// Formats ms since the epoch as RFC 3339 with milliseconds.
pub fn format_ts(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Rebuilds the state at `at_seq` (or the latest) without modifying anything.
///
/// # Errors
/// Corruption, a seq the directory can no longer reproduce, I/O errors.
pub fn state_at(dir: &DataDir, at_seq: Option<u64>) -> Result<State> {
    dir.require_exists()?;
    let target = at_seq.map_or(Target::Latest, Target::Seq);
    // History does not matter for a dump: keep none.
    let policy = HistoryPolicy {
        versions: 0,
        age_ms: 0,
    };
    Ok(recovery::recover(dir, Base::Newest, target, &policy, &mut |_| {})?.state)
}

/// The live objects of `state`, optionally of one namespace, in (ns, id) order.
pub fn objects<'a>(
    state: &'a State,
    ns: Option<&'a str>,
) -> Box<dyn Iterator<Item = DumpedObject> + 'a> {
    match ns {
        Some(ns) => Box::new(state.objects.list(ns, None).map(DumpedObject::from)),
        None => Box::new(state.objects.iter().map(DumpedObject::from)),
    }
}
