//! `stmgr flow dump NAME[/REPLICA]`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;

/// Arguments of `stmgr flow dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Flow name, or FLOW/REPLICA for one replica (default: the only one, else the first running)
    pub target: String,
}

/// Runs `stmgr flow dump`: sends `dump` to the replica and prints what it answers (a Kawaflow
/// runtime answers its registry of events and actors).
///
/// # Errors
/// No such flow or replica, no answer, or the worker's refusal (exit 1).
pub fn run(args: &DumpArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    super::send_and_print(ctx, &args.target, "dump", serde_json::Value::Null, None)
}
