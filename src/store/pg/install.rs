//! Replacing the whole state of a database (`stmgr migrate --to postgres://…`, `stmgr restore`
//! on this backend): the new state goes in as a stored snapshot, the log is emptied and its
//! head and floor set to the snapshot's `next_seq - 1`, in one transaction. The next commit
//! gets `next_seq`: seqs are never issued twice when `next_seq` is above every seq the
//! database (or the data directory migrated from) ever issued.
//!
//! This resets the log under every server's replica, so it is done only while no stmgr server
//! is connected to the database ([`servers_connected`]): a running server would otherwise keep
//! its state from before and reissue nothing, but miss the reset. Writing the new state as
//! ordinary commits instead (a diff) would be safe with servers running, but would have to
//! express every domain's state (workflow runs mid-flight, lease tokens, idempotency answers)
//! as ops, which the ops cannot do without new op tags; and a point-in-time restore is an
//! operator's offline act on the embedded engine too.

use std::path::Path;

use postgres::Client;

use super::{backend, snap};
use crate::store::error::{Result, StoreError};
use crate::store::snapshot::SnapshotMeta;

/// What the database holds before an install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holds {
    /// The log's head.
    pub commit_seq: u64,
    /// Stored snapshots.
    pub snapshots: u64,
}

impl Holds {
    /// Nothing was ever committed and no snapshot is stored.
    pub fn is_empty(&self) -> bool {
        self.commit_seq == 0 && self.snapshots == 0
    }
}

/// What the database holds.
///
/// # Errors
/// The database cannot be read.
pub fn holds(client: &mut Client) -> Result<Holds> {
    let row = client
        .query_one(
            "SELECT commit_seq, (SELECT count(*) FROM stmgr_snapshot) FROM stmgr_meta WHERE id = 1",
            &[],
        )
        .map_err(|e| backend("read stmgr_meta", &e))?;
    Ok(Holds {
        commit_seq: row.get::<_, i64>(0) as u64,
        snapshots: row.get::<_, i64>(1) as u64,
    })
}

/// The other sessions of stmgr servers on this database (`application_name` `stmgr writer`,
/// `stmgr listener`, …), as `application_name @ client address`.
///
/// # Errors
/// The database cannot be read.
pub fn servers_connected(client: &mut Client) -> Result<Vec<String>> {
    let rows = client
        .query(
            "SELECT application_name || ' @ ' || coalesce(host(client_addr), 'local socket') \
             FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND application_name IN ('stmgr writer', 'stmgr listener', 'stmgr notifier', \
             'stmgr watch', 'stmgr snapshot')",
            &[],
        )
        .map_err(|e| backend("read pg_stat_activity", &e))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Replaces the database's log and snapshots by the verified snapshot file at `path`, in one
/// transaction: afterwards the log is empty, its head and floor are `meta.next_seq - 1`.
///
/// # Errors
/// A stmgr server is connected; the database cannot be written (nothing changed then).
pub fn install(client: &mut Client, path: &Path, meta: &SnapshotMeta, by: &str) -> Result<()> {
    let others = servers_connected(client)?;
    if !others.is_empty() {
        return Err(StoreError::Backend(format!(
            "stmgr servers are connected to the database ({}): stop them first",
            others.join(", ")
        )));
    }
    let head = meta.next_seq.saturating_sub(1).max(meta.commit_seq) as i64;
    let mut tx = client
        .transaction()
        .map_err(|e| backend("begin the install", &e))?;
    tx.batch_execute(
        "SELECT 1 FROM stmgr_meta WHERE id = 1 FOR UPDATE; \
         DELETE FROM stmgr_log; DELETE FROM stmgr_snapshot;",
    )
    .map_err(|e| backend("empty the log", &e))?;
    snap::store(&mut tx, path, meta, by)?;
    tx.execute(
        "UPDATE stmgr_meta SET commit_seq = $1, compact_seq = $1 WHERE id = 1",
        &[&head],
    )
    .map_err(|e| backend("update stmgr_meta", &e))?;
    tx.commit().map_err(|e| backend("commit the install", &e))?;
    Ok(())
}
