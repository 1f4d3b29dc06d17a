//! `stmgr flow rm NAME`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;

/// Arguments of `stmgr flow rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Flow name
    pub name: String,
}

/// Runs `stmgr flow rm`: stops the flow's workers and removes it (its logs go too).
///
/// # Errors
/// No such flow, a deploy rolling out, or the server (exit 1).
pub fn run(args: &RmArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    ctx.block_on(client.flow_remove(&args.name))?;
    ctx.printer.status(&format!("flow {} removed", args.name));
    Ok(ExitCode::SUCCESS)
}
