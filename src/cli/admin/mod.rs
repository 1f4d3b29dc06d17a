//! `stmgr admin ...`: operator commands on a data directory (`dump`, `verify`).

mod dump;
mod verify;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;

/// Operator commands on a data directory: dump its objects, verify its files
#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Print the live objects (read-only; works while a server holds the directory)
    Dump(dump::DumpArgs),
    /// Check every WAL frame and snapshot; exit 1 on corruption
    Verify(verify::VerifyArgs),
}

/// Runs `stmgr admin ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &AdminArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        AdminCommand::Dump(a) => dump::run(a, ctx),
        AdminCommand::Verify(a) => verify::run(a, ctx),
    }
}
