//! (being written by the engine author)
use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;

/// (being written)
#[derive(Debug, Args)]
pub struct TrimWalArgs {}

/// Runs the command.
pub fn run(_args: &TrimWalArgs, _ctx: &Context) -> anyhow::Result<ExitCode> {
    anyhow::bail!("in progress")
}
