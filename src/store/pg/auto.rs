//! Snapshots on a server of the PostgreSQL backend: storing one the engine wrote
//! ([`publish`]: into the database, then the database's snapshots pruned to
//! [`PgOptions::snapshot_keep`] and, on the leader, the log trimmed below it), and the
//! leader's schedule ([`start`]): a snapshot once [`PgOptions::snapshot_every_commits`]
//! commits were made since the newest stored one, or [`PgOptions::snapshot_every`] after it
//! if anything changed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tracing::{info, warn};

use super::snap::{self, Stored, Trimmed};
use super::{PgOptions, connect};
use crate::store::engine::{Engine, WeakEngine};
use crate::store::error::Result;
use crate::store::snapshot::{self, SnapshotMeta, SnapshotOrigin, snapshot_path};

/// This server on the database: how it connects and its name in the log.
#[derive(Debug, Clone)]
pub struct Node {
    /// Connection and timing.
    pub options: PgOptions,
    /// This server's id (`stmgr_log.origin`, `stmgr_snapshot.server`).
    pub origin: String,
    /// Held through a whole snapshot (written, stored, stale copies removed): the schedule's
    /// and a manual one never interleave, so one's removal of stale local copies cannot take
    /// the other's file while it is being stored.
    pub snapshots: std::sync::Arc<std::sync::Mutex<()>>,
}

/// What [`publish`] did.
#[derive(Debug, Clone)]
pub struct Published {
    /// The row stored.
    pub stored: Stored,
    /// Stored snapshots removed by the keep rule.
    pub pruned: Vec<String>,
    /// The trim (`None`: not the leader).
    pub trimmed: Option<Trimmed>,
    /// The ids the database holds afterwards: a server's local copy of any other is stale.
    pub held: Vec<String>,
}

/// Stores the verified snapshot `meta` (its file under `snapshots`) in the database, prunes
/// the stored ones, and trims the log when `leader`. An automatic snapshot's local file is
/// removed once stored (the database is where it lives); others stay for `stmgr snapshot`'s
/// tags, downloads and `--to` while the database holds them (the caller removes the local
/// copies of those it no longer holds: [`Published::held`]).
///
/// # Errors
/// The database cannot be reached or written; nothing was trimmed then.
pub fn publish(
    node: &Node,
    snapshots: &std::path::Path,
    meta: &SnapshotMeta,
    leader: bool,
) -> Result<Published> {
    let mut client = connect(&node.options, "snapshot")?;
    let path = snapshot_path(snapshots, &meta.id);
    let stored = snap::store(&mut client, &path, meta, &node.origin)?;
    if meta.origin == SnapshotOrigin::Automatic {
        let _ = std::fs::remove_file(&path);
    }
    let pruned = snap::prune(&mut client, node.options.snapshot_keep)?;
    let trimmed = if leader {
        Some(snap::trim(&mut client, node.options.log_keep)?)
    } else {
        None
    };
    let held = snap::list(&mut client)?.into_iter().map(|s| s.id).collect();
    Ok(Published {
        stored,
        pruned,
        trimmed,
        held,
    })
}

/// A server's local copies of manual snapshots (kept for tags, downloads and `--to`) last as
/// long as the database holds the snapshot: after [`publish`], the copies of any snapshot not
/// in `held` are removed (with their tags, under the engine's files lock), so they never
/// outnumber `stmgr_snapshot_keep` plus the ones stored since. Best effort: a failure is
/// logged and retried at the next snapshot.
pub fn drop_stale_copies(engine: &Engine, held: &[String]) {
    let files = engine.files();
    let res = snapshot::list_snapshots(&engine.dir().snapshots()).and_then(|local| {
        let stale: Vec<&snapshot::SnapshotInfo> = local
            .iter()
            .filter(|i| i.meta.is_ok() && !held.contains(&i.id))
            .collect();
        files.remove_snapshots(&stale)?;
        Ok(stale.iter().map(|i| i.id.clone()).collect::<Vec<_>>())
    });
    match res {
        Ok(gone) if !gone.is_empty() => {
            info!(removed = ?gone, "removed local copies of snapshots the database no longer holds");
        }
        Ok(_) => {}
        Err(e) => {
            warn!(error = %e, "cannot remove stale local snapshot copies; will retry at the next snapshot");
        }
    }
}

/// Starts the leader's snapshot schedule (nothing when both triggers are off); the thread
/// ends when `stop` is set or the engine is gone.
///
/// # Errors
/// The thread cannot be spawned.
pub fn start(engine: WeakEngine, node: Node, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    let o = &node.options;
    if o.snapshot_every_commits == 0 && o.snapshot_every.is_none() {
        return Ok(());
    }
    std::thread::Builder::new()
        .name("stmgr-pg-snapshot".into())
        .spawn(move || schedule(&engine, &node, &stop))?;
    Ok(())
}

fn schedule(engine: &WeakEngine, node: &Node, stop: &AtomicBool) {
    let tick = node.options.poll_interval.max(Duration::from_millis(100));
    // The newest stored snapshot's seq, looked up again whenever this server becomes leader.
    let mut last: Option<(u64, Instant)> = None;
    let mut was_leader = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(tick);
        let Some(engine) = engine.upgrade() else {
            return;
        };
        let leader = engine.is_leader();
        if !leader {
            was_leader = false;
            continue;
        }
        if !was_leader || last.is_none() {
            match connect(&node.options, "snapshot").and_then(|mut c| snap::newest(&mut c)) {
                Ok(s) => last = Some((s.map_or(0, |s| s.commit_seq), Instant::now())),
                Err(e) => {
                    warn!(error = %e, "cannot read the stored snapshots; will retry");
                    continue;
                }
            }
            was_leader = true;
        }
        let Some((at, when)) = last else { continue };
        let seq = engine.view().seq;
        let o = &node.options;
        let by_count = o.snapshot_every_commits > 0 && seq >= at + o.snapshot_every_commits;
        let by_time = seq > at && o.snapshot_every.is_some_and(|t| when.elapsed() >= t);
        if !(by_count || by_time) {
            continue;
        }
        match engine.snapshot(SnapshotOrigin::Automatic) {
            Ok(meta) => {
                info!(snapshot_id = %meta.id, commit_seq = meta.commit_seq, "stored an automatic snapshot in the database");
                last = Some((meta.commit_seq, Instant::now()));
            }
            Err(e) => {
                warn!(error = %e, "automatic snapshot failed; will retry");
                last = Some((at, Instant::now()));
            }
        }
    }
}
