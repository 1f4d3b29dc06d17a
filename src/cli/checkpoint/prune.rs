//! `stmgr checkpoint prune NS ID --keep-last N`.
//!
//! The result goes to stdout in every format: a line `deleted NAME` per checkpoint deleted
//! (table), or one document `{"ns", "id", "deleted": [NAME...], "keep_last"}` (json: pretty,
//! jsonl: one line). The summary goes to stderr (not with `-q`).

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;
use serde::Serialize;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;

/// Arguments of `stmgr checkpoint prune`.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Object id
    pub id: String,
    /// How many of the newest checkpoints to keep
    #[arg(long, value_name = "N")]
    pub keep_last: usize,
}

/// The result, as printed with `--output json` and `jsonl`.
#[derive(Debug, Serialize)]
struct Pruned<'a> {
    ns: &'a str,
    id: &'a str,
    /// Names of the checkpoints deleted, oldest first.
    deleted: &'a [String],
    keep_last: usize,
}

/// Runs `stmgr checkpoint prune`.
///
/// # Errors
/// Server errors (exit 1).
pub fn run(args: &PruneArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let deleted = ctx.block_on(client.checkpoint_prune(&args.ns, &args.id, args.keep_last))?;
    let p = &ctx.printer;
    let result = Pruned {
        ns: &args.ns,
        id: &args.id,
        deleted: &deleted,
        keep_last: args.keep_last,
    };
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            for name in &deleted {
                p.line(&format!("deleted {name}"))?;
            }
        }
        OutputFormat::Json => p.json(&result)?,
        OutputFormat::Jsonl => p.jsonl(&result)?,
    }
    p.status(&format!(
        "deleted {} checkpoint(s) of {}/{}, kept the newest {}",
        deleted.len(),
        args.ns,
        args.id,
        args.keep_last
    ));
    Ok(ExitCode::SUCCESS)
}
