//! `stmgr snapshot` (take one, through a server or of a stopped server's data directory,
//! optionally shipped with `--to` and followed by a `--keep-…` prune), `snapshot list`,
//! `snapshot prune` and `snapshot rm`, each on the data directory or, with `--from URL`, on a
//! backup location, or with `--backend postgres://…` on the snapshots stored in a database.

mod create;
mod db;
mod list;
mod prune;
mod rm;
mod ship;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;
use crate::cli::storage::KeepArgs;

/// Take a snapshot (through a server or of a data directory), ship it, prune, list or remove
/// snapshots
#[derive(Debug, Args)]
#[command(after_help = SNAPSHOT_EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct SnapshotArgs {
    #[command(subcommand)]
    command: Option<SnapshotCommand>,
    #[command(flatten)]
    create: CreateArgs,
}

/// Flags of `stmgr snapshot` itself.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Also ship the verified snapshot, with its manifest, to this backup location
    /// (file:///dir or s3://bucket/prefix?endpoint=…; `[storage]` credentials or AWS_*)
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Store this tag with the snapshot (repeatable; shown by `snapshot list`)
    #[arg(long = "tag", value_name = "NAME")]
    pub tags: Vec<String>,
    /// After a successful snapshot, prune where it went (the bucket with --to, the database
    /// with --backend, else the data directory) by these rules
    #[command(flatten)]
    pub keep: KeepArgs,
    /// Take it of this PostgreSQL database instead (postgres://…; its servers may run): the
    /// state at the log's head, stored in the database; it trims nothing
    #[arg(long, value_name = "URL", conflicts_with_all = ["to", "tags"])]
    pub backend: Option<String>,
}

/// `--help` examples (also in the man page).
const SNAPSHOT_EXAMPLES: &str = r#"Examples:
  stmgr snapshot --server http://127.0.0.1:8080     # through a running server
  stmgr snapshot --data-dir /var/lib/stmgr          # a stopped server's data directory
  stmgr snapshot --tag nightly --to s3://bkt/stmgr --keep-daily 7 --keep-weekly 4
  stmgr snapshot list
  stmgr snapshot list --from s3://bkt/stmgr?endpoint=https://s3.example.com
  stmgr snapshot prune --keep-last 3 --dry-run
  stmgr snapshot rm latest
  stmgr snapshot --backend postgres://stmgr@db.internal/stmgr    # no server needed
  stmgr snapshot list --backend postgres://stmgr@db.internal/stmgr
  stmgr snapshot prune --backend postgres://stmgr@db.internal/stmgr --keep-last 2
  stmgr snapshot list -o json | jq -r '.[-1].snapshot_id'    # the newest"#;

#[derive(Debug, Subcommand)]
enum SnapshotCommand {
    /// List the snapshots of the data directory (works while a server runs), of a backup
    /// location or stored in a PostgreSQL database
    List(list::ListArgs),
    /// Remove the snapshots no --keep-… rule keeps (never the newest), in the data directory,
    /// a backup location or a PostgreSQL database
    Prune(prune::PruneArgs),
    /// Remove one snapshot (an id or `latest`) from the data directory, a backup location or
    /// a PostgreSQL database
    Rm(rm::RmArgs),
}

/// Runs `stmgr snapshot ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &SnapshotArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        None => create::run(&args.create, ctx),
        Some(SnapshotCommand::List(a)) => list::run(a, ctx),
        Some(SnapshotCommand::Prune(a)) => prune::run(a, ctx),
        Some(SnapshotCommand::Rm(a)) => rm::run(a, ctx),
    }
}
