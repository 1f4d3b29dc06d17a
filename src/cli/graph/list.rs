//! `stmgr graph list --ns NS`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::NsArg;
use crate::config::OutputFormat;

/// Arguments of `stmgr graph list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub ns: NsArg,
}

/// Runs `stmgr graph list`.
///
/// # Errors
/// No namespace (exit 2); server errors (exit 1).
pub fn run(args: &ListArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let client = online::client(ctx)?;
    let list = ctx
        .block_on(client.graphs(ns))
        .with_context(|| format!("cannot list the graphs of namespace {ns}"))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            p.table(
                &super::HEADERS,
                list.templates.iter().map(super::row).collect(),
            )?;
        }
        OutputFormat::Json => p.json(&list)?,
        OutputFormat::Jsonl => {
            for g in &list.templates {
                p.jsonl(g)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
