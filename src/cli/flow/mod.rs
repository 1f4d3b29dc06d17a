//! `stmgr flow deploy|ls|status|start|stop|restart|rm|scale|send|dump|logs|events`: flows of supervised
//! workers run by the server (see docs/guides/flows.md).

mod deploy;
mod dump;
mod events;
mod logs;
mod ls;
mod restart;
mod rm;
mod scale;
mod send;
mod start;
mod status;
mod stop;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;
use crate::flow::wire::FlowSummary;

/// Flows of supervised workers: deploy, list, status, start, stop, restart, remove, scale, send, logs
#[derive(Debug, Args)]
pub struct FlowArgs {
    #[command(subcommand)]
    command: FlowCommand,
}

#[derive(Debug, Subcommand)]
enum FlowCommand {
    /// Create or update a flow from its manifest (TOML or JSON)
    Deploy(deploy::DeployArgs),
    /// List the flows
    Ls(ls::LsArgs),
    /// Show a flow and every replica: state, pid, uptime, restarts, last exit, CPU, memory
    Status(status::StatusArgs),
    /// Start a stopped flow's workers
    Start(start::StartArgs),
    /// Stop a flow's workers (the flow stays, stopped)
    Stop(stop::StopArgs),
    /// Restart every replica of a flow
    Restart(restart::RestartArgs),
    /// Stop a flow's workers and remove the flow
    Rm(rm::RmArgs),
    /// Set the number of replicas of a worker
    Scale(scale::ScaleArgs),
    /// Send a command to a replica's control socket and print its reply
    Send(send::SendArgs),
    /// Ask a replica for its dump (`send … dump`)
    Dump(dump::DumpArgs),
    /// Print flow events (state changes, crashes, restarts, alerts, activity); -f follows
    Events(events::EventsArgs),
    /// Print what a flow's replicas wrote (every replica's, or FLOW/REPLICA's); -f follows
    Logs(logs::LogsArgs),
}

/// Runs `stmgr flow ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &FlowArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        FlowCommand::Deploy(a) => deploy::run(a, ctx),
        FlowCommand::Ls(a) => ls::run(a, ctx),
        FlowCommand::Status(a) => status::run(a, ctx),
        FlowCommand::Start(a) => start::run(a, ctx),
        FlowCommand::Stop(a) => stop::run(a, ctx),
        FlowCommand::Restart(a) => restart::run(a, ctx),
        FlowCommand::Rm(a) => rm::run(a, ctx),
        FlowCommand::Scale(a) => scale::run(a, ctx),
        FlowCommand::Send(a) => send::run(a, ctx),
        FlowCommand::Dump(a) => dump::run(a, ctx),
        FlowCommand::Events(a) => events::run(a, ctx),
        FlowCommand::Logs(a) => logs::run(a, ctx),
    }
}

/// Table headers of a flow listing.
const HEADERS: [&str; 6] = [
    "name",
    "desired",
    "deploy",
    "ready",
    "generation",
    "updated_at",
];

/// One table row of a flow.
fn row(f: &FlowSummary) -> Vec<String> {
    vec![
        f.name.clone(),
        f.desired.to_string(),
        f.deploy.to_string(),
        format!("{}/{}", f.ready, f.replicas),
        f.generation.to_string(),
        f.updated_at.clone(),
    ]
}

/// Prints flows as a table, JSON or JSON lines.
fn print(ctx: &Context, flows: &[FlowSummary]) -> anyhow::Result<()> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(&HEADERS, flows.iter().map(row).collect())?,
        OutputFormat::Json => p.json(flows)?,
        OutputFormat::Jsonl => {
            for f in flows {
                p.jsonl(f)?;
            }
        }
    }
    Ok(())
}

/// `start`, `stop` or `restart` of one flow, printed like a listing of it.
fn action(ctx: &Context, name: &str, action: &str) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let flow = ctx.block_on(client.flow_action(name, action))?;
    match ctx.printer.format_or(OutputFormat::Table) {
        OutputFormat::Json => ctx.printer.json(&flow)?,
        _ => print(ctx, std::slice::from_ref(&flow))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends `command` to `FLOW[/REPLICA]` and prints the reply: its `data` as JSON (the whole
/// reply with `--output json`). A reply whose command is `error` fails with its message.
fn send_and_print(
    ctx: &Context,
    target: &str,
    command: &str,
    data: serde_json::Value,
    timeout: Option<std::time::Duration>,
) -> anyhow::Result<ExitCode> {
    let (flow, replica) = match target.split_once('/') {
        Some((f, r)) => (f, Some(r)),
        None => (target, None),
    };
    let client = online::client(ctx)?;
    let input = crate::flow::wire::SendInput {
        replica: replica.map(str::to_owned),
        command: command.to_owned(),
        data,
        timeout_ms: timeout.map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
    };
    let out = ctx.block_on(client.flow_send(flow, &input))?;
    if out.reply.command == "error" {
        anyhow::bail!(
            "replica {} refused {command}: {}",
            out.replica,
            out.reply.data
        );
    }
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&serde_json::to_string_pretty(&out.reply.data)?)?,
        OutputFormat::Json => p.json(&out)?,
        OutputFormat::Jsonl => p.jsonl(&out)?,
    }
    Ok(ExitCode::SUCCESS)
}
