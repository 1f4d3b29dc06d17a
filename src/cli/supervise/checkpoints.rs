//! `stmgr supervise checkpoints`: list the checkpoints in the bucket.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;

/// List the checkpoints in the bucket, oldest first
#[derive(Debug, Args)]
pub struct CheckpointsArgs {
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise checkpoints`.
///
/// # Errors
/// The supervisor is unreachable (exit 10) or answers an error (exit 1).
pub fn run(args: &CheckpointsArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    let list = ctx.block_on(client.checkpoints())?;
    super::print_checkpoints(ctx, &list)?;
    Ok(ExitCode::SUCCESS)
}
