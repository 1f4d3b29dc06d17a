//! Moving a deployment between backends: a stopped server's data directory into a database
//! ([`dir_to_pg`]) and a database into a data directory ([`pg_to_dir`]).
//!
//! Both carry the whole state machine as one snapshot (every domain: objects with their
//! history, idempotency answers, leases, checkpoints, workflow documents, flows) with its
//! `commit_seq`, and the first seq the target may issue (above every seq the source ever
//! issued). The source is only read; the target is refused when it holds anything, unless
//! `force` (a data directory's previous files are then moved aside, never deleted; a
//! database's log and snapshots are replaced). The log itself is not carried: watches cannot
//! resume across a migration from below its `commit_seq` ("compacted").

use std::path::PathBuf;

use super::{PgOptions, boot, connect_named, install, redacted, schema};
use crate::store::dir::{DataDir, DirLock};
use crate::store::error::StoreError;
use crate::store::offline::restore::{finish_pending, highest_issued};
use crate::store::recovery::{self, Base, Target};
use crate::store::snapshot::{self, SnapshotMeta, SnapshotOrigin};
use crate::store::state::HistoryPolicy;

/// Why a migration did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The target holds data and `force` was not given.
    #[error("{target} is not empty ({holds}); pass --force to replace it")]
    NotEmpty {
        /// The target, as shown.
        target: String,
        /// What it holds.
        holds: String,
    },
    /// A store or database error.
    #[error("cannot migrate")]
    Store(#[from] StoreError),
}

/// What a migration moved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Moved {
    /// Where from, as shown (a URL without its password).
    pub from: String,
    /// Where to.
    pub to: String,
    /// The commit the state is at.
    pub commit_seq: u64,
    /// The first seq the target issues.
    pub next_seq: u64,
    /// Live objects.
    pub objects: u64,
    /// Snapshot items (every domain).
    pub entries: u64,
    /// The snapshot that carried it (stored in the database, or the target's base).
    pub snapshot_id: String,
    /// Where a forced migration moved the target directory's previous files.
    pub moved_aside_to: Option<PathBuf>,
}

fn moved(from: String, to: String, meta: &SnapshotMeta, aside: Option<PathBuf>) -> Moved {
    Moved {
        from,
        to,
        commit_seq: meta.commit_seq,
        next_seq: meta.next_seq,
        objects: meta.objects,
        entries: meta.entries,
        snapshot_id: meta.id.clone(),
        moved_aside_to: aside,
    }
}

/// Copies the state of the stopped server's data directory `from` into the database.
///
/// # Errors
/// [`StoreError::Locked`] while a server holds `from`; a missing or corrupt directory; the
/// database cannot be reached or written, holds data (without `force`), or has stmgr servers
/// connected.
pub fn dir_to_pg(
    from: &DataDir,
    to: &PgOptions,
    policy: &HistoryPolicy,
    force: bool,
) -> Result<Moved, MigrateError> {
    from.require_initialized()?;
    let _lock: DirLock = from.lock("stmgr migrate")?;
    finish_pending(from)?;
    let rec = recovery::recover(from, Base::Newest, Target::Latest, policy, &mut |_| {})?;
    let next_seq = (highest_issued(from)? + 1).max(rec.state.seq + 1);
    let mut client = connect_named(to, "migrate")?;
    schema::ensure(&mut client)?;
    let holds = install::holds(&mut client)?;
    if !holds.is_empty() && !force {
        return Err(MigrateError::NotEmpty {
            target: redacted(&to.url),
            holds: format!(
                "commit_seq {}, {} stored snapshots",
                holds.commit_seq, holds.snapshots
            ),
        });
    }
    let tmp = from
        .root()
        .join(format!(".tmp-migrate-{}", ulid::Ulid::generate()));
    let res = (|| {
        let meta = snapshot::write_snapshot(
            &tmp,
            &rec.state,
            next_seq,
            from.key(),
            SnapshotOrigin::Restore,
            0,
        )?;
        install::install(
            &mut client,
            &snapshot::snapshot_path(&tmp, &meta.id),
            &meta,
            "migrate",
        )?;
        Ok::<_, StoreError>(meta)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    let meta = res?;
    Ok(moved(
        from.root().display().to_string(),
        redacted(&to.url),
        &meta,
        None,
    ))
}

/// Copies the database's state (its newest snapshot plus the log after it, as a server would
/// start) into the data directory `to`, created if missing, as its base snapshot.
///
/// # Errors
/// [`StoreError::Locked`] while a server holds `to`; `to` holds data (without `force`); the
/// database cannot be read or its log does not decode.
pub fn pg_to_dir(
    from: &PgOptions,
    to: &DataDir,
    policy: &HistoryPolicy,
    force: bool,
) -> Result<Moved, MigrateError> {
    to.create()?;
    let _lock: DirLock = to.lock("stmgr migrate")?;
    finish_pending(to)?;
    let mut aside = None;
    if to.require_initialized().is_ok() {
        if !force {
            return Err(MigrateError::NotEmpty {
                target: to.root().display().to_string(),
                holds: "a data directory with WAL segments or snapshots".into(),
            });
        }
        let dest = to.aside().join(format!(
            "migrate-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        ));
        std::fs::create_dir_all(&dest).map_err(|e| StoreError::io("create", &dest, e))?;
        for sub in [to.wal(), to.snapshots()] {
            let name = sub.file_name().map(PathBuf::from).unwrap_or_default();
            std::fs::rename(&sub, dest.join(name)).map_err(|e| StoreError::io("move", &sub, e))?;
        }
        to.create()?;
        aside = Some(dest);
    }
    let mut client = connect_named(from, "migrate")?;
    schema::ensure(&mut client)?;
    let booted = boot::load(&mut client, to, policy)?;
    let next_seq = booted.next_seq.max(booted.state.seq + 1);
    let meta = snapshot::write_snapshot(
        &to.snapshots(),
        &booted.state,
        next_seq,
        to.key(),
        SnapshotOrigin::Restore,
        0,
    )?;
    Ok(moved(
        redacted(&from.url),
        to.root().display().to_string(),
        &meta,
        aside,
    ))
}
