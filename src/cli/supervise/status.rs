//! `stmgr supervise status`: every instance of a running supervisor.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;
use crate::config::OutputFormat;

/// Show every process: state, readiness, pid, uptime, restarts, last exit, reason
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise status`.
///
/// # Errors
/// The supervisor is unreachable (exit 10) or answers an error.
pub fn run(args: &StatusArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    let overview = ctx.block_on(client.overview())?;
    if ctx.printer.format_or(OutputFormat::Table) == OutputFormat::Json {
        ctx.printer.json(&overview)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !overview.configured {
        ctx.printer
            .status("the supervisor is not configured yet (POST /config or a config file)");
    }
    super::print_instances(ctx, &overview.processes)?;
    Ok(ExitCode::SUCCESS)
}
