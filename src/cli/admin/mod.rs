//! (being written by the engine author)
use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;

/// (being written)
#[derive(Debug, Args)]
pub struct AdminArgs {}

/// Runs the command.
pub fn run(_args: &AdminArgs, _ctx: &Context) -> anyhow::Result<ExitCode> {
    anyhow::bail!("in progress")
}
