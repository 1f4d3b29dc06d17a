//! The plan `stmgr restore --dry-run` prints: the snapshot it starts from, the WAL it replays
//! (a backup location's pieces, or the data directory's segments) and the bytes to fetch.

use std::process::ExitCode;

use crate::admin::{PlanPiece, RestorePlanOut};
use crate::backup::{RestorePlan, Target as BackupTarget};
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::config::OutputFormat;
use crate::store::dir::DataDir;
use crate::store::files;
use crate::store::recovery::Target;
use crate::store::snapshot::SnapshotInfo;

fn target_text(t: Target) -> String {
    match t {
        Target::Latest => "latest".into(),
        Target::Seq(s) => format!("seq {s}"),
        Target::Time(ms) => format!("time {}", crate::time::format_ts(ms)),
    }
}

/// The plan of a restore from a data directory's own files: the snapshot given, or the
/// newest readable one at or before the target (the restore itself also skips one that does
/// not verify), and the segments after it.
///
/// # Errors
/// The WAL directory cannot be read.
pub fn local(
    dir: &DataDir,
    infos: &[SnapshotInfo],
    id: Option<&str>,
    target: Target,
) -> anyhow::Result<RestorePlanOut> {
    let chosen = infos
        .iter()
        .filter_map(|i| i.meta.as_ref().ok())
        .rfind(|m| match id {
            Some(id) => m.id == id,
            None => match target {
                Target::Latest => true,
                Target::Seq(s) => m.commit_seq <= s,
                Target::Time(t) => m.state_ts <= t,
            },
        });
    let after = chosen.map_or(0, |m| m.commit_seq);
    let segs = files::wal_segments(dir)?;
    let wal: Vec<PlanPiece> = segs
        .iter()
        .enumerate()
        // A segment holds records after the snapshot unless the next one starts at or below it.
        .filter(|(i, _)| segs.get(i + 1).is_none_or(|n| n.first_seq > after + 1))
        .map(|(_, s)| PlanPiece {
            key: s.name.clone(),
            first_seq: s.first_seq,
            last_seq: None,
            size: s.size,
            keep_through: None,
        })
        .collect();
    Ok(RestorePlanOut {
        source: dir.root().display().to_string(),
        target: target_text(target),
        snapshot_id: chosen.map(|m| m.id.clone()),
        snapshot_commit_seq: chosen.map(|m| m.commit_seq),
        generations: Vec::new(),
        wal,
        bytes_to_fetch: 0,
    })
}

/// The plan of a restore from a backup location.
pub fn of_location(t: &BackupTarget, plan: &RestorePlan, target: Target) -> RestorePlanOut {
    RestorePlanOut {
        source: t.location().to_string(),
        target: target_text(target),
        snapshot_id: plan.snapshot.as_ref().map(|m| m.snapshot_id.clone()),
        snapshot_commit_seq: plan.snapshot.as_ref().map(|m| m.commit_seq),
        generations: plan
            .lineage
            .iter()
            .map(|e| e.generation.generation.clone())
            .collect(),
        wal: plan
            .pieces
            .iter()
            .map(|p| PlanPiece {
                key: p.key.clone(),
                first_seq: p.piece.first_seq,
                last_seq: Some(p.piece.last_seq),
                size: p.piece.size,
                keep_through: p.keep_through,
            })
            .collect(),
        bytes_to_fetch: plan.bytes,
    }
}

/// Prints a plan.
///
/// # Errors
/// Writing to stdout.
pub fn print(ctx: &Context, plan: &RestorePlanOut) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let mut rows = vec![vec![
                "snapshot".to_string(),
                plan.snapshot_id
                    .clone()
                    .unwrap_or_else(|| "- (WAL from seq 1)".into()),
                plan.snapshot_commit_seq
                    .map_or("-".into(), |s| format!("commit_seq {s}")),
                String::new(),
            ]];
            for w in &plan.wal {
                rows.push(vec![
                    "wal".into(),
                    w.key.clone(),
                    match (w.last_seq, w.keep_through) {
                        (Some(l), Some(k)) => format!("seqs {}-{l}, kept through {k}", w.first_seq),
                        (Some(l), None) => format!("seqs {}-{l}", w.first_seq),
                        (None, _) => format!("seqs from {}", w.first_seq),
                    },
                    datadir::bytes(w.size),
                ]);
            }
            p.table(&["part", "name", "range", "size"], rows)?;
            p.status(&format!(
                "restore plan from {} to {}: {} to fetch{}; dry run, nothing changed",
                plan.source,
                plan.target,
                datadir::bytes(plan.bytes_to_fetch),
                if plan.generations.is_empty() {
                    String::new()
                } else {
                    format!("; generations {}", plan.generations.join(" → "))
                }
            ));
        }
        OutputFormat::Json => p.json(plan)?,
        OutputFormat::Jsonl => p.jsonl(plan)?,
    }
    Ok(ExitCode::SUCCESS)
}
