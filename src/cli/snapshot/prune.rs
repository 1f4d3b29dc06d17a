//! `stmgr snapshot prune`: applies restic's `forget` rules to the snapshots of the data
//! directory (through the server, or of a stopped server's directory) or of a backup location
//! (`--from`) or stored in a PostgreSQL database (`--backend`); `--dry-run` prints the plan: every snapshot, kept or removed, and the rules that
//! keep it.

use std::process::ExitCode;

use clap::Args;

use crate::admin::{SnapshotPruneOut, lifecycle};
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::exit::UsageError;
use crate::cli::mode::{self, Mode};
use crate::cli::storage::{self, KeepArgs};
use crate::config::OutputFormat;
use crate::store::files;
use crate::store::pg::catalog;

/// Arguments of `stmgr snapshot prune`.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Prune this backup location instead (file:///dir or s3://bucket/prefix)
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
    /// Prune the snapshots stored in this PostgreSQL database instead (postgres://…)
    #[arg(long, value_name = "URL", conflicts_with = "from")]
    pub backend: Option<String>,
    /// The rules: a snapshot any rule keeps is kept; the newest always is
    #[command(flatten)]
    pub keep: KeepArgs,
    /// Only print the plan; remove nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Prunes and prints the plan.
///
/// # Errors
/// No rule given (a usage error: pruning without a rule would keep everything), the place's
/// errors.
pub fn run(args: &PruneArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    if !args.keep.any() {
        return Err(UsageError::new(
            "give at least one --keep-… rule (--keep-last, --keep-daily, …): \
             a snapshot no rule keeps is removed",
        )
        .into());
    }
    let rules = args.keep.rules()?;
    let out = match (&args.backend, &args.from) {
        (Some(url), _) => {
            let db = super::db::open(url)?;
            let (mut client, location) = (db.client, db.location);
            let listed = catalog::list(&mut client)?;
            lifecycle::prune_stored(location, &listed, &rules, args.dry_run, |doomed| {
                catalog::remove(&mut client, &listed, doomed, false)
            })?
        }
        (None, Some(url)) => {
            let from = storage::open(ctx, Some(url), "--from")?;
            ctx.block_on(lifecycle::prune_bucket(&from.target, &rules, args.dry_run))?
        }
        (None, None) => match mode::choose(ctx) {
            Mode::Server => {
                let client = crate::cli::online::client(ctx)?;
                ctx.block_on(client.prune_snapshots(&args.keep.policy(args.dry_run)))?
            }
            Mode::DataDir => {
                let (dir, _lock) = datadir::locked(ctx, "stmgr snapshot prune")?;
                let infos = files::snapshots(&dir)?;
                lifecycle::prune_local(
                    dir.root().display().to_string(),
                    &infos,
                    &rules,
                    args.dry_run,
                    |doomed| files::remove_snapshots(&dir, doomed),
                )?
            }
        },
    };
    print(ctx, &out)
}

/// Tags as one table cell (`-` for none).
pub fn tags_cell(tags: &[String]) -> String {
    if tags.is_empty() {
        "-".into()
    } else {
        tags.join(",")
    }
}

fn print(ctx: &Context, out: &SnapshotPruneOut) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            p.table(
                &[
                    "snapshot_id",
                    "commit_seq",
                    "created_at",
                    "origin",
                    "tags",
                    "action",
                    "why",
                ],
                out.snapshots
                    .iter()
                    .map(|r| {
                        vec![
                            r.snapshot_id.clone(),
                            r.commit_seq.to_string(),
                            r.created_at.clone(),
                            r.origin.clone(),
                            tags_cell(&r.tags),
                            match (r.keep, out.dry_run) {
                                (true, _) => "keep",
                                (false, true) => "would remove",
                                (false, false) => "removed",
                            }
                            .into(),
                            if r.keep {
                                r.reasons.join(", ")
                            } else {
                                "no rule keeps it".into()
                            },
                        ]
                    })
                    .collect(),
            )?;
            p.status(&format!(
                "{} ({}): {} kept, {} {}",
                out.location,
                out.policy,
                out.kept,
                out.removed,
                if out.dry_run {
                    "would be removed (dry run)"
                } else {
                    "removed"
                }
            ));
        }
        OutputFormat::Json => p.json(out)?,
        OutputFormat::Jsonl => p.jsonl(out)?,
    }
    Ok(ExitCode::SUCCESS)
}
