//! `stmgr supervise stop NAME`.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;

/// Stop a process or instance: its stop signal to the group, then SIGKILL after timeout_stop
#[derive(Debug, Args)]
pub struct StopArgs {
    /// Process or instance name
    pub name: String,
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise stop`.
///
/// # Errors
/// The supervisor is unreachable or refuses (unknown name: 404).
pub fn run(args: &StopArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    super::command(&args.control, &args.name, "stop", ctx)
}
