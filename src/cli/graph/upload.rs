//! `stmgr graph upload FILE [--name NAME] [--ns NS] [--wait] [--wait-timeout 60s]`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::cli::online;
use crate::client::Client;
use crate::client::workflows::GraphOut;
use crate::config::OutputFormat;

/// Arguments of `stmgr graph upload`.
#[derive(Debug, Args)]
#[command(after_help = UPLOAD_EXAMPLES)]
pub struct UploadArgs {
    /// Graph file: TOML if the name ends in .toml, else JSON; - reads JSON from stdin
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub file: String,
    /// Graph name [default: the file's `name`]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Workflow namespace, also of the nodes without one [default: the file's `namespace`]
    #[arg(
        long = "ns",
        env = "STMGR_NS",
        hide_env_values = true,
        value_name = "NS",
        add = ArgValueCandidates::new(crate::cli::complete::workflow_namespaces)
    )]
    pub ns: Option<String>,
    /// Wait until the server has checked the graph against the registered nodes
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits for VALID or INVALID
    #[arg(
        long,
        default_value = "60s",
        value_parser = humantime::parse_duration,
        value_name = "DURATION",
        requires = "wait"
    )]
    pub wait_timeout: Duration,
}

/// `--help` examples (also in the man page).
const UPLOAD_EXAMPLES: &str = r#"Examples:
  stmgr graph upload examples/graph.toml --wait
  stmgr graph upload graph.json --ns prod --name files --wait --wait-timeout 2m
  cat graph.json | stmgr graph upload - --ns prod --name files
  stmgr graph validate examples/graph.toml          # the same checks, offline"#;

/// Pause between polls of `--wait`: from `FIRST_POLL`, doubling up to `MAX_POLL`.
const FIRST_POLL: Duration = Duration::from_millis(50);
const MAX_POLL: Duration = Duration::from_millis(500);

/// Runs `stmgr graph upload`.
///
/// # Errors
/// No name or namespace (exit 2); a file with errors, a refusal, an INVALID graph or a
/// `--wait` that timed out (exit 1).
pub fn run(args: &UploadArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    let checked = super::check_file(&args.file, args.ns.as_deref(), p)?;
    let ns = args
        .ns
        .clone()
        .or_else(|| checked.file.namespace.clone())
        .filter(|ns| !ns.is_empty())
        .ok_or_else(|| {
            UsageError::new(
                "no workflow namespace: pass --ns NS, set STMGR_NS or give `namespace` in the file",
            )
        })?;
    let name = args
        .name
        .clone()
        .or_else(|| checked.file.name.clone())
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| {
            UsageError::new("no graph name: pass --name NAME or give `name` in the file")
        })?;

    let client = online::client(ctx)?;
    let mut graph = ctx
        .block_on(client.upsert_graph(&ns, &name, &checked.input))
        .with_context(|| format!("cannot upload graph {name} to namespace {ns}"))?;
    if args.wait && graph.is_pending() {
        p.status(&format!(
            "graph {name} uploaded; waiting for the server to check it against the registered nodes"
        ));
        graph = ctx.block_on(wait_checked(&client, &ns, &name, args.wait_timeout))?;
    }
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(&super::HEADERS, vec![super::row(&graph)])?,
        OutputFormat::Json => p.json(&graph)?,
        OutputFormat::Jsonl => p.jsonl(&graph)?,
    }
    if graph.validation_status == "INVALID" {
        let n = graph.validation_errors.len();
        anyhow::bail!(
            "graph {name} is INVALID ({n} error{})",
            if n == 1 { "" } else { "s" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Polls `GET graph/{name}` until it is not PENDING, for at most `timeout`.
async fn wait_checked(
    client: &Client,
    ns: &str,
    name: &str,
    timeout: Duration,
) -> anyhow::Result<GraphOut> {
    let deadline = Instant::now() + timeout;
    let mut pause = FIRST_POLL;
    loop {
        let graph = client
            .graph(ns, name)
            .await
            .with_context(|| format!("cannot read graph {name} back"))?;
        if !graph.is_pending() {
            return Ok(graph);
        }
        let now = Instant::now();
        if now >= deadline {
            anyhow::bail!(
                "graph {name} is still PENDING after {} (raise it with --wait-timeout)",
                humantime::format_duration(timeout)
            );
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(MAX_POLL);
    }
}
