//! `stmgr node list`: the workflow nodes runtimes have registered (API v0).

mod list;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;

/// Workflow nodes registered by runtimes
#[derive(Debug, Args)]
pub struct NodeArgs {
    #[command(subcommand)]
    command: NodeCommand,
}

#[derive(Debug, Subcommand)]
enum NodeCommand {
    /// List the registered nodes of a namespace: runtime, inputs, outputs, secrets
    List(list::ListArgs),
}

/// Runs `stmgr node ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &NodeArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        NodeCommand::List(a) => list::run(a, ctx),
    }
}
