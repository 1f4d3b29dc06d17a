//! `stmgr snapshot`: takes a snapshot through the server (`POST /admin/snapshot`) or of a
//! stopped server's data directory; prints the same [`SnapshotOut`] either way.

use std::process::ExitCode;

use crate::admin::SnapshotOut;
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::mode::{self, Mode};
use crate::config::OutputFormat;
use crate::store::offline;
use crate::store::state::HistoryPolicy;

/// Takes the snapshot and prints it.
///
/// # Errors
/// Missing, foreign or locked data directory, corruption, I/O errors, a snapshot that does not
/// verify when read back, a server error.
pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let out = match mode::choose(ctx) {
        Mode::Server => {
            let client = crate::cli::online::client(ctx)?;
            ctx.block_on(client.snapshot())?
        }
        Mode::DataDir => {
            let (dir, _lock) = datadir::locked(ctx, "stmgr snapshot")?;
            let e = &ctx.settings.engine;
            let policy = HistoryPolicy::new(e.history_versions, e.history_age);
            SnapshotOut::from(&offline::snapshot::take(&dir, &policy, e.segment_size)?)
        }
    };
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(
            &[
                "snapshot_id",
                "commit_seq",
                "created_at",
                "size",
                "objects",
                "origin",
            ],
            vec![vec![
                out.snapshot_id.clone(),
                out.commit_seq.to_string(),
                out.created_at.clone(),
                datadir::bytes(out.size),
                out.objects.to_string(),
                out.origin.clone(),
            ]],
        )?,
        OutputFormat::Json => p.json(&out)?,
        OutputFormat::Jsonl => p.jsonl(&out)?,
    }
    Ok(ExitCode::SUCCESS)
}
