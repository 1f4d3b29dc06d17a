//! `stmgr run list|show|cancel`: workflow runs (API v0).

mod cancel;
mod list;
mod show;
mod tree;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;

/// Workflow runs: list, show, cancel
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(subcommand)]
    command: RunCommand,
}

#[derive(Debug, Subcommand)]
enum RunCommand {
    /// List runs, newest first, with their status and state counters
    ///
    /// Reads the server's pages (`runs/{page}/{size}`) until --limit runs matched the filters.
    /// Counters: success = SUCCESS + PRUNED; pending = CREATED + QUEUED + EXECUTED;
    /// errored = ERRORED + NEXT_CREATED_ERROR + TIMEDOUT; retried = RETRY_CREATED.
    List(list::ListArgs),
    /// Show the states of a run as a table, or as a tree of parents and children (--tree)
    Show(show::ShowArgs),
    /// Cancel a run: its pending states become CANCELLED
    Cancel(cancel::CancelArgs),
}

/// Runs `stmgr run ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &RunArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        RunCommand::List(a) => list::run(a, ctx),
        RunCommand::Show(a) => show::run(a, ctx),
        RunCommand::Cancel(a) => cancel::run(a, ctx),
    }
}
