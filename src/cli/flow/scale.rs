//! `stmgr flow scale NAME N [--worker W]`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;

/// Arguments of `stmgr flow scale`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stmgr flow scale etl 4\n  stmgr flow scale etl 0 --worker fetch"
)]
pub struct ScaleArgs {
    /// Flow name
    pub name: String,
    /// Replicas of the worker (0 stops it)
    pub replicas: u32,
    /// The worker to scale (may be left out when the flow has one)
    #[arg(long, short = 'w')]
    pub worker: Option<String>,
}

/// Runs `stmgr flow scale`: replicas are started or stopped at once; the others stay.
///
/// # Errors
/// No such flow or worker, a deploy rolling out, or the server (exit 1).
pub fn run(args: &ScaleArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let flow =
        ctx.block_on(client.flow_scale(&args.name, args.worker.as_deref(), args.replicas))?;
    match ctx.printer.format_or(OutputFormat::Table) {
        OutputFormat::Json => ctx.printer.json(&flow)?,
        _ => super::print(ctx, std::slice::from_ref(&flow))?,
    }
    Ok(ExitCode::SUCCESS)
}
