//! Which generation a replicating data directory ships to: its own lineage's newest
//! generation when the local log continues it, else a new one that starts from a fresh
//! snapshot (uploaded before any piece) and names where it branched from.

use tracing::info;

use super::ReplError;
use crate::backup::{BackupError, Generation, GenerationParent, NewGeneration, Target, UploadInfo};
use crate::store::Engine;
use crate::store::lineage::Lineage;
use crate::store::snapshot::{self, SnapshotOrigin};

/// Where shipping goes on: the generation and the next seq it needs.
#[derive(Debug, Clone)]
pub struct Position {
    /// The generation.
    pub generation: Generation,
    /// The first seq not in it yet.
    pub next_seq: u64,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ReplError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ReplError::Local(format!("replication task failed: {e}")))
}

/// Opens the generation to ship to (see the module docs). `lost` names a generation whose
/// continuity was lost locally (a gap found while shipping) and its last shipped seq.
///
/// # Errors
/// The target's errors; a snapshot that cannot be taken.
pub async fn open(
    engine: &Engine,
    target: &Target,
    lineage: &Lineage,
    lost: Option<(String, u64, String)>,
) -> Result<Position, ReplError> {
    let gens = target.list_generations().await?;
    let mine = gens
        .iter()
        .rev()
        .find(|g| g.lineage.as_deref() == Some(lineage.lineage.as_str()));
    let mut parent = None;
    let mut reason = "first replication of this data directory".to_string();
    if let Some((generation, seq, why)) = lost {
        parent = Some(GenerationParent { generation, seq });
        reason = why;
    } else if let Some(g) = mine {
        match continue_generation(engine, target, g).await? {
            Ok(pos) => return Ok(pos),
            Err((seq, why)) => {
                parent = Some(GenerationParent {
                    generation: g.generation.clone(),
                    seq,
                });
                reason = why;
            }
        }
    } else if let Some(p) = &lineage.parent {
        // A restored directory: it branched from its parent lineage at `p.seq`.
        reason = format!("{} (data directory restored)", lineage.reason);
        if let Some(g) = gens
            .iter()
            .rev()
            .find(|g| g.lineage.as_deref() == Some(p.lineage.as_str()))
        {
            parent = Some(GenerationParent {
                generation: g.generation.clone(),
                seq: p.seq,
            });
        }
    }
    new_generation(engine, target, lineage, parent, reason).await
}

/// `Ok(position)` when the local log continues `g`; `Err((last shipped seq, why not))`.
async fn continue_generation(
    engine: &Engine,
    target: &Target,
    g: &Generation,
) -> Result<Result<Position, (u64, String)>, ReplError> {
    let pieces = target.list_wal(&g.generation).await?.pieces;
    let last = pieces
        .last()
        .map_or(g.first_seq.saturating_sub(1), |p| p.last_seq);
    let next_seq = last + 1;
    let local = engine.view().seq;
    if local < last {
        return Ok(Err((
            last,
            format!("the local log ends at seq {local}, before the generation's seq {last}"),
        )));
    }
    if let Some(id) = &g.base_snapshot {
        match target.read_manifest(id).await {
            Ok(_) => {}
            Err(BackupError::NotFound { .. }) => {
                // Started but interrupted before its snapshot went up: upload it now.
                let Ok(path) = snapshot::find_snapshot(&engine.dir().snapshots(), id) else {
                    return Ok(Err((
                        last,
                        format!("its base snapshot {id} is neither in the location nor here"),
                    )));
                };
                upload_base(target, &path, &g.generation).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Hold from here on, then check that the segments are still there.
    let e = engine.clone();
    let segments = blocking(move || {
        e.hold_wal_from(Some(next_seq));
        e.wal_segments()
    })
    .await??;
    if segments.first().is_none_or(|s| s.first_seq > next_seq) {
        return Ok(Err((
            last,
            format!("the local WAL no longer holds seq {next_seq} (trimmed before it was shipped)"),
        )));
    }
    info!(generation = %g.generation, next_seq, "replication continues its generation");
    Ok(Ok(Position {
        generation: g.clone(),
        next_seq,
    }))
}

async fn upload_base(
    target: &Target,
    path: &std::path::Path,
    generation: &str,
) -> Result<(), ReplError> {
    let info = UploadInfo {
        generation: Some(generation.to_owned()),
        ..Default::default()
    };
    match target.upload_snapshot(path, info).await {
        Ok(_) | Err(BackupError::AlreadyExists { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

async fn new_generation(
    engine: &Engine,
    target: &Target,
    lineage: &Lineage,
    parent: Option<GenerationParent>,
    reason: String,
) -> Result<Position, ReplError> {
    let e = engine.clone();
    let meta = blocking(move || {
        // Hold first: nothing the snapshot does not cover may be trimmed meanwhile.
        e.hold_wal_from(Some(e.view().seq + 1));
        e.snapshot(SnapshotOrigin::Automatic)
    })
    .await??;
    let e = engine.clone();
    let next_seq = meta.next_seq;
    blocking(move || e.hold_wal_from(Some(next_seq))).await?;
    let g = target
        .create_generation(NewGeneration {
            first_seq: meta.next_seq,
            base_snapshot: Some(meta.id.clone()),
            parent,
            reason,
            lineage: Some(lineage.lineage.clone()),
            source_host: None,
        })
        .await?;
    let path = snapshot::find_snapshot(&engine.dir().snapshots(), &meta.id)?;
    upload_base(target, &path, &g.generation).await?;
    info!(generation = %g.generation, snapshot = %meta.id, commit_seq = meta.commit_seq, reason = %g.reason, "replication started a new generation");
    Ok(Position {
        generation: g,
        next_seq: meta.next_seq,
    })
}
