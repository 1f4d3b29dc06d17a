//! `stmgr state retry`: workflow states (API v0).

mod retry;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;

/// Workflow states: retry one by hand
#[derive(Debug, Args)]
pub struct StateArgs {
    #[command(subcommand)]
    command: StateCommand,
}

#[derive(Debug, Subcommand)]
enum StateCommand {
    /// Retry a finished state (errored, timed out, ...) as a new CREATED state
    ///
    /// Prints the new state's id. The fanout id makes the retry idempotent: the server refuses
    /// a second retry with the same id (409, exit 1), so a script that retries with a fixed
    /// --fanout-id cannot create two copies.
    Retry(retry::RetryArgs),
}

/// Runs `stmgr state ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &StateArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        StateCommand::Retry(a) => retry::run(a, ctx),
    }
}
