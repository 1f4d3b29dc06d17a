//! `stmgr snapshot` (take one of a stopped server's data directory) and `stmgr snapshot list`.

mod create;
mod list;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;

/// Take a snapshot of the data directory (offline), or list its snapshots
#[derive(Debug, Args)]
#[command(after_help = SNAPSHOT_EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct SnapshotArgs {
    #[command(subcommand)]
    command: Option<SnapshotCommand>,
}

/// `--help` examples (also in the man page).
const SNAPSHOT_EXAMPLES: &str = r#"Examples:
  stmgr snapshot --server http://127.0.0.1:8080     # through a running server
  stmgr snapshot --data-dir /var/lib/stmgr          # a stopped server's data directory
  stmgr snapshot list
  stmgr snapshot list -o json | jq -r '.[-1].snapshot_id'    # the newest"#;

#[derive(Debug, Subcommand)]
enum SnapshotCommand {
    /// List the snapshots of the data directory (works while a server runs)
    List(list::ListArgs),
}

/// Runs `stmgr snapshot ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &SnapshotArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        None => create::run(ctx),
        Some(SnapshotCommand::List(a)) => list::run(a, ctx),
    }
}
