//! `stmgr flow ls`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;

/// Arguments of `stmgr flow ls`.
#[derive(Debug, Args)]
pub struct LsArgs {}

/// Runs `stmgr flow ls`: every flow with its desired state, last deploy and ready replicas.
///
/// # Errors
/// The server (exit 1, 10 when unreachable).
pub fn run(_args: &LsArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let flows = ctx.block_on(client.flow_list())?;
    super::print(ctx, &flows)?;
    Ok(ExitCode::SUCCESS)
}
