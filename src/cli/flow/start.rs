//! `stmgr flow start NAME`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;

/// Arguments of `stmgr flow start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Flow name
    pub name: String,
}

/// Runs `stmgr flow start`: Start a stopped flow's workers (all at once).
///
/// # Errors
/// No such flow, a deploy rolling out, or the server (exit 1).
pub fn run(args: &StartArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    super::action(ctx, &args.name, "start")
}
