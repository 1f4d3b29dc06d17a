//! `stmgr supervise logs NAME [-f] [--since]`.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;

/// Print an instance's log (timestamp, stream, line), oldest first across rotated files
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Instance name (NAME, or NAME.N for a process with replicas)
    pub name: String,
    /// Keep printing new lines as they come
    #[arg(short, long)]
    pub follow: bool,
    /// Only lines from this time on: RFC 3339, or a duration back from now (10m)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise logs`.
///
/// # Errors
/// Unreachable, unknown instance (404), bad `--since` (400), or a closed stdout (exit 0).
pub fn run(args: &LogsArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    ctx.block_on(async {
        let stream = client
            .logs(&args.name, args.since.as_deref(), args.follow)
            .await?;
        ctx.printer.text_stream(stream).await
    })?;
    Ok(ExitCode::SUCCESS)
}
