//! `stmgr supervise signal NAME SIGNAL`.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;

/// Send a signal (HUP, SIGUSR1, 15, …) to the process group of a process or instance
#[derive(Debug, Args)]
pub struct SignalArgs {
    /// Process or instance name
    pub name: String,
    /// Signal name or number
    pub signal: String,
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise signal`.
///
/// # Errors
/// Unreachable, unknown name (404), bad signal (400), not running (409).
pub fn run(args: &SignalArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    ctx.block_on(client.signal(&args.name, &args.signal))?;
    ctx.printer
        .status(&format!("sent {} to {}", args.signal, args.name));
    Ok(ExitCode::SUCCESS)
}
