//! `stmgr flow restart NAME`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;

/// Arguments of `stmgr flow restart`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Flow name
    pub name: String,
}

/// Runs `stmgr flow restart`: Restart every replica of a flow (a stopped flow is started).
///
/// # Errors
/// No such flow, a deploy rolling out, or the server (exit 1).
pub fn run(args: &RestartArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    super::action(ctx, &args.name, "restart")
}
