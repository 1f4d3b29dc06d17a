//! `stmgr snapshot`: writes a snapshot of a stopped server's data directory.

use std::process::ExitCode;

use crate::cli::context::Context;
use crate::cli::datadir;
use crate::config::OutputFormat;
use crate::store::offline;
use crate::store::state::HistoryPolicy;

/// Takes the snapshot and prints its id, commit_seq, size and object count.
///
/// # Errors
/// Missing or locked data directory, corruption, I/O errors.
pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let (dir, _lock) = datadir::locked(ctx, "stmgr snapshot")?;
    let e = &ctx.settings.engine;
    let policy = HistoryPolicy::new(e.history_versions, e.history_age);
    let meta = offline::snapshot::take(&dir, &policy)?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(
            &["snapshot_id", "commit_seq", "size", "objects"],
            vec![vec![
                meta.id.clone(),
                meta.commit_seq.to_string(),
                datadir::bytes(meta.size),
                meta.objects.to_string(),
            ]],
        )?,
        OutputFormat::Json => p.json(&meta)?,
        OutputFormat::Jsonl => p.jsonl(&meta)?,
    }
    Ok(ExitCode::SUCCESS)
}
