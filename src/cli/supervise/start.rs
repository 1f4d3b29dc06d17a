//! `stmgr supervise start NAME`.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;

/// Start a process (all its instances) or one instance (NAME.N); a FATAL one is reset
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Process or instance name
    pub name: String,
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise start`.
///
/// # Errors
/// The supervisor is unreachable or refuses (unknown name: 404).
pub fn run(args: &StartArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    super::command(&args.control, &args.name, "start", ctx)
}
