//! `stmgr run cancel RUN_ID --ns NS`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::NsArg;
use crate::config::OutputFormat;

/// Arguments of `stmgr run cancel`.
#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The run
    #[arg(value_name = "RUN_ID")]
    pub run_id: String,
    #[command(flatten)]
    pub ns: NsArg,
}

/// Runs `stmgr run cancel`.
///
/// # Errors
/// No namespace (exit 2); an unknown run or one cancelled already (exit 1).
pub fn run(args: &CancelArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let client = online::client(ctx)?;
    let answer = ctx
        .block_on(client.cancel_run(ns, &args.run_id))
        .with_context(|| format!("cannot cancel run {}", args.run_id))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&format!(
            "cancelled run {} ({} pending state{} cancelled)",
            answer.run_id,
            answer.cancelled_states,
            if answer.cancelled_states == 1 {
                ""
            } else {
                "s"
            }
        ))?,
        OutputFormat::Json => p.json(&answer)?,
        OutputFormat::Jsonl => p.jsonl(&answer)?,
    }
    Ok(ExitCode::SUCCESS)
}
