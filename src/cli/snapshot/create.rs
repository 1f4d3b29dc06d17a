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
    if ctx.online {
        return run_online(ctx);
    }
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

/// Asks the running server for a snapshot (`POST /admin/snapshot`).
fn run_online(ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = crate::cli::online::client(ctx)?;
    let v = ctx.block_on(client.snapshot())?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let s = |k: &str| {
                v[k].as_str()
                    .map_or_else(|| v[k].to_string(), str::to_string)
            };
            p.table(
                &["snapshot_id", "commit_seq", "size", "objects"],
                vec![vec![
                    s("snapshot_id"),
                    s("commit_seq"),
                    datadir::bytes(v["size"].as_u64().unwrap_or(0)),
                    s("objects"),
                ]],
            )?
        }
        OutputFormat::Json => p.json(&v)?,
        OutputFormat::Jsonl => p.jsonl(&v)?,
    }
    Ok(ExitCode::SUCCESS)
}
