//! Where a server on PostgreSQL starts from: the newest snapshot stored in the database (if
//! any), fetched into the server's directory, checked and loaded, then the log after it.
//! A trim that passes the snapshot while the server reads (a newer snapshot was stored
//! meanwhile) makes it start over from the newer one.

use postgres::Client;

use super::{log, snap};
use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::log::Tail;
use crate::store::snapshot::{self, SnapshotMeta};
use crate::store::state::{HistoryPolicy, State};

/// Attempts before a server that keeps losing the race with trims gives up.
const ATTEMPTS: usize = 5;

/// A state at the log's head as of the read.
pub struct Booted {
    /// The state.
    pub state: State,
    /// The snapshot it started from.
    pub snapshot: Option<SnapshotMeta>,
    /// Commits replayed from `stmgr_log` after it.
    pub replayed: u64,
    /// Their frame bytes.
    pub replayed_bytes: u64,
    /// The seq the next commit gets: above `state.seq + 1` after an install whose state is
    /// older than the log's head was ([`super::install`]).
    pub next_seq: u64,
}

/// The log's floor (`compact_seq`).
///
/// # Errors
/// The database cannot be read.
pub fn compact_seq(client: &mut Client) -> Result<u64> {
    let row = client
        .query_one("SELECT compact_seq FROM stmgr_meta WHERE id = 1", &[])
        .map_err(|e| super::backend("read stmgr_meta", &e))?;
    Ok(row.get::<_, i64>(0) as u64)
}

/// Loads the newest stored snapshot (none: an empty state at 0).
///
/// # Errors
/// As [`snap::fetch`] and [`snapshot::load_snapshot`].
pub fn load_newest(client: &mut Client, dir: &DataDir) -> Result<(State, Option<SnapshotMeta>)> {
    let Some(stored) = snap::newest(client)? else {
        return Ok((State::default(), None));
    };
    let snaps = dir.snapshots();
    std::fs::create_dir_all(&snaps).map_err(|e| StoreError::io("create directory", &snaps, e))?;
    // The `.tmp-` prefix: a crash leaves a file the next open of the directory removes.
    let tmp = snaps.join(format!(".tmp-fetch-{}", stored.id));
    let res =
        snap::fetch(client, &stored, &tmp).and_then(|()| snapshot::load_snapshot(&tmp, dir.keys()));
    let _ = std::fs::remove_file(&tmp);
    let (state, mut meta) = res?;
    // The header's id comes from the file's name: the stored one's, not the scratch file's.
    meta.id = stored.id;
    Ok((state, Some(meta)))
}

/// The newest stored snapshot, the log after it up to the head, and the log's floor as of the
/// read (the commits above it are all in the log).
pub type Fresh = (State, Option<SnapshotMeta>, Tail, u64);

/// The newest snapshot and the log after it (not applied): what a server starts from, and
/// what a running server the log was trimmed past starts over from.
///
/// # Errors
/// The database cannot be read, the snapshot or a log row does not decode, or the log is
/// trimmed past every stored snapshot.
pub fn reload(client: &mut Client, dir: &DataDir) -> Result<Fresh> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (state, snapshot) = load_newest(client, dir)?;
        let after = snapshot
            .as_ref()
            .map_or(0, |m| m.next_seq.saturating_sub(1))
            .max(state.seq);
        match log::read_tail(client, dir.keys(), after) {
            Ok(tail) => {
                let floor = compact_seq(client)?;
                return Ok((state, snapshot, tail, floor));
            }
            // Trimmed past the snapshot just read: a newer one was stored; start over.
            Err(StoreError::LogTrimmed { .. }) if attempt < ATTEMPTS => {}
            Err(e) => return Err(e),
        }
    }
}

/// The state at the log's head: the newest snapshot plus the log after it.
///
/// # Errors
/// As [`reload`].
pub fn load(client: &mut Client, dir: &DataDir, policy: &HistoryPolicy) -> Result<Booted> {
    let (mut state, snapshot, tail, _) = reload(client, dir)?;
    let after = snapshot
        .as_ref()
        .map_or(0, |m| m.next_seq.saturating_sub(1))
        .max(state.seq);
    let next_seq = tail.last().map_or(after, |(r, _)| r.seq) + 1;
    let replayed = tail.len() as u64;
    let replayed_bytes = tail.iter().map(|(_, n)| *n as u64).sum();
    for (record, _) in tail {
        state.apply(&record, policy);
    }
    Ok(Booted {
        state,
        snapshot,
        replayed,
        replayed_bytes,
        next_seq,
    })
}
