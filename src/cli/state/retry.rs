//! `stmgr state retry STATE_ID --ns NS [--fanout-id ID]`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::NsArg;
use crate::config::OutputFormat;

/// Arguments of `stmgr state retry`.
#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The state to retry
    #[arg(value_name = "STATE_ID")]
    pub state_id: String,
    #[command(flatten)]
    pub ns: NsArg,
    /// Deduplicates the retry: the same id twice is refused [default: a new ULID]
    #[arg(long, value_name = "ID")]
    pub fanout_id: Option<String>,
}

/// Runs `stmgr state retry`: prints the new state id.
///
/// # Errors
/// No namespace (exit 2); an unknown or still pending state, a fanout id used already (exit 1).
pub fn run(args: &RetryArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let fanout_id = args
        .fanout_id
        .clone()
        .unwrap_or_else(|| ulid::Ulid::generate().to_string());
    let client = online::client(ctx)?;
    let retried = ctx
        .block_on(client.manual_retry(ns, &args.state_id, &fanout_id))
        .with_context(|| format!("cannot retry state {}", args.state_id))?;
    let p = &ctx.printer;
    let doc = || json!({"id": retried.id, "status": retried.status, "fanout_id": fanout_id});
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&retried.id)?,
        OutputFormat::Json => p.json(&doc())?,
        OutputFormat::Jsonl => p.jsonl(&doc())?,
    }
    p.status(&format!(
        "retry of state {} created: state {} (fanout id {fanout_id})",
        args.state_id, retried.id
    ));
    Ok(ExitCode::SUCCESS)
}
