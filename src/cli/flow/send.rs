//! `stmgr flow send NAME[/REPLICA] COMMAND [--data JSON]`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::exit::UsageError;

/// Arguments of `stmgr flow send`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stmgr flow send etl status\n  stmgr flow send etl/fetch-1 reload --data '{\"level\":\"debug\"}'"
)]
pub struct SendArgs {
    /// Flow name, or FLOW/REPLICA for one replica (default: the only one, else the first running)
    pub target: String,
    /// The command: status, dump, stop, or any the worker knows
    pub command: String,
    /// Its argument, as JSON
    #[arg(long, value_name = "JSON")]
    pub data: Option<String>,
}

/// Runs `stmgr flow send`: prints the replica's reply (its `data`; `--output json`: the whole
/// reply). A reply whose command is `error` fails.
///
/// # Errors
/// Bad `--data` (exit 2); no such flow or replica, no answer, or the worker's refusal (exit 1).
pub fn run(args: &SendArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let data = match &args.data {
        Some(d) => serde_json::from_str(d)
            .map_err(|e| UsageError::new(format!("--data is not JSON: {e}")))?,
        None => serde_json::Value::Null,
    };
    super::send_and_print(ctx, &args.target, &args.command, data)
}
