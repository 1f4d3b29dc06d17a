//! `stmgr graph trigger NAME --ns NS [--input K=V]... [--store K=V]... [--start-delay 5s]`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::{NsArg, key_value, pairs};
use crate::config::OutputFormat;
use crate::workflow::TriggerInput;

/// Arguments of `stmgr graph trigger`.
#[derive(Debug, Args)]
#[command(after_help = TRIGGER_EXAMPLES)]
pub struct TriggerArgs {
    /// Graph name
    #[arg(value_name = "NAME", add = ArgValueCandidates::new(crate::cli::complete::graph_names))]
    pub name: String,
    #[command(flatten)]
    pub ns: NsArg,
    /// Override an input of the root node (repeatable)
    #[arg(long = "input", value_name = "KEY=VALUE", value_parser = key_value)]
    pub inputs: Vec<(String, String)>,
    /// Set a key of the run's store (repeatable; required keys must be given unless defaulted)
    #[arg(long = "store", value_name = "KEY=VALUE", value_parser = key_value)]
    pub store: Vec<(String, String)>,
    /// Do not hand out the root state before this delay (e.g. 5s, 10m)
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub start_delay: Option<Duration>,
}

/// `--help` examples (also in the man page).
const TRIGGER_EXAMPLES: &str = r#"Examples:
  stmgr graph trigger files --ns prod
  stmgr graph trigger files --ns prod --input path=/data/in --store bucket=archive
  stmgr graph trigger files --ns prod --start-delay 10m -o json"#;

/// Runs `stmgr graph trigger`: prints the run id (with `--output json`, the server's answer).
///
/// # Errors
/// No namespace (exit 2); a graph that is missing or not VALID, a missing store key (exit 1).
pub fn run(args: &TriggerArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let input = TriggerInput {
        inputs: pairs(&args.inputs),
        store: pairs(&args.store),
        start_delay: args
            .start_delay
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
    };
    let client = online::client(ctx)?;
    let answer = ctx
        .block_on(client.trigger(ns, &args.name, &input))
        .with_context(|| format!("cannot trigger graph {} of namespace {ns}", args.name))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&answer.run_id)?,
        OutputFormat::Json => p.json(&answer)?,
        OutputFormat::Jsonl => p.jsonl(&answer)?,
    }
    p.status(&format!(
        "run {} of graph {} created",
        answer.run_id, args.name
    ));
    Ok(ExitCode::SUCCESS)
}
