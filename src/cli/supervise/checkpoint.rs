//! `stmgr supervise checkpoint`: copy the state directory into a new checkpoint.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;

/// Copy the state directory ([state] dir) into a new checkpoint in the bucket; prints its id
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise checkpoint`.
///
/// # Errors
/// The supervisor is unreachable (exit 10) or refuses (no [state], lease not held, bucket
/// errors: exit 1).
pub fn run(args: &CheckpointArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    let m = ctx.block_on(client.checkpoint())?;
    super::print_checkpoints(ctx, &[m])?;
    Ok(ExitCode::SUCCESS)
}
