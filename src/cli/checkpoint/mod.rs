//! `stmgr checkpoint create|list|restore|prune`: named checkpoints of an object.

mod create;
mod list;
mod prune;
mod restore;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::checkpoints::CheckpointOut;
use crate::cli::context::Context;

/// Named checkpoints of an object: create, list, restore, prune
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    #[command(subcommand)]
    command: CheckpointCommand,
}

#[derive(Debug, Subcommand)]
enum CheckpointCommand {
    /// Keep a copy of the object's current version under a name
    Create(create::CreateArgs),
    /// List an object's checkpoints, newest first
    List(list::ListArgs),
    /// Write a checkpoint back as the object's current version (a new commit)
    Restore(restore::RestoreArgs),
    /// Delete all but the newest N checkpoints of an object
    Prune(prune::PruneArgs),
}

/// Runs `stmgr checkpoint ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &CheckpointArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        CheckpointCommand::Create(a) => create::run(a, ctx),
        CheckpointCommand::List(a) => list::run(a, ctx),
        CheckpointCommand::Restore(a) => restore::run(a, ctx),
        CheckpointCommand::Prune(a) => prune::run(a, ctx),
    }
}

/// Table headers for checkpoints.
const HEADERS: [&str; 5] = ["name", "commit_seq", "created_at", "object_seq", "metadata"];

/// One table row.
fn row(c: &CheckpointOut) -> Vec<String> {
    vec![
        c.name.clone(),
        c.commit_seq.to_string(),
        c.created_at.clone(),
        c.source_seq.to_string(),
        c.metadata
            .as_ref()
            .map_or_else(String::new, |m| m.get().to_string()),
    ]
}
