//! `stmgr graph delete NAME --ns NS`: prints what it deleted (`{ns, name, deleted}` as JSON).

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::NsArg;
use crate::config::OutputFormat;

/// Arguments of `stmgr graph delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Graph name
    #[arg(value_name = "NAME", add = ArgValueCandidates::new(crate::cli::complete::graph_names))]
    pub name: String,
    #[command(flatten)]
    pub ns: NsArg,
}

/// Runs `stmgr graph delete`.
///
/// # Errors
/// No namespace (exit 2); no such graph and other server errors (exit 1).
pub fn run(args: &DeleteArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let client = online::client(ctx)?;
    ctx.block_on(client.delete_graph(ns, &args.name))
        .with_context(|| format!("cannot delete graph {} of namespace {ns}", args.name))?;
    let p = &ctx.printer;
    let deleted = serde_json::json!({"ns": ns, "name": args.name, "deleted": true});
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&format!("deleted graph {} of namespace {ns}", args.name))?,
        OutputFormat::Json => p.json(&deleted)?,
        OutputFormat::Jsonl => p.jsonl(&deleted)?,
    }
    Ok(ExitCode::SUCCESS)
}
