//! `stmgr supervise release-lease [--force]`.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;
use crate::config::OutputFormat;

/// Release this supervisor's lease (its processes stop first; another supervisor may take
/// over); with --force, break the lease whoever holds it
#[derive(Debug, Args)]
pub struct ReleaseLeaseArgs {
    /// Break the lease even when another supervisor holds it (make sure that one is gone)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise release-lease`.
///
/// # Errors
/// The supervisor is unreachable (exit 10); without --force, it does not hold the lease
/// (exit 1).
pub fn run(args: &ReleaseLeaseArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    let r = ctx.block_on(client.release_lease(args.force))?;
    match ctx.printer.format_or(OutputFormat::Table) {
        OutputFormat::Table => ctx.printer.table(
            &["action", "holder", "epoch"],
            vec![vec![
                r.action.clone(),
                r.holder.clone(),
                r.epoch.to_string(),
            ]],
        )?,
        OutputFormat::Json => ctx.printer.json(&r)?,
        OutputFormat::Jsonl => ctx.printer.jsonl(&r)?,
    }
    Ok(ExitCode::SUCCESS)
}
