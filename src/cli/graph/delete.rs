//! `stmgr graph delete NAME --ns NS`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::NsArg;

/// Arguments of `stmgr graph delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Graph name
    #[arg(value_name = "NAME")]
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
    ctx.printer
        .status(&format!("deleted graph {} of namespace {ns}", args.name));
    Ok(ExitCode::SUCCESS)
}
