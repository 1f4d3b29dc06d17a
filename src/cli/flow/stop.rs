//! `stmgr flow stop NAME`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;

/// Arguments of `stmgr flow stop`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// Flow name
    pub name: String,
}

/// Runs `stmgr flow stop`: Stop a flow's workers; the flow stays, stopped, until `flow start`.
///
/// # Errors
/// No such flow, a deploy rolling out, or the server (exit 1).
pub fn run(args: &StopArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    super::action(ctx, &args.name, "stop")
}
