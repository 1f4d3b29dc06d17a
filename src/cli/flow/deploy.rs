//! `stmgr flow deploy FILE [--wait]`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;

use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::cli::online;
use crate::config::OutputFormat;
use crate::flow::wire::DeployOut;
use crate::flow::{Format, Manifest};
use crate::store::state::flows::DeployStatus;

/// Arguments of `stmgr flow deploy`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stmgr flow deploy etl.toml\n  stmgr flow deploy etl.json --wait"
)]
pub struct DeployArgs {
    /// The manifest: TOML, or JSON when the name ends in .json
    pub file: PathBuf,
    /// Wait until every replica is ready or the deploy rolled back (exit 1 then)
    #[arg(long)]
    pub wait: bool,
    /// Longest wait with --wait
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration)]
    pub wait_timeout: Duration,
}

/// Runs `stmgr flow deploy`: checks the manifest here (errors name the field, exit 2), sends
/// it, and with `--wait` follows the rollout (a progress bar on a terminal).
///
/// # Errors
/// A manifest that does not read or check (exit 2); a refused deploy, a rollback or a failed
/// first deploy with `--wait`, or the server (exit 1).
pub fn run(args: &DeployArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("read {}", args.file.display()))?;
    let manifest = Manifest::parse(&text, Format::of_path(&args.file))
        .map_err(|e| UsageError::new(format!("{}: {e}", args.file.display())))?;
    let client = online::client(ctx)?;
    let mut out = ctx.block_on(client.flow_deploy(&manifest))?;
    if args.wait && out.changed {
        out = wait(ctx, &client, out, args.wait_timeout)?;
    }
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Json => p.json(&out)?,
        _ => super::print(ctx, std::slice::from_ref(&out.summary))?,
    }
    match out.summary.deploy {
        DeployStatus::RolledBack | DeployStatus::Failed if args.wait => anyhow::bail!(
            "deploy of flow {} {}: {}",
            out.summary.name,
            if out.summary.deploy == DeployStatus::Failed {
                "failed"
            } else {
                "was rolled back"
            },
            out.summary.message.as_deref().unwrap_or("no reason given")
        ),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Polls the flow until its deploy is no longer `deploying`.
fn wait(
    ctx: &Context,
    client: &crate::client::Client,
    mut out: DeployOut,
    timeout: Duration,
) -> anyhow::Result<DeployOut> {
    let name = out.summary.name.clone();
    let generation = out.summary.generation;
    let bar = ctx.printer.progress(
        u64::from(out.summary.replicas),
        &format!("deploying {name}"),
    );
    let deadline = Instant::now() + timeout;
    loop {
        let status = ctx.block_on(client.flow_status(&name))?;
        bar.set_position(u64::from(status.flow.ready));
        let moved_on = status.flow.generation > generation;
        if status.flow.deploy != DeployStatus::Deploying || moved_on {
            bar.finish_and_clear();
            out.summary = status.flow;
            return Ok(out);
        }
        if Instant::now() >= deadline {
            bar.finish_and_clear();
            anyhow::bail!(
                "flow {name} is still deploying after {} ({}/{} replicas ready)",
                humantime::format_duration(timeout),
                status.flow.ready,
                status.flow.replicas
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
