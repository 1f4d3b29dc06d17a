//! `stmgr checkpoint restore NS ID NAME`.

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;

/// Arguments of `stmgr checkpoint restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Object id
    pub id: String,
    /// Checkpoint name
    pub name: String,
}

/// Runs `stmgr checkpoint restore`: the checkpoint becomes the object's new version.
///
/// # Errors
/// Unknown checkpoint and other server errors (exit 1).
pub fn run(args: &RestoreArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let obj = ctx.block_on(client.checkpoint_restore(&args.ns, &args.id, &args.name))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(&online::OBJECT_HEADERS, vec![online::object_row(&obj)])?,
        OutputFormat::Json => p.json(&obj)?,
        OutputFormat::Jsonl => p.jsonl(&obj)?,
    }
    Ok(ExitCode::SUCCESS)
}
