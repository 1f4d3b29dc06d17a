//! `stmgr run show RUN_ID --ns NS [--tree | --state STATE_ID]`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use serde_json::Value;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::{NsArg, cell, lines};
use crate::client::workflows::{RunGraph, RunNode, StateDetail};
use crate::config::OutputFormat;

/// Arguments of `stmgr run show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The run
    #[arg(value_name = "RUN_ID")]
    pub run_id: String,
    #[command(flatten)]
    pub ns: NsArg,
    /// Print the states as a tree: each state under the state that created it
    #[arg(long, conflicts_with = "state")]
    pub tree: bool,
    /// Show one state of the run in full: inputs, outputs, error, parents
    #[arg(long, value_name = "STATE_ID")]
    pub state: Option<String>,
}

/// Runs `stmgr run show`.
///
/// # Errors
/// No namespace (exit 2); an unknown run or state (exit 1).
pub fn run(args: &ShowArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let client = online::client(ctx)?;
    let graph = ctx
        .block_on(client.run_graph(ns, &args.run_id))
        .with_context(|| format!("cannot read run {}", args.run_id))?;
    let p = &ctx.printer;
    if let Some(state_id) = &args.state {
        let graph_name = graph.graph_name.clone().unwrap_or_default();
        let state = ctx
            .block_on(client.state(ns, &graph_name, &args.run_id, state_id))
            .with_context(|| format!("cannot read state {state_id} of run {}", args.run_id))?;
        match p.format_or(OutputFormat::Table) {
            OutputFormat::Table => p.table(&["field", "value"], detail(&state))?,
            OutputFormat::Json => p.json(&state)?,
            OutputFormat::Jsonl => p.jsonl(&state)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table if args.tree => p.line(&super::tree::render(&graph))?,
        OutputFormat::Table => {
            p.table(
                &["id", "identifier", "node", "status", "retry", "error"],
                graph.nodes.iter().map(row).collect(),
            )?;
            p.status(&summary(&graph));
        }
        OutputFormat::Json => p.json(&graph)?,
        OutputFormat::Jsonl => {
            for n in &graph.nodes {
                p.jsonl(n)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn row(n: &RunNode) -> Vec<String> {
    vec![
        n.id.clone(),
        n.identifier.clone(),
        n.node_name.clone(),
        n.status.to_string(),
        n.retry_count.to_string(),
        n.error.as_deref().map_or_else(|| "-".to_owned(), cell),
    ]
}

/// "graph g: 3 states (SUCCESS 2, CREATED 1)".
fn summary(g: &RunGraph) -> String {
    let counts: Vec<String> = g
        .execution_summary
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(status, n)| format!("{status} {n}"))
        .collect();
    format!(
        "graph {}: {} state{} ({})",
        g.graph_name.as_deref().unwrap_or("?"),
        g.nodes.len(),
        if g.nodes.len() == 1 { "" } else { "s" },
        counts.join(", ")
    )
}

/// One state's fields as `field | value` rows.
fn detail(s: &StateDetail) -> Vec<Vec<String>> {
    let json = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let rows = [
        ("id", s.id.clone()),
        ("identifier", s.identifier.clone()),
        ("node", s.node_name.clone()),
        ("graph", s.graph_name.clone()),
        ("run_id", s.run_id.clone()),
        ("status", s.status.to_string()),
        ("retry_count", s.retry_count.to_string()),
        ("error", s.error.clone().unwrap_or_else(|| "-".to_owned())),
        ("inputs", json(&s.inputs)),
        ("outputs", json(&s.outputs)),
        ("data", s.data.as_ref().map_or_else(|| "-".to_owned(), json)),
        (
            "parents",
            lines(s.parents.iter().map(|(id, state)| format!("{id}: {state}"))),
        ),
        ("created_at", s.created_at.clone()),
        ("updated_at", s.updated_at.clone()),
    ];
    rows.into_iter()
        .map(|(k, v)| vec![k.to_owned(), v])
        .collect()
}
