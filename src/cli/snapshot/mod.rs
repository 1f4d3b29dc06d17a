//! `stmgr snapshot` (take one) and `stmgr snapshot list`.
use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;

/// Take a snapshot of the data directory, or list snapshots.
#[derive(Debug, Args)]
pub struct SnapshotArgs {}

/// Runs `stmgr snapshot ...`.
pub fn run(_args: &SnapshotArgs, _ctx: &Context) -> anyhow::Result<ExitCode> {
    anyhow::bail!("in progress")
}
