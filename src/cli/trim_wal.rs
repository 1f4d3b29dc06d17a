//! `stmgr trim-wal`: deletes the WAL segments a verified snapshot covers, through the server
//! (`POST /admin/trim-wal`) or on a stopped server's data directory; prints the same
//! [`TrimOut`] either way.

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::admin::{self, TrimOut};
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::mode::{self, Mode};
use crate::config::OutputFormat;

/// Delete the WAL segments that a verified snapshot covers
#[derive(Debug, Args)]
pub struct TrimWalArgs {
    /// The snapshot whose coverage decides what goes (see `stmgr snapshot list`)
    #[arg(long, value_name = "ID", add = ArgValueCandidates::new(crate::cli::complete::snapshot_ids))]
    pub snapshot_id: String,
    /// Show what would be removed without removing anything
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `stmgr trim-wal`.
///
/// # Errors
/// Missing, foreign or locked data directory, unknown or damaged snapshot, I/O errors, a server
/// error.
pub fn run(args: &TrimWalArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let out = match mode::choose(ctx) {
        Mode::Server => {
            let client = crate::cli::online::client(ctx)?;
            ctx.block_on(client.trim_wal(&args.snapshot_id, args.dry_run))?
        }
        Mode::DataDir => {
            let (dir, _lock) = datadir::locked(ctx, "stmgr trim-wal")?;
            admin::trim_wal(&dir, &args.snapshot_id, args.dry_run)?
        }
    };
    print(ctx, &out)
}

fn print(ctx: &Context, out: &TrimOut) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let removed_word = if out.dry_run {
                "would remove"
            } else {
                "removed"
            };
            let rows = out
                .segments
                .iter()
                .map(|s| {
                    vec![
                        s.segment.clone(),
                        s.first_seq.to_string(),
                        s.last_seq.map_or_else(|| "-".into(), |l| l.to_string()),
                        datadir::bytes(s.size),
                        if s.remove { removed_word } else { "kept" }.to_string(),
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
            p.status(&format!(
                "{removed_word} {} segment(s), {} (snapshot {} at commit_seq {})",
                out.deleted.len(),
                datadir::bytes(out.freed_bytes),
                out.snapshot_id,
                out.commit_seq
            ));
        }
        OutputFormat::Json => p.json(out)?,
        OutputFormat::Jsonl => p.jsonl(out)?,
    }
    Ok(ExitCode::SUCCESS)
}
