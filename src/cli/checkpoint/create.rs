//! `stmgr checkpoint create NS ID NAME [--metadata JSON]`.

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::cli::online;
use crate::config::OutputFormat;

/// Arguments of `stmgr checkpoint create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Object id
    pub id: String,
    /// Checkpoint name (unique per object)
    pub name: String,
    /// JSON metadata to keep with it
    #[arg(long, value_name = "JSON")]
    pub metadata: Option<String>,
}

/// Runs `stmgr checkpoint create`.
///
/// # Errors
/// Bad metadata (exit 2); missing object or existing name (exit 1).
pub fn run(args: &CreateArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let metadata: Option<serde_json::Value> = match &args.metadata {
        Some(m) => Some(
            serde_json::from_str(m)
                .map_err(|e| UsageError::new(format!("--metadata is not JSON: {e}")))?,
        ),
        None => None,
    };
    let client = online::client(ctx)?;
    let c =
        ctx.block_on(client.checkpoint_create(&args.ns, &args.id, &args.name, metadata.as_ref()))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(&super::HEADERS, vec![super::row(&c)])?,
        OutputFormat::Json => p.json(&c)?,
        OutputFormat::Jsonl => p.jsonl(&c)?,
    }
    Ok(ExitCode::SUCCESS)
}
