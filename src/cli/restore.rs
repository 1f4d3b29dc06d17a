//! `stmgr restore`: point-in-time restore of a stopped server's data directory.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::exit::UsageError;
use crate::config::OutputFormat;
use crate::store::offline::restore;
use crate::store::recovery::Target;
use crate::store::snapshot;

/// Restore the data directory to a snapshot, or to a point after it (server stopped)
///
/// The snapshot plus the WAL replayed up to `--to-seq` or `--to-time` becomes a new snapshot;
/// the previous `wal/` and `snapshots/` are moved to `aside/restore-<time>/`, never deleted.
/// Commits after the restore get seqs above the highest ever issued.
#[derive(Debug, Args)]
#[command(after_help = RESTORE_EXAMPLES)]
pub struct RestoreArgs {
    /// The snapshot to start from (see `stmgr snapshot list`)
    #[arg(long, value_name = "ID", add = ArgValueCandidates::new(crate::cli::complete::snapshot_ids))]
    pub snapshot_id: String,
    /// Replay the WAL up to and including this commit_seq [default: the end of the log]
    #[arg(long, value_name = "SEQ", conflicts_with = "to_time")]
    pub to_seq: Option<u64>,
    /// Replay every commit made at or before this time (RFC 3339, e.g. 2026-11-23T10:00:00Z)
    #[arg(long, value_name = "RFC3339")]
    pub to_time: Option<String>,
    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `--help` examples (also in the man page).
const RESTORE_EXAMPLES: &str = r#"Examples:
  stmgr restore --data-dir /var/lib/stmgr --snapshot-id snap-01J... --yes
  stmgr restore --snapshot-id snap-01J... --to-time 2026-11-23T10:00:00Z
  stmgr restore --snapshot-id snap-01J... --to-seq 4200
  stmgr snapshot list --data-dir /var/lib/stmgr      # the ids to start from"#;

/// Runs `stmgr restore`.
///
/// # Errors
/// Bad time, missing or locked data directory, unknown snapshot, unreachable target.
pub fn run(args: &RestoreArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    crate::cli::mode::require_data_dir(ctx, "stmgr restore")?;
    let target = match (&args.to_seq, &args.to_time) {
        (Some(s), _) => Target::Seq(*s),
        (None, Some(t)) => {
            let at = crate::time::parse_ts(t).map_err(|e| {
                UsageError::new(format!("--to-time {t:?} is not an RFC 3339 time: {e}"))
            })?;
            Target::Time(at)
        }
        (None, None) => Target::Latest,
    };
    let (dir, _lock) = datadir::locked(ctx, "stmgr restore")?;
    let meta = snapshot::read_meta(&snapshot::find_snapshot(
        &dir.snapshots(),
        &args.snapshot_id,
    )?)?;
    if let Target::Seq(s) = target
        && s < meta.commit_seq
    {
        anyhow::bail!(
            "snapshot {} is at commit_seq {}, after the target {s}; restore from an older snapshot (see `stmgr snapshot list`)",
            meta.id,
            meta.commit_seq
        );
    }
    let p = &ctx.printer;
    if !args.yes {
        let what = match target {
            Target::Latest => "the end of the log".to_string(),
            Target::Seq(s) => format!("commit_seq {s}"),
            Target::Time(_) => args.to_time.clone().unwrap_or_default(),
        };
        let prompt = format!(
            "Restore {} to {what} from {}? The current contents are moved to {}",
            dir.root().display(),
            args.snapshot_id,
            dir.aside().display()
        );
        if !p.confirm(&prompt)? {
            p.status("restore cancelled; nothing changed");
            return Ok(ExitCode::FAILURE);
        }
    }
    let bar = p.progress(restore::wal_bytes(&dir), "replaying WAL");
    let out = restore::restore(&dir, &args.snapshot_id, target, &mut |done| {
        bar.set_position(done)
    })
    .with_context(|| {
        format!(
            "restore of {} failed; nothing was changed",
            dir.root().display()
        )
    })?;
    bar.finish_and_clear();
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            p.table(
                &[
                    "restored_seq",
                    "replayed",
                    "next_seq",
                    "snapshot_id",
                    "moved_aside_to",
                ],
                vec![vec![
                    out.restored_seq.to_string(),
                    out.replayed.to_string(),
                    out.next_seq.to_string(),
                    out.snapshot.id.clone(),
                    out.moved_aside_to.display().to_string(),
                ]],
            )?;
        }
        OutputFormat::Json => p.json(&out)?,
        OutputFormat::Jsonl => p.jsonl(&out)?,
    }
    Ok(ExitCode::SUCCESS)
}
