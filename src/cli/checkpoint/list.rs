//! `stmgr checkpoint list NS ID`.

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;

/// Arguments of `stmgr checkpoint list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Object id
    pub id: String,
}

/// Runs `stmgr checkpoint list`.
///
/// # Errors
/// Server errors (exit 1).
pub fn run(args: &ListArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let list = ctx.block_on(client.checkpoints(&args.ns, &args.id))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(&super::HEADERS, list.iter().map(super::row).collect())?,
        OutputFormat::Json => p.json(&list)?,
        OutputFormat::Jsonl => {
            for c in &list {
                p.jsonl(c)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
