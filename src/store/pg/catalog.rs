//! The snapshots stored in a database as an operator sees them (`stmgr snapshot list|rm|prune
//! --backend`): each row with its header (read from the first chunk, so `objects`, `key_id`
//! and the state's time are known without fetching the file), and removal guarded by the
//! log's floor: a server starts from the newest stored snapshot plus the log after it, so
//! removing every snapshot that reaches the floor (`next_seq - 1 >= compact_seq`) would leave
//! the database unable to start a server. Such a removal is refused unless forced.

use std::path::Path;

use postgres::Client;

use super::{backend, boot, snap};
use crate::store::error::{Result, StoreError};
use crate::store::snapshot::{self, SnapshotMeta};

/// A stored snapshot and its header (`Err`: why the header does not read).
#[derive(Debug, Clone)]
pub struct Listed {
    /// The `stmgr_snapshot` row.
    pub stored: snap::Stored,
    /// Its file's header.
    pub meta: std::result::Result<SnapshotMeta, String>,
}

/// The stored snapshots, oldest (by commit) first, with their headers.
///
/// # Errors
/// The database cannot be read.
pub fn list(client: &mut Client) -> Result<Vec<Listed>> {
    let rows = client
        .query(
            "SELECT snapshot_id, substring(bytes from 1 for $1) FROM stmgr_snapshot_chunk \
             WHERE n = 0",
            &[&(snapshot::header_len() as i32)],
        )
        .map_err(|e| backend("read stmgr_snapshot_chunk", &e))?;
    let headers: std::collections::HashMap<String, Vec<u8>> =
        rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let place = Path::new("stmgr_snapshot_chunk");
    Ok(snap::list(client)?
        .into_iter()
        .map(|stored| {
            let meta = match headers.get(&stored.id) {
                Some(h) => snapshot::meta_of_header(h, place, &stored.id, stored.size)
                    .map_err(|e| e.to_string()),
                None => Err("no stored chunk".into()),
            };
            Listed { stored, meta }
        })
        .collect())
}

/// Why removing `doomed` from `all` would leave no snapshot a server can start from (the
/// newest one left must reach the log's `floor`); `None`: the removal is safe.
pub fn removal_problem(all: &[Listed], doomed: &[String], floor: u64) -> Option<String> {
    let left: Vec<&snap::Stored> = all
        .iter()
        .map(|l| &l.stored)
        .filter(|s| !doomed.contains(&s.id))
        .collect();
    let reaches = |s: &snap::Stored| s.next_seq.saturating_sub(1) >= floor;
    if floor == 0 || left.last().is_some_and(|s| reaches(s)) {
        return None;
    }
    let needed: Vec<&str> = all
        .iter()
        .map(|l| &l.stored)
        .filter(|s| doomed.contains(&s.id) && reaches(s))
        .map(|s| s.id.as_str())
        .collect();
    let ids = needed.join(", ");
    Some(format!(
        "cannot remove {ids}: the log is trimmed up to commit_seq {floor} and a server starts \
         from the newest stored snapshot plus the log after it; without {ids} no stored \
         snapshot reaches the log and no server could start (--force removes it anyway)"
    ))
}

/// Removes the stored snapshots `doomed` (their chunks go with them) in one statement,
/// refusing with [`StoreError::OutOfRange`] what [`removal_problem`] finds unless `force`.
///
/// # Errors
/// The refusal; the database cannot be read or written.
pub fn remove(client: &mut Client, all: &[Listed], doomed: &[String], force: bool) -> Result<()> {
    if doomed.is_empty() {
        return Ok(());
    }
    let floor = boot::compact_seq(client)?;
    if !force && let Some(problem) = removal_problem(all, doomed, floor) {
        return Err(StoreError::OutOfRange(problem));
    }
    client
        .execute("DELETE FROM stmgr_snapshot WHERE id = ANY($1)", &[&doomed])
        .map_err(|e| backend("delete from stmgr_snapshot", &e))?;
    Ok(())
}

/// Takes a snapshot of a database without a server (`stmgr snapshot --backend`; servers may
/// be running): the state at the log's head as read (the newest stored snapshot plus the log
/// after it), written and verified in `work` (a scratch directory, removed afterwards), then
/// stored like a server's manual snapshot, in one transaction. It trims nothing and prunes
/// nothing: the leader trims once it sees the snapshot, and prunes the stored ones to
/// `stmgr_snapshot_keep` when it stores its next one.
///
/// # Errors
/// The database cannot be read or written, the log does not decode (a key missing), the
/// snapshot does not verify.
pub fn take(
    client: &mut Client,
    keys: &crate::store::crypto::Keyring,
    policy: &crate::store::state::HistoryPolicy,
    work: &Path,
) -> Result<(SnapshotMeta, snap::Stored)> {
    let dir = crate::store::dir::DataDir::new(work).with_keys(keys.clone());
    let res = (|| {
        dir.create()?;
        let booted = boot::load(client, &dir, policy)?;
        let next_seq = booted.next_seq.max(booted.state.seq + 1);
        let meta = snapshot::write_snapshot(
            &dir.snapshots(),
            &booted.state,
            next_seq,
            keys.current(),
            snapshot::SnapshotOrigin::Manual,
            0,
        )?;
        let path = snapshot::snapshot_path(&dir.snapshots(), &meta.id);
        let stored = snap::store(client, &path, &meta, "stmgr snapshot")?;
        Ok((meta, stored))
    })();
    let _ = std::fs::remove_dir_all(work);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: &str, commit_seq: u64, next_seq: u64) -> Listed {
        Listed {
            stored: snap::Stored {
                id: id.into(),
                commit_seq,
                next_seq,
                created_ms: 0,
                origin: "manual".into(),
                server: "s".into(),
                size: 0,
                sha256: String::new(),
            },
            meta: Err("not read".into()),
        }
    }

    #[test]
    fn a_removal_is_refused_only_when_no_snapshot_left_reaches_the_floor() {
        let all = [listed("a", 5, 6), listed("b", 10, 11), listed("c", 12, 13)];
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        // Nothing trimmed: any removal leaves a startable database.
        assert_eq!(removal_problem(&all, &ids(&["a", "b", "c"]), 0), None);
        // Floor 10: b and c reach it; removing one of them is fine.
        assert_eq!(removal_problem(&all, &ids(&["c"]), 10), None);
        assert_eq!(removal_problem(&all, &ids(&["a", "b"]), 10), None);
        // Removing both leaves only a, below the floor: both are named.
        let problem = removal_problem(&all, &ids(&["b", "c"]), 10).unwrap();
        assert!(problem.starts_with("cannot remove b, c:"), "{problem}");
        // The newest left must reach it (a server starts from the newest).
        let problem = removal_problem(&all, &ids(&["c"]), 11).unwrap();
        assert!(problem.starts_with("cannot remove c:"), "{problem}");
        // A restore's jump: commit 5, next 21 reaches floor 20.
        let jumped = [listed("r", 5, 21)];
        assert_eq!(removal_problem(&jumped, &[], 20), None);
        assert!(removal_problem(&jumped, &ids(&["r"]), 20).is_some());
    }
}
