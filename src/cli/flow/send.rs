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
    /// How long the server waits for the worker's reply (1ms to 1m) [default: 10s]
    #[arg(long, value_parser = parse_timeout, value_name = "DURATION")]
    pub reply_timeout: Option<std::time::Duration>,
}

fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if (std::time::Duration::from_millis(1)..=std::time::Duration::from_secs(60)).contains(&d) {
        Ok(d)
    } else {
        Err("the reply timeout is from 1ms to 1m".into())
    }
}

/// Runs `stmgr flow send`: prints the replica's reply (its `data`; `--output json`: the whole
/// reply). A reply whose command is `error` fails.
///
/// # Errors
/// Bad `--data` or `--reply-timeout` (exit 2); no such flow or replica, no answer in time, or the
/// worker's refusal (exit 1).
pub fn run(args: &SendArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let data = match &args.data {
        Some(d) => serde_json::from_str(d)
            .map_err(|e| UsageError::new(format!("--data is not JSON: {e}")))?,
        None => serde_json::Value::Null,
    };
    super::send_and_print(ctx, &args.target, &args.command, data, args.reply_timeout)
}
