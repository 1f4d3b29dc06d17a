//! `stmgr trim-wal`: deletes the WAL segments a verified snapshot covers (offline).

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use crate::cli::context::Context;
use crate::cli::datadir;
use crate::config::OutputFormat;
use crate::store::offline::trim::{self, SegmentPlan};

/// Delete the WAL segments that a verified snapshot covers (server stopped)
#[derive(Debug, Args)]
pub struct TrimWalArgs {
    /// The snapshot whose coverage decides what goes (see `stmgr snapshot list`)
    #[arg(long, value_name = "ID")]
    pub snapshot_id: String,
    /// Show what would be removed without removing anything
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    snapshot_id: &'a str,
    commit_seq: u64,
    dry_run: bool,
    removed: Vec<&'a SegmentPlan>,
    kept: Vec<&'a SegmentPlan>,
}

/// Runs `stmgr trim-wal`.
///
/// # Errors
/// Missing or locked data directory, unknown or damaged snapshot, I/O errors.
pub fn run(args: &TrimWalArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    if ctx.online {
        return run_online(args, ctx);
    }
    let (dir, _lock) = datadir::locked(ctx, "stmgr trim-wal")?;
    let plan = trim::plan(&dir, &args.snapshot_id)?;
    if !args.dry_run {
        trim::apply(&dir, &plan)?;
    }
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let removed_word = if args.dry_run {
                "would remove"
            } else {
                "removed"
            };
            let rows = plan
                .segments
                .iter()
                .map(|s| {
                    vec![
                        s.path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        s.first_seq.to_string(),
                        s.last_seq.map_or_else(|| "-".into(), |l| l.to_string()),
                        datadir::bytes(s.size),
                        if s.remove {
                            removed_word.into()
                        } else {
                            "kept".into()
                        },
                        s.reason.clone(),
                    ]
                })
                .collect();
            p.table(
                &[
                    "segment",
                    "first_seq",
                    "last_seq",
                    "size",
                    "action",
                    "reason",
                ],
                rows,
            )?;
            let n = plan.segments.iter().filter(|s| s.remove).count();
            let freed: u64 = plan
                .segments
                .iter()
                .filter(|s| s.remove)
                .map(|s| s.size)
                .sum();
            p.status(&format!(
                "{removed_word} {n} segment(s), {} (snapshot {} at commit_seq {})",
                datadir::bytes(freed),
                plan.snapshot.id,
                plan.snapshot.commit_seq
            ));
        }
        fmt => {
            let report = Report {
                snapshot_id: &plan.snapshot.id,
                commit_seq: plan.snapshot.commit_seq,
                dry_run: args.dry_run,
                removed: plan.segments.iter().filter(|s| s.remove).collect(),
                kept: plan.segments.iter().filter(|s| !s.remove).collect(),
            };
            if fmt == OutputFormat::Json {
                p.json(&report)?
            } else {
                p.jsonl(&report)?
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks the running server to trim (`POST /admin/trim-wal`).
fn run_online(args: &TrimWalArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = crate::cli::online::client(ctx)?;
    let v = ctx.block_on(client.trim_wal(&args.snapshot_id, args.dry_run))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let names = |k: &str| -> Vec<String> {
                v[k].as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            };
            let removed_word = if args.dry_run {
                "would remove"
            } else {
                "removed"
            };
            let mut rows: Vec<Vec<String>> = names("deleted")
                .into_iter()
                .map(|n| vec![n, removed_word.into()])
                .collect();
            rows.extend(names("kept").into_iter().map(|n| vec![n, "kept".into()]));
            p.table(&["segment", "action"], rows)?;
        }
        OutputFormat::Json => p.json(&v)?,
        OutputFormat::Jsonl => p.jsonl(&v)?,
    }
    Ok(ExitCode::SUCCESS)
}
