//! Snapshots of the state machine kept in the database, and trimming `stmgr_log` below them.
//!
//! A snapshot is the file the embedded engine writes ([`crate::store::snapshot`], same
//! encoding, sealed with the same key), written and verified in the server's own directory
//! first, then copied into `stmgr_snapshot` + `stmgr_snapshot_chunk` in one transaction (the
//! header row becomes visible with every chunk, or not at all) with its SHA-256. A server
//! that starts fetches the newest one, checks size and SHA-256, loads it like a local file and
//! reads only the log after it.
//!
//! Trim: once a snapshot is in the database, the leader deletes the log rows at or below
//! `min(snapshot's commit_seq, head - log_keep)` and raises `stmgr_meta.compact_seq` to that
//! floor, in batches of [`TRIM_BATCH`] rows (each its own short transaction; the counter
//! row is taken only for the instant of the update). The floor never passes the newest stored
//! snapshot, so the snapshot plus the log after it always make the whole state.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use postgres::{Client, GenericClient};
use sha2::{Digest, Sha256};

use super::backend;
use crate::store::error::{Result, StoreError};
use crate::store::snapshot::SnapshotMeta;

/// Bytes per `stmgr_snapshot_chunk` row.
pub const CHUNK: usize = 1 << 20;

/// Log rows deleted per transaction while trimming.
pub const TRIM_BATCH: i64 = 50_000;

/// A snapshot row of `stmgr_snapshot`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stored {
    /// `snap-<ULID>`, as in the file's name.
    pub id: String,
    /// The last commit it holds.
    pub commit_seq: u64,
    /// The first seq the log may use after it.
    pub next_seq: u64,
    /// When it was taken (ms since the epoch).
    pub created_ms: i64,
    /// `manual`, `automatic` or `restore`.
    pub origin: String,
    /// The server that stored it.
    pub server: String,
    /// File size in bytes.
    pub size: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Copies the verified snapshot file at `path` into the database, in one transaction.
///
/// # Errors
/// The file cannot be read; the database refused or could not be reached (nothing is stored).
pub fn store(
    client: &mut impl GenericClient,
    path: &Path,
    meta: &SnapshotMeta,
    server: &str,
) -> Result<Stored> {
    let mut file = File::open(path).map_err(|e| StoreError::io("open", path, e))?;
    let mut tx = client
        .transaction()
        .map_err(|e| backend("begin storing a snapshot", &e))?;
    tx.execute(
        "INSERT INTO stmgr_snapshot (id, commit_seq, next_seq, created_ms, origin, server, size, sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, '')",
        &[
            &meta.id,
            &(meta.commit_seq as i64),
            &(meta.next_seq as i64),
            &meta.created_ms,
            &meta.origin.as_str(),
            &server,
            &(meta.size as i64),
        ],
    )
    .map_err(|e| backend("insert into stmgr_snapshot", &e))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut n = 0i32;
    let mut total = 0u64;
    loop {
        let mut len = 0;
        while len < CHUNK {
            let got = file
                .read(&mut buf[len..])
                .map_err(|e| StoreError::io("read", path, e))?;
            if got == 0 {
                break;
            }
            len += got;
        }
        if len == 0 {
            break;
        }
        hash.update(&buf[..len]);
        tx.execute(
            "INSERT INTO stmgr_snapshot_chunk (snapshot_id, n, bytes) VALUES ($1, $2, $3)",
            &[&meta.id, &n, &&buf[..len]],
        )
        .map_err(|e| backend("insert into stmgr_snapshot_chunk", &e))?;
        n += 1;
        total += len as u64;
    }
    if total != meta.size {
        return Err(StoreError::Backend(format!(
            "snapshot {} changed while it was stored ({total} bytes, expected {})",
            meta.id, meta.size
        )));
    }
    let sha = hash.finalize().to_vec();
    tx.execute(
        "UPDATE stmgr_snapshot SET sha256 = $2 WHERE id = $1",
        &[&meta.id, &sha],
    )
    .map_err(|e| backend("update stmgr_snapshot", &e))?;
    tx.commit()
        .map_err(|e| backend("commit the snapshot", &e))?;
    Ok(Stored {
        id: meta.id.clone(),
        commit_seq: meta.commit_seq,
        next_seq: meta.next_seq,
        created_ms: meta.created_ms,
        origin: meta.origin.as_str().into(),
        server: server.into(),
        size: meta.size,
        sha256: hex(&sha),
    })
}

const COLUMNS: &str = "id, commit_seq, next_seq, created_ms, origin, server, size, sha256";

fn row_to_stored(r: &postgres::Row) -> Stored {
    Stored {
        id: r.get(0),
        commit_seq: r.get::<_, i64>(1) as u64,
        next_seq: r.get::<_, i64>(2) as u64,
        created_ms: r.get(3),
        origin: r.get(4),
        server: r.get(5),
        size: r.get::<_, i64>(6) as u64,
        sha256: hex(r.get::<_, &[u8]>(7)),
    }
}

/// The stored snapshots, oldest (by commit) first.
///
/// # Errors
/// The database cannot be read.
pub fn list(client: &mut Client) -> Result<Vec<Stored>> {
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM stmgr_snapshot ORDER BY commit_seq, id"),
            &[],
        )
        .map_err(|e| backend("read stmgr_snapshot", &e))?;
    Ok(rows.iter().map(row_to_stored).collect())
}

