//! `stmgr flow logs NAME[/REPLICA] [-f] [--since] [--tail]`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;

/// Arguments of `stmgr flow logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Flow name (every replica, each line prefixed with `[REPLICA]`), or FLOW/REPLICA
    pub target: String,
    /// Keep printing new lines as they come
    #[arg(short, long)]
    pub follow: bool,
    /// Only lines from this time on: RFC 3339, or a duration back from now (10m)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only the last N lines of each replica
    #[arg(long, value_name = "N")]
    pub tail: Option<usize>,
}

/// Runs `stmgr flow logs`: prints the replicas' lines (`TIME STREAM TEXT`), oldest first.
///
/// # Errors
/// Unreachable, no such flow or replica (exit 1), a bad `--since` (exit 1); a closed stdout
/// exits 0.
pub fn run(args: &LogsArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let (flow, replica) = match args.target.split_once('/') {
        Some((f, r)) => (f, Some(r)),
        None => (args.target.as_str(), None),
    };
    let client = online::client(ctx)?;
    ctx.block_on(async {
        let stream = client
            .flow_logs(flow, replica, args.since.as_deref(), args.tail, args.follow)
            .await?;
        ctx.printer.text_stream(stream).await
    })?;
    Ok(ExitCode::SUCCESS)
}
