//! `stmgr graph show NAME --ns NS`: the template and its status, then its nodes as a table.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::{NsArg, lines};
use crate::client::workflows::GraphOut;
use crate::config::OutputFormat;
use crate::workflow::{NodeTemplate, RetryPolicy};

/// Arguments of `stmgr graph show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Graph name
    #[arg(value_name = "NAME", add = ArgValueCandidates::new(crate::cli::complete::graph_names))]
    pub name: String,
    #[command(flatten)]
    pub ns: NsArg,
}

/// Runs `stmgr graph show`.
///
/// # Errors
/// No namespace (exit 2); no such graph and other server errors (exit 1).
pub fn run(args: &ShowArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let client = online::client(ctx)?;
    let graph = ctx
        .block_on(client.graph(ns, &args.name))
        .with_context(|| format!("cannot read graph {} of namespace {ns}", args.name))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            p.table(&["field", "value"], summary(&graph))?;
            p.table(
                &[
                    "identifier",
                    "node",
                    "namespace",
                    "next_nodes",
                    "unites",
                    "inputs",
                ],
                graph.nodes.iter().map(node_row).collect(),
            )?;
        }
        OutputFormat::Json => p.json(&graph)?,
        OutputFormat::Jsonl => p.jsonl(&graph)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The template's fields as `field | value` rows.
fn summary(g: &GraphOut) -> Vec<Vec<String>> {
    let store = g.store_config.clone().unwrap_or_default();
    let rows = [
        ("name", g.name.clone()),
        ("namespace", g.namespace.clone()),
        ("status", g.validation_status.clone()),
        ("errors", lines(&g.validation_errors)),
        ("nodes", g.nodes.len().to_string()),
        ("secrets", lines(g.secrets.keys())),
        ("store required", lines(&store.required_keys)),
        (
            "store defaults",
            lines(store.default_values.iter().map(|(k, v)| format!("{k}={v}"))),
        ),
        (
            "retry policy",
            g.retry_policy
                .as_ref()
                .map_or_else(|| "-".to_owned(), policy),
        ),
        (
            "triggers",
            lines(g.triggers.iter().map(|t| match &t.value.timezone {
                Some(tz) => format!("cron {} ({tz})", t.value.expression),
                None => format!("cron {} (UTC)", t.value.expression),
            })),
        ),
        ("created_at", g.created_at.clone()),
        ("updated_at", g.updated_at.clone()),
    ];
    rows.into_iter()
        .map(|(k, v)| vec![k.to_owned(), v])
        .collect()
}

/// "EXPONENTIAL, 3 retries, backoff 2000 ms, exponent 2, max delay 10000 ms".
fn policy(r: &RetryPolicy) -> String {
    let strategy = serde_json::to_value(r.strategy)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut text = format!(
        "{strategy}, {} retries, backoff {} ms, exponent {}",
        r.max_retries, r.backoff_factor, r.exponent
    );
    if let Some(max) = r.max_delay {
        text.push_str(&format!(", max delay {max} ms"));
    }
    text
}

/// One node of the template as a table row.
fn node_row(n: &NodeTemplate) -> Vec<String> {
    let unites = n.unites.as_ref().map_or_else(
        || "-".to_owned(),
        |u| {
            let strategy = serde_json::to_value(u.strategy)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{} ({strategy})", u.identifier)
        },
    );
    vec![
        n.identifier.clone(),
        n.node_name.clone(),
        n.namespace.clone(),
        lines(n.next()),
        unites,
        lines(n.inputs.iter().map(|(k, v)| match v.as_str() {
            Some(s) => format!("{k}={s}"),
            None => format!("{k}={v}"),
        })),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_reads_like_a_sentence() {
        let text = policy(&RetryPolicy::default());
        assert_eq!(text, "EXPONENTIAL, 3 retries, backoff 2000 ms, exponent 2");
    }
}
