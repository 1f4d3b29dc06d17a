//! `stmgr flow status NAME`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;
use crate::flow::wire::ReplicaStatus;

/// Arguments of `stmgr flow status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Flow name
    pub name: String,
}

const HEADERS: [&str; 11] = [
    "replica",
    "state",
    "ready",
    "pid",
    "uptime",
    "restarts",
    "last_exit",
    "cpu%",
    "rss",
    "socket",
    "last_message",
];

fn row(r: &ReplicaStatus) -> Vec<String> {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    vec![
        r.name.clone(),
        r.state.clone(),
        if r.ready { "yes" } else { "no" }.into(),
        opt(r.pid.map(|p| p.to_string())),
        opt(r
            .uptime_secs
            .map(|s| humantime::format_duration(std::time::Duration::from_secs(s)).to_string())),
        r.restarts.to_string(),
        opt(r.last_exit.clone()),
        opt(r.cpu_percent.map(|c| format!("{c:.1}"))),
        opt(r.rss_bytes.map(|b| bytesize::ByteSize(b).to_string())),
        if r.socket_connected { "connected" } else { "-" }.into(),
        opt(r.last_message_at.clone()),
    ]
}

/// Runs `stmgr flow status`: the flow's line, then one line per replica (`--output json`: the
/// whole status, manifest included with secrets redacted).
///
/// # Errors
/// No such flow, or the server (exit 1).
pub fn run(args: &StatusArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let status = ctx.block_on(client.flow_status(&args.name))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            super::print(ctx, std::slice::from_ref(&status.flow))?;
            if let Some(m) = &status.flow.message {
                p.line(&format!("message: {m}"))?;
            }
            p.line("")?;
            p.table(&HEADERS, status.replicas.iter().map(row).collect())?;
        }
        OutputFormat::Json => p.json(&status)?,
        OutputFormat::Jsonl => p.jsonl(&status)?,
    }
    Ok(ExitCode::SUCCESS)
}
