//! `stmgr checkpoint prune NS ID --keep-last N`.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;

/// Arguments of `stmgr checkpoint prune`.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Namespace
    pub ns: String,
    /// Object id
    pub id: String,
    /// How many of the newest checkpoints to keep
    #[arg(long, value_name = "N")]
    pub keep_last: usize,
}

/// Runs `stmgr checkpoint prune`.
///
/// # Errors
/// Server errors (exit 1).
pub fn run(args: &PruneArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let deleted = ctx.block_on(client.checkpoint_prune(&args.ns, &args.id, args.keep_last))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            for name in &deleted {
                p.line(&format!("deleted {name}"))?;
            }
            p.status(&format!(
                "deleted {} checkpoint(s), kept the newest {}",
                deleted.len(),
                args.keep_last
            ));
        }
        OutputFormat::Json => p.json(&json!({"deleted": deleted}))?,
        OutputFormat::Jsonl => p.jsonl(&json!({"deleted": deleted}))?,
    }
    Ok(ExitCode::SUCCESS)
}
