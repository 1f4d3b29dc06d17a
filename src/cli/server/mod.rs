//! `stmgr server ...`: run the state server (and tell systemd how it is doing).

mod replicate;
mod start;
mod systemd;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;

/// Run the state server
#[derive(Debug, Args)]
pub struct ServerArgs {
    #[command(subcommand)]
    command: ServerCommand,
}

#[derive(Debug, Subcommand)]
enum ServerCommand {
    /// Start the server on the data directory (embedded engine; no other service needed)
    ///
    /// It runs until SIGTERM or SIGINT, then stops accepting, ends watch streams, drains
    /// requests (--drain-timeout) and syncs the data directory. Under systemd (a Type=notify
    /// unit, which sets NOTIFY_SOCKET) it reports READY=1 once it listens and STOPPING=1 when
    /// the shutdown starts; deploy/systemd/stmgr.service is such a unit.
    Start(Box<start::StartArgs>),
}

impl ServerArgs {
    /// Whether the server's logs are JSON lines.
    pub fn log_json(&self) -> bool {
        match &self.command {
            ServerCommand::Start(a) => a.log_format == start::LogFormat::Json,
        }
    }
}

/// Runs `stmgr server ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &ServerArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        ServerCommand::Start(a) => start::run(a, ctx),
    }
}
