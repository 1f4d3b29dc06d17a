//! `stmgr supervise restore ID`: put a checkpoint in place of the state directory.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;
use crate::config::OutputFormat;

/// Restore a checkpoint: download and check it, stop the processes, swap the state directory
/// (the old one is kept aside), start them again. A missing or damaged checkpoint changes
/// nothing
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Checkpoint id (ckpt-…; `stmgr supervise checkpoints` lists them)
    pub id: String,
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise restore`.
///
/// # Errors
/// The supervisor is unreachable (exit 10) or refuses: unknown or damaged checkpoint, lease
/// not held (exit 1).
pub fn run(args: &RestoreArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    let report = ctx.block_on(client.restore(&args.id))?;
    match ctx.printer.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            super::print_checkpoints(ctx, std::slice::from_ref(&report.checkpoint))?;
            if let Some(p) = &report.kept_aside {
                ctx.printer.status(&format!(
                    "the replaced directory is kept at {}",
                    p.display()
                ));
            }
        }
        OutputFormat::Json => ctx.printer.json(&report)?,
        OutputFormat::Jsonl => ctx.printer.jsonl(&report)?,
    }
    Ok(ExitCode::SUCCESS)
}
