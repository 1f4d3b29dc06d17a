//! `stmgr get NS ID [--at-seq N | --at RFC3339]`.

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;

/// Read an object (now, or at an earlier commit_seq or time within the history window)
#[derive(Debug, Args)]
#[command(after_help = GET_EXAMPLES)]
pub struct GetArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Object id
    pub id: String,
    /// The version current at this commit_seq
    #[arg(long, value_name = "SEQ", conflicts_with = "at")]
    pub at_seq: Option<u64>,
    /// The version current at this time (RFC 3339)
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
}

/// `--help` examples (also in the man page).
const GET_EXAMPLES: &str = r#"Examples:
  stmgr get agent://demo task-1
  stmgr get agent://demo task-1 -o json | jq .body
  stmgr get agent://demo task-1 --at-seq 120
  stmgr get agent://demo task-1 --at 2026-11-23T10:00:00Z"#;

/// Runs `stmgr get`.
///
/// # Errors
/// Not found and other server errors (exit 1).
pub fn run(args: &GetArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let obj = ctx.block_on(client.get(&args.ns, &args.id, args.at_seq, args.at.as_deref()))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Json) {
        OutputFormat::Table => p.table(&online::OBJECT_HEADERS, vec![online::object_row(&obj)])?,
        OutputFormat::Json => p.json(&obj)?,
        OutputFormat::Jsonl => p.jsonl(&obj)?,
    }
    Ok(ExitCode::SUCCESS)
}
