//! `stmgr run list --ns NS [--graph G] [--status S] [--limit N]`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::NsArg;
use crate::client::workflows::RunOut;
use crate::config::OutputFormat;
use crate::workflow::RunStatus;

/// Arguments of `stmgr run list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub ns: NsArg,
    /// Only runs of this graph
    #[arg(long, value_name = "GRAPH")]
    pub graph: Option<String>,
    /// Only runs with this status
    #[arg(long, value_enum, ignore_case = true, value_name = "STATUS")]
    pub status: Option<StatusFilter>,
    /// At most this many runs (0: all)
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: usize,
}

/// A run status to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// Some state is still pending.
    Pending,
    /// Everything finished well.
    Success,
    /// Something failed.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl StatusFilter {
    fn matches(self, status: RunStatus) -> bool {
        matches!(
            (self, status),
            (StatusFilter::Pending, RunStatus::Pending)
                | (StatusFilter::Success, RunStatus::Success)
                | (StatusFilter::Failed, RunStatus::Failed)
                | (StatusFilter::Cancelled, RunStatus::Cancelled)
        )
    }
}

/// Runs per page asked of the server.
const PAGE_SIZE: usize = 200;

/// Runs `stmgr run list`.
///
/// # Errors
/// No namespace (exit 2); server errors (exit 1).
pub fn run(args: &ListArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let client = online::client(ctx)?;
    let wanted = |r: &RunOut| {
        args.graph.as_ref().is_none_or(|g| &r.graph_name == g)
            && args.status.is_none_or(|s| s.matches(r.status))
    };
    let limit = if args.limit == 0 {
        usize::MAX
    } else {
        args.limit
    };
    let mut runs = Vec::new();
    let mut page = 1;
    while runs.len() < limit {
        let answer = ctx
            .block_on(client.runs(ns, page, PAGE_SIZE))
            .with_context(|| format!("cannot list the runs of namespace {ns}"))?;
        let last = answer.runs.len() < PAGE_SIZE || page.saturating_mul(PAGE_SIZE) >= answer.total;
        runs.extend(answer.runs.into_iter().filter(&wanted));
        if last {
            break;
        }
        page += 1;
    }
    runs.truncate(limit);
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(
            &[
                "run_id",
                "graph",
                "status",
                "success",
                "pending",
                "errored",
                "retried",
                "cancelled",
                "total",
                "created_at",
            ],
            runs.iter().map(row).collect(),
        )?,
        OutputFormat::Json => p.json(&runs)?,
        OutputFormat::Jsonl => {
            for r in &runs {
                p.jsonl(r)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn row(r: &RunOut) -> Vec<String> {
    let status = serde_json::to_value(r.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    vec![
        r.run_id.clone(),
        r.graph_name.clone(),
        status,
        r.success_count.to_string(),
        r.pending_count.to_string(),
        r.errored_count.to_string(),
        r.retried_count.to_string(),
        r.cancelled_count.to_string(),
        r.total_count.to_string(),
        r.created_at.clone(),
    ]
}
