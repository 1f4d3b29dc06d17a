//! `stmgr restore --backend postgres://…`: point-in-time restore of a PostgreSQL database
//! ([`crate::store::pg::restore`]), every stmgr server on it stopped.

use std::process::ExitCode;

use anyhow::Context as _;

use super::RestoreArgs;
use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::config::OutputFormat;
use crate::store::pg::restore::PgRestored;
use crate::store::pg::{self, PgOptions};
use crate::store::state::HistoryPolicy;

/// Runs the restore of the database at `url`.
///
/// # Errors
/// Not a postgres:// URL (usage); no confirmation; an unreachable target, servers connected.
pub fn run(args: &RestoreArgs, ctx: &Context, url: &str) -> anyhow::Result<ExitCode> {
    if !pg::is_postgres_url(url) {
        return Err(UsageError::new("--backend: expected a postgres:// URL").into());
    }
    let shown = pg::redacted(url);
    let (target, _) = super::target_of(args)?;
    if !args.yes {
        let what = match (&args.to_seq, &args.to_time) {
            (Some(s), _) => format!("commit_seq {s}"),
            (None, Some(t)) => format!("the newest commit at or before {t}"),
            (None, None) => "its log's head".to_string(),
        };
        let prompt = format!(
            "Restore the database {shown} to {what}? Its log and stored snapshots are replaced"
        );
        if !ctx.printer.confirm(&prompt)? {
            ctx.printer.status("restore cancelled; nothing changed");
            return Ok(ExitCode::FAILURE);
        }
    }
    let e = &ctx.settings.engine;
    let policy = HistoryPolicy::new(e.history_versions, e.history_age);
    let work = std::env::temp_dir().join(format!("stmgr-restore-{}", ulid::Ulid::generate()));
    let out = pg::restore::restore(&PgOptions::new(url), target, &e.keyring(), &policy, &work)
        .with_context(|| format!("restore of {shown} failed; nothing was changed"))?;
    print(ctx, &out)
}

fn print(ctx: &Context, out: &PgRestored) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            p.table(
                &[
                    "restored_seq",
                    "replayed",
                    "next_seq",
                    "from_snapshot",
                    "snapshot_id",
                ],
                vec![vec![
                    out.restored_seq.to_string(),
                    out.replayed.to_string(),
                    out.next_seq.to_string(),
                    out.from_snapshot.clone().unwrap_or_else(|| "-".into()),
                    out.snapshot.id.clone(),
                ]],
            )?;
        }
        OutputFormat::Json => p.json(out)?,
        OutputFormat::Jsonl => p.jsonl(out)?,
    }
    Ok(ExitCode::SUCCESS)
}
