//! `stmgr snapshot list`: the snapshots, oldest first, from the server's manifest, the data
//! directory (read-only: works while a server runs) or a backup location (`--from`, from the
//! manifests there) or a PostgreSQL database (`--backend`, the stored snapshots' headers); the
//! same [`SnapshotRow`]s every way.

use std::process::ExitCode;

use clap::Args;

use crate::admin::{self, SnapshotRow, lifecycle};
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::mode::{self, Mode};
use crate::cli::snapshot::prune::tags_cell;
use crate::cli::storage;
use crate::config::OutputFormat;

/// Arguments of `stmgr snapshot list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// List the snapshots of this backup location instead (file:///dir or s3://bucket/prefix)
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
    /// List the snapshots stored in this PostgreSQL database instead (postgres://…)
    #[arg(long, value_name = "URL", conflicts_with = "from")]
    pub backend: Option<String>,
}

/// Lists the snapshots.
///
/// # Errors
/// Missing or foreign data directory, I/O errors, a server error, an unreachable location.
pub fn run(args: &ListArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    if let Some(url) = &args.backend {
        let mut db = super::db::open(url)?;
        let listed = crate::store::pg::catalog::list(&mut db.client)?;
        return print(ctx, &lifecycle::stored_rows(&listed));
    }
    let rows = match &args.from {
        Some(url) => {
            let from = storage::open(ctx, Some(url), "--from")?;
            ctx.block_on(lifecycle::bucket_rows(&from.target))?
        }
        None => match mode::choose(ctx) {
            Mode::Server => {
                let client = crate::cli::online::client(ctx)?;
                ctx.block_on(client.manifest())?.snapshots
            }
            Mode::DataDir => admin::snapshot_rows(&datadir::existing(ctx)?.snapshots())?,
        },
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
                    "tags",
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
                            tags_cell(&r.tags),
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
