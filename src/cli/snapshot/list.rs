//! `stmgr snapshot list`: the snapshots, oldest first, from the server's manifest or the data
//! directory (read-only: works while a server runs); the same [`SnapshotRow`]s either way.

use std::process::ExitCode;

use clap::Args;

use crate::admin::{self, SnapshotRow};
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::mode::{self, Mode};
use crate::config::OutputFormat;

/// Arguments of `stmgr snapshot list`.
#[derive(Debug, Args)]
pub struct ListArgs {}

/// Lists the snapshots.
///
/// # Errors
/// Missing or foreign data directory, I/O errors, a server error.
pub fn run(_args: &ListArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let rows = match mode::choose(ctx) {
        Mode::Server => {
            let client = crate::cli::online::client(ctx)?;
            ctx.block_on(client.manifest())?.snapshots
        }
        Mode::DataDir => admin::snapshot_rows(&datadir::existing(ctx)?.snapshots())?,
    };
    print(ctx, &rows)
}

fn print(ctx: &Context, rows: &[SnapshotRow]) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
            p.table(
                &[
                    "snapshot_id",
                    "commit_seq",
                    "created_at",
                    "size",
                    "objects",
                    "origin",
                    "key_id",
                    "status",
                ],
                rows.iter()
                    .map(|r| {
                        vec![
                            r.snapshot_id.clone(),
                            opt(r.commit_seq.map(|s| s.to_string())),
                            opt(r.created_at.clone()),
                            opt(r.size.map(datadir::bytes)),
                            opt(r.objects.map(|o| o.to_string())),
                            opt(r.origin.clone()),
                            opt(r.key_id.clone()),
                            r.error.clone().unwrap_or_else(|| "ok".into()),
                        ]
                    })
                    .collect(),
            )?
        }
        OutputFormat::Json => p.json(rows)?,
        OutputFormat::Jsonl => {
            for r in rows {
                p.jsonl(r)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
