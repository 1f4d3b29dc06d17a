//! `stmgr status`: the server's health and manifest; `--check`: its health alone, as an exit
//! status.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::online;
use crate::config::OutputFormat;

/// Show the server's health, commit_seq, WAL segments and snapshots
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only ask GET /health (no token needed), print `healthy`, and exit non-zero unless the
    /// server is healthy: 1 when degraded (writes refused), 10 when unreachable; for container
    /// health checks and scripts
    #[arg(long)]
    pub check: bool,
}

/// Runs `stmgr status`.
///
/// # Errors
/// The server cannot be reached (exit 10); with `--check`, it is not healthy (exit 1).
pub fn run(args: &StatusArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    if args.check {
        return check(&client, ctx);
    }
    let (health, manifest) =
        ctx.block_on(async { tokio::try_join!(client.health(), client.manifest()) })?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            // Unreadable snapshots come last in the list: the latest is the last readable one.
            let latest = manifest
                .snapshots
                .iter()
                .rev()
                .find(|s| s.commit_seq.is_some());
            let s = |k: &str| {
                health
                    .get(k)
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .unwrap_or_default()
            };
            p.table(
                &[
                    "server",
                    "status",
                    "version",
                    "commit_seq",
                    "objects",
                    "uptime_s",
                    "durability",
                    "data_dir",
                ],
                vec![vec![
                    ctx.settings.server.clone(),
                    s("status"),
                    s("version"),
                    manifest.commit_seq.to_string(),
                    manifest.objects.to_string(),
                    s("uptime_s"),
                    manifest.durability.clone(),
                    manifest.data_dir.clone(),
                ]],
            )?;
            let wal_bytes: u64 = manifest.wal.iter().map(|w| w.size).sum();
            p.table(
                &[
                    "wal_segments",
                    "wal_size",
                    "first_seq",
                    "snapshots",
                    "latest_snapshot",
                    "snapshot_seq",
                ],
                vec![vec![
                    manifest.wal.len().to_string(),
                    datadir::bytes(wal_bytes),
                    manifest
                        .wal
                        .first()
                        .map_or("-".into(), |w| w.first_seq.to_string()),
                    manifest.snapshots.len().to_string(),
                    latest.map_or("-".into(), |s| s.snapshot_id.clone()),
                    latest
                        .and_then(|s| s.commit_seq)
                        .map_or("-".into(), |seq| seq.to_string()),
                ]],
            )?;
        }
        OutputFormat::Json => p.json(&json!({"health": health, "manifest": manifest}))?,
        OutputFormat::Jsonl => p.jsonl(&json!({"health": health, "manifest": manifest}))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `status --check`: the health document's status on stdout (the document with `-o json`),
/// and an error unless it is `healthy`.
fn check(client: &crate::client::Client, ctx: &Context) -> anyhow::Result<ExitCode> {
    let health = ctx.block_on(client.health())?;
    let status = health
        .get("status")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown")
        .to_owned();
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&status)?,
        OutputFormat::Json => p.json(&health)?,
        OutputFormat::Jsonl => p.jsonl(&health)?,
    }
    if status != "healthy" {
        let why = health
            .get("message")
            .and_then(|v| v.as_str())
            .unwrap_or("no reason given");
        anyhow::bail!("the server at {} is {status}: {why}", ctx.settings.server);
    }
    Ok(ExitCode::SUCCESS)
}
