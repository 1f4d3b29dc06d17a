//! `stmgr snapshot` (take one of a stopped server's data directory) and `stmgr snapshot list`.

mod create;
mod list;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;

/// Take a snapshot of the data directory (offline), or list its snapshots
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SnapshotArgs {
    #[command(subcommand)]
    command: Option<SnapshotCommand>,
}

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
