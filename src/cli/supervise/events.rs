//! `stmgr supervise events`: every state change, as it happens.

use std::process::ExitCode;

use clap::Args;
use futures_util::StreamExt;

use super::ControlArgs;
use crate::cli::context::Context;
use crate::config::OutputFormat;
use crate::supervisor::InstanceStatus;

/// Follow state changes: first every instance (snapshot), then each change (one line each)
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Stop after this many events (the snapshot's included)
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise events` until the supervisor stops or the reader goes away.
///
/// # Errors
/// Unreachable, or the stream breaks.
pub fn run(args: &EventsArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    let table = ctx.printer.format_or(OutputFormat::Table) == OutputFormat::Table;
    ctx.block_on(async {
        let mut stream = client.events().await?;
        let mut left = args.count;
        while left != Some(0)
            && let Some(ev) = stream.next().await
        {
            left = left.map(|n| n - 1);
            let (kind, data) = ev?;
            if !table {
                ctx.printer
                    .jsonl(&serde_json::json!({"event": kind, "data": data}))?;
                continue;
            }
            match serde_json::from_value::<InstanceStatus>(data.clone()) {
                Ok(s) => ctx.printer.line(&format!(
                    "{} {kind} {} {}{}{}",
                    s.since,
                    s.name,
                    s.state.as_str(),
                    if s.ready { " ready" } else { "" },
                    s.reason.map(|r| format!(" ({r})")).unwrap_or_default()
                ))?,
                Err(_) => ctx.printer.line(&format!("{kind} {data}"))?,
            }
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