/// The newest stored snapshot (highest commit), if any.
///
/// # Errors
/// The database cannot be read.
pub fn newest(client: &mut Client) -> Result<Option<Stored>> {
    Ok(list(client)?.pop())
}

/// Writes the stored snapshot `snap` to `dest` (created or replaced), checking its size and
/// SHA-256; the file is then read like any snapshot file (which checks it again, item by item).
///
/// # Errors
/// The database cannot be read, the chunks do not add up to the recorded size or hash, `dest`
/// cannot be written.
pub fn fetch(client: &mut Client, snap: &Stored, dest: &Path) -> Result<()> {
    let mut out = File::create(dest).map_err(|e| StoreError::io("create", dest, e))?;
    let mut hash = Sha256::new();
    let mut total = 0u64;
    let mut n = 0i32;
    loop {
        let row = client
            .query_opt(
                "SELECT bytes FROM stmgr_snapshot_chunk WHERE snapshot_id = $1 AND n = $2",
                &[&snap.id, &n],
            )
            .map_err(|e| backend("read stmgr_snapshot_chunk", &e))?;
        let Some(row) = row else { break };
        let bytes: &[u8] = row.get(0);
        hash.update(bytes);
        out.write_all(bytes)
            .map_err(|e| StoreError::io("write", dest, e))?;
        total += bytes.len() as u64;
        n += 1;
    }
    out.sync_all()
        .map_err(|e| StoreError::io("sync", dest, e))?;
    let sha = hex(&hash.finalize());
    if total != snap.size || sha != snap.sha256 {
        return Err(StoreError::Backend(format!(
            "stored snapshot {} is damaged: {total} bytes with SHA-256 {sha}, recorded {} bytes \
             with {}",
            snap.id, snap.size, snap.sha256
        )));
    }
    Ok(())
}

/// Removes every stored snapshot but the newest `keep` (at least one is always kept).
/// Returns the ids removed.
///
/// # Errors
/// The database cannot be written.
pub fn prune(client: &mut Client, keep: usize) -> Result<Vec<String>> {
    let all = list(client)?;
    let keep = keep.max(1);
    let doomed: Vec<String> = all
        .iter()
        .take(all.len().saturating_sub(keep))
        .map(|s| s.id.clone())
        .collect();
    if !doomed.is_empty() {
        client
            .execute("DELETE FROM stmgr_snapshot WHERE id = ANY($1)", &[&doomed])
            .map_err(|e| backend("delete from stmgr_snapshot", &e))?;
    }
    Ok(doomed)
}

/// Removes the stored snapshot `id`; whether it was there.
///
/// # Errors
/// The database cannot be written.
pub fn remove(client: &mut Client, id: &str) -> Result<bool> {
    let n = client
        .execute("DELETE FROM stmgr_snapshot WHERE id = $1", &[&id])
        .map_err(|e| backend("delete from stmgr_snapshot", &e))?;
    Ok(n > 0)
}

/// What a trim did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Trimmed {
    /// The log's floor before (`compact_seq`).
    pub from: u64,
    /// The floor after: commits at or below it are gone from `stmgr_log`.
    pub to: u64,
    /// Rows deleted.
    pub rows: u64,
}

/// Deletes the log rows at or below `min(newest stored snapshot, head - log_keep)` and
/// raises `compact_seq` to that floor (never lowers it). Without a stored snapshot nothing
/// is trimmed.
///
/// # Errors
/// The database cannot be read or written (the floor stays where the last batch put it).
pub fn trim(client: &mut Client, log_keep: u64) -> Result<Trimmed> {
    let row = client
        .query_one(
            "SELECT commit_seq, compact_seq, \
             (SELECT max(commit_seq) FROM stmgr_snapshot) FROM stmgr_meta WHERE id = 1",
            &[],
        )
        .map_err(|e| backend("read stmgr_meta", &e))?;
    let head = row.get::<_, i64>(0);
    let from = row.get::<_, i64>(1);
    let Some(snap) = row.get::<_, Option<i64>>(2) else {
        return Ok(Trimmed {
            from: from as u64,
            to: from as u64,
            rows: 0,
        });
    };
    let floor = snap.min(head.saturating_sub(i64::try_from(log_keep).unwrap_or(i64::MAX)));
    let mut at = from;
    let mut rows = 0u64;
    while at < floor {
        let upto = floor.min(at.saturating_add(TRIM_BATCH));
        let mut tx = client
            .transaction()
            .map_err(|e| backend("begin a trim", &e))?;
        let n = tx
            .execute("DELETE FROM stmgr_log WHERE commit_seq <= $1", &[&upto])
            .map_err(|e| backend("delete from stmgr_log", &e))?;
        tx.execute(
            "UPDATE stmgr_meta SET compact_seq = greatest(compact_seq, $1) WHERE id = 1",
            &[&upto],
        )
        .map_err(|e| backend("update stmgr_meta", &e))?;
        tx.commit().map_err(|e| backend("commit a trim", &e))?;
        rows += n;
        at = upto;
    }
    Ok(Trimmed {
        from: from as u64,
        to: at.max(from) as u64,
        rows,
    })
}
