//! `stmgr snapshot rm ID`: removes one snapshot (`latest`: the newest) from the data directory
//! (through the server, or of a stopped server's directory) or from a backup location
//! (`--from`: manifest first, then the data) or from a PostgreSQL database (`--backend`; the
//! last snapshot a server can start from only with `--force`).

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::admin::{SnapshotRemovedOut, lifecycle};
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::mode::{self, Mode};
use crate::cli::storage;
use crate::config::OutputFormat;
use crate::store::files;
use crate::store::pg::catalog;

/// Arguments of `stmgr snapshot rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The snapshot: `snap-<ULID>` or `latest`
    #[arg(value_name = "ID", add = ArgValueCandidates::new(crate::cli::complete::snapshot_ids))]
    pub snapshot_id: String,
    /// Remove it from this backup location instead (file:///dir or s3://bucket/prefix)
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
    /// Remove it from the snapshots stored in this PostgreSQL database instead (postgres://…)
    #[arg(long, value_name = "URL", conflicts_with = "from")]
    pub backend: Option<String>,
    /// With --backend: remove it even when it is the last stored snapshot a server can start
    /// from (the log is trimmed below it)
    #[arg(long, requires = "backend")]
    pub force: bool,
}

/// Removes the snapshot and prints which.
///
/// # Errors
/// Unknown snapshot, the place's errors.
pub fn run(args: &RmArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let out: SnapshotRemovedOut = match (&args.backend, &args.from) {
        (Some(url), _) => {
            let db = super::db::open(url)?;
            let (mut client, location) = (db.client, db.location);
            let listed = catalog::list(&mut client)?;
            lifecycle::remove_stored(location, &listed, &args.snapshot_id, |doomed| {
                catalog::remove(&mut client, &listed, doomed, args.force)
            })?
        }
        (None, Some(url)) => {
            let from = storage::open(ctx, Some(url), "--from")?;
            ctx.block_on(lifecycle::remove_from_bucket(
                &from.target,
                &args.snapshot_id,
            ))?
        }
        (None, None) => match mode::choose(ctx) {
            Mode::Server => {
                let client = crate::cli::online::client(ctx)?;
                ctx.block_on(client.remove_snapshot(&args.snapshot_id))?
            }
            Mode::DataDir => {
                let (dir, _lock) = datadir::locked(ctx, "stmgr snapshot rm")?;
                let infos = files::snapshots(&dir)?;
                lifecycle::remove_local(
                    dir.root().display().to_string(),
                    &infos,
                    &args.snapshot_id,
                    |doomed| files::remove_snapshots(&dir, doomed),
                )?
            }
        },
    };
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(
            &["snapshot_id", "location"],
            vec![vec![out.snapshot_id.clone(), out.location.clone()]],
        )?,
        OutputFormat::Json => p.json(&out)?,
        OutputFormat::Jsonl => p.jsonl(&out)?,
    }
    Ok(ExitCode::SUCCESS)
}
