//! `admin dump`: the live objects at the latest or an earlier commit_seq, rebuilt read-only from
//! snapshots and the WAL (no lock taken, nothing written: safe while a server runs).

use crate::store::dir::DataDir;
use crate::store::error::Result;
use crate::store::recovery::{self, Base, Target};
use crate::store::state::{HistoryPolicy, ObjectRef, State};

/// Rebuilds the state at `at_seq` (or the latest) without modifying anything.
///
/// # Errors
/// Corruption, a seq the directory can no longer reproduce, I/O errors.
pub fn state_at(dir: &DataDir, at_seq: Option<u64>) -> Result<State> {
    dir.require_initialized()?;
    let target = at_seq.map_or(Target::Latest, Target::Seq);
    // History does not matter for a dump: keep none.
    let policy = HistoryPolicy {
        versions: 0,
        age_ms: 0,
    };
    Ok(recovery::recover(dir, Base::Newest, target, &policy, &mut |_| {})?.state)
}

/// The live objects of `state`, optionally of one namespace, in (ns, id) order (the CLI prints
/// them in the v1 API's shape, as the server's `/admin/dump` does).
pub fn objects<'a>(
    state: &'a State,
    ns: Option<&'a str>,
) -> Box<dyn Iterator<Item = ObjectRef<'a>> + 'a> {
    match ns {
        Some(ns) => Box::new(state.objects.list(ns, None)),
        None => Box::new(state.objects.iter()),
    }
}
