//! `stmgr supervise restart NAME`.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;

/// Stop, then start a process or instance
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Process or instance name
    pub name: String,
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise restart`.
///
/// # Errors
/// The supervisor is unreachable or refuses (unknown name: 404).
pub fn run(args: &RestartArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    super::command(&args.control, &args.name, "restart", ctx)
}
