//! The admin domain: what an operator does to the engine's files — take a snapshot, list the
//! snapshots, trim the WAL, read the manifest — with one answer type per operation
//! ([`wire`]), whether it runs inside the server (the `/admin` routes call these functions)
//! or on a stopped server's data directory (the CLI calls them). Both paths share the code
//! below, so the JSON a command prints does not depend on where it ran.

/// restic's `forget` rules (they live with the engine's retention, which applies them too).
pub use crate::store::forget;
pub mod lifecycle;
pub mod wire;

use std::path::Path;

use crate::store::Engine;
use crate::store::dir::DataDir;
use crate::store::error::Result;
use crate::store::files;
use crate::store::offline::trim::TrimPlan;
use crate::store::snapshot::{self, SnapshotOrigin};

pub use wire::{
    KeepPolicy, Manifest, PlanPiece, RestorePlanOut, SegmentInfo, SegmentOut, SnapshotOut,
    SnapshotPruneOut, SnapshotPruneRow, SnapshotRemovedOut, SnapshotRequest, SnapshotRow, TrimOut,
};

/// Takes a snapshot of a running engine (written, read back in full, then named).
///
/// # Errors
/// I/O errors naming the file, a snapshot that does not verify when read back.
pub fn snapshot(engine: &Engine, origin: SnapshotOrigin) -> Result<SnapshotOut> {
    snapshot_tagged(engine, origin, &Default::default())
}

/// [`snapshot`] with tags, stored beside it once it is verified.
///
/// # Errors
/// As [`snapshot`], and the tags' file cannot be written.
pub fn snapshot_tagged(
    engine: &Engine,
    origin: SnapshotOrigin,
    tags: &std::collections::BTreeSet<String>,
) -> Result<SnapshotOut> {
    let meta = engine.snapshot(origin)?;
    snapshot::write_tags(&engine.dir().snapshots(), &meta.id, tags)?;
    let mut out = SnapshotOut::from(&meta);
    out.tags = tags.iter().cloned().collect();
    // On the PostgreSQL backend it is stored in the database too.
    out.shipped_to = engine.snapshot_home();
    Ok(out)
}

/// The file of a running engine's snapshot `id` (`latest` allowed).
///
/// # Errors
/// Unknown snapshot, the directory cannot be read.
pub fn snapshot_file(engine: &Engine, id: &str) -> Result<std::path::PathBuf> {
    let infos = engine.snapshots()?;
    let id = lifecycle::resolve_local(&infos, id)?;
    snapshot::find_snapshot(&engine.dir().snapshots(), &id)
}

/// Prunes a running engine's snapshots by `policy` (see [`lifecycle`]). Blocking.
///
/// # Errors
/// I/O errors naming the file.
pub fn prune_live(
    engine: &Engine,
    policy: &forget::Policy,
    dry_run: bool,
) -> Result<SnapshotPruneOut> {
    let files = engine.files();
    let infos = files.snapshots()?;
    let location = engine.dir().root().display().to_string();
    lifecycle::prune_local(location, &infos, policy, dry_run, |doomed| {
        files.remove_snapshots(doomed)
    })
}

/// Removes a running engine's snapshot `id` (`latest` allowed). Blocking.
///
/// # Errors
/// Unknown snapshot, I/O errors naming the file.
pub fn remove_live(engine: &Engine, id: &str) -> Result<SnapshotRemovedOut> {
    let files = engine.files();
    let infos = files.snapshots()?;
    let location = engine.dir().root().display().to_string();
    lifecycle::remove_local(location, &infos, id, |doomed| {
        files.remove_snapshots(doomed)
    })
}

/// The snapshots in `dir` (a data directory's `snapshots/`), oldest first; unreadable ones last,
/// with their error.
///
/// # Errors
/// The directory cannot be read.
pub fn snapshot_rows(dir: &Path) -> Result<Vec<SnapshotRow>> {
    Ok(snapshot::list_snapshots(dir)?
        .iter()
        .map(SnapshotRow::from)
        .collect())
}

/// Verifies the snapshot `snapshot_id` in full, then removes (unless `dry_run`) the WAL
/// segments it covers entirely, on a stopped server's data directory whose lock the caller
/// holds; never the last segment.
///
/// # Errors
/// Unknown or damaged snapshot, I/O errors naming the file.
pub fn trim_wal(dir: &DataDir, snapshot_id: &str, dry_run: bool) -> Result<TrimOut> {
    let plan = files::trim_wal(dir, snapshot_id, dry_run)?;
    Ok(trim_out(&plan, dry_run))
}

/// [`trim_wal`] on a running engine: one trim at a time (the automatic retention's included),
/// never the segment being written. Blocking.
///
/// # Errors
/// As [`trim_wal`].
pub fn trim_wal_live(engine: &Engine, snapshot_id: &str, dry_run: bool) -> Result<TrimOut> {
    let plan = engine.trim_wal(snapshot_id, dry_run)?;
    Ok(trim_out(&plan, dry_run))
}

fn trim_out(plan: &TrimPlan, dry_run: bool) -> TrimOut {
    let segments: Vec<SegmentOut> = plan
        .segments
        .iter()
        .map(|s| SegmentOut {
            segment: file_name(&s.path),
            first_seq: s.first_seq,
            last_seq: s.last_seq,
            size: s.size,
            remove: s.remove,
            reason: s.reason.clone(),
        })
        .collect();
    let names = |remove: bool| {
        segments
            .iter()
            .filter(|s| s.remove == remove)
            .map(|s| s.segment.clone())
            .collect()
    };
    TrimOut {
        snapshot_id: plan.snapshot.id.clone(),
        commit_seq: plan.snapshot.commit_seq,
        dry_run,
        deleted: names(true),
        kept: names(false),
        freed_bytes: segments.iter().filter(|s| s.remove).map(|s| s.size).sum(),
        segments,
    }
}

/// What a running engine's data directory holds.
///
/// # Errors
/// The directories cannot be read.
pub fn manifest(engine: &Engine) -> Result<Manifest> {
    let dir = engine.dir();
    let wal = engine
        .wal_segments()?
        .into_iter()
        .map(|s| SegmentInfo {
            name: s.name,
            first_seq: s.first_seq,
            size: s.size,
        })
        .collect();
    let view = engine.view();
    Ok(Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: dir.root().display().to_string(),
        commit_seq: view.seq,
        objects: view.objects.live_count(),
        durability: engine.options().durability.to_string(),
        wal,
        snapshots: engine.snapshots()?.iter().map(SnapshotRow::from).collect(),
        poisoned: engine.poisoned(),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
