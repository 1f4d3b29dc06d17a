//! `stmgr restore`: point-in-time restore of a stopped server's data directory, from its own
//! snapshots and WAL or from a backup location (`--from`), with `--dry-run` printing the plan.

mod backend;
mod plan;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::admin::lifecycle;
use crate::backup::PointInTime;
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::exit::UsageError;
use crate::cli::storage;
use crate::config::OutputFormat;
use crate::store::dir::DataDir;
use crate::store::offline::restore::{self, RestoreOutcome};
use crate::store::recovery::Target;
use crate::store::snapshot;

/// Restore the data directory to a point in time, from its own snapshots and WAL or from a
/// backup location (server stopped)
///
/// The snapshot plus the WAL replayed up to `--to-seq` or `--to-time` becomes a new snapshot;
/// the previous `wal/` and `snapshots/` are moved to `aside/restore-<time>/`, never deleted.
/// Without `--snapshot-id` the newest snapshot at or before the target is used (none: the WAL
/// must start at seq 1). With `--from`, every object is fetched and checked against its
/// manifest before anything is moved aside. Commits after the restore get seqs above the
/// highest ever issued.
#[derive(Debug, Args)]
#[command(after_help = RESTORE_EXAMPLES)]
pub struct RestoreArgs {
    /// The snapshot to start from, or `latest` [default: the newest at or before the target]
    #[arg(long, value_name = "ID", add = ArgValueCandidates::new(crate::cli::complete::snapshot_ids))]
    pub snapshot_id: Option<String>,
    /// Replay the WAL up to and including this commit_seq [default: the end of the log]
    #[arg(long, value_name = "SEQ", conflicts_with = "to_time")]
    pub to_seq: Option<u64>,
    /// Replay every commit made at or before this time (RFC 3339, e.g. 2026-11-23T10:00:00Z)
    #[arg(long, value_name = "RFC3339")]
    pub to_time: Option<String>,
    /// Restore from this backup location (file:///dir or s3://bucket/prefix): its snapshots
    /// and the WAL pieces of its newest generation's lineage
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
    /// Print the plan (snapshot, WAL pieces or segments, bytes to fetch); change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Restore this PostgreSQL database (postgres://…) instead of a data directory, from its
    /// stored snapshots and log, every stmgr server on it stopped (with --to-seq, --to-time
    /// or to its head)
    #[arg(long, value_name = "URL", conflicts_with_all = ["from", "snapshot_id", "dry_run"])]
    pub backend: Option<String>,
}

/// `--help` examples (also in the man page).
const RESTORE_EXAMPLES: &str = r#"Examples:
  stmgr restore --data-dir /var/lib/stmgr --to-time 2026-11-23T10:00:00Z --yes
  stmgr restore --snapshot-id latest --to-seq 4200
  stmgr restore --from s3://bkt/stmgr --data-dir /var/lib/stmgr --dry-run
  stmgr restore --from s3://bkt/stmgr --to-seq 4200 --data-dir /srv/new --yes
  stmgr snapshot list --data-dir /var/lib/stmgr      # the ids to start from
  stmgr restore --backend postgres://stmgr@db.internal/stmgr --to-seq 4200 --yes
  stmgr restore --backend postgres://stmgr@db.internal/stmgr --to-time 2026-11-23T10:00:00Z --yes"#;

/// The target of the flags.
fn target_of(args: &RestoreArgs) -> anyhow::Result<(Target, PointInTime)> {
    Ok(match (&args.to_seq, &args.to_time) {
        (Some(s), _) => (Target::Seq(*s), PointInTime::Seq(*s)),
        (None, Some(t)) => {
            let at = crate::time::parse_ts(t).map_err(|e| {
                UsageError::new(format!("--to-time {t:?} is not an RFC 3339 time: {e}"))
            })?;
            let utc = chrono::DateTime::from_timestamp_millis(at).unwrap_or_default();
            (Target::Time(at), PointInTime::Time(utc))
        }
        (None, None) => (Target::Latest, PointInTime::Latest),
    })
}

/// Runs `stmgr restore`.
///
/// # Errors
/// Bad time, missing or locked data directory, unknown snapshot, an unreachable location, a
/// missing or damaged object (named), a target the WAL cannot reach.
pub fn run(args: &RestoreArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    if let Some(url) = &args.backend {
        return backend::run(args, ctx, url);
    }
    crate::cli::mode::require_data_dir(ctx, "stmgr restore")?;
    let (target, point) = target_of(args)?;
    match &args.from {
        Some(url) => from_location(args, ctx, url, target, point),
        None => from_data_dir(args, ctx, target),
    }
}

fn from_data_dir(args: &RestoreArgs, ctx: &Context, target: Target) -> anyhow::Result<ExitCode> {
    let (dir, _lock) = datadir::locked(ctx, "stmgr restore")?;
    let infos = snapshot::list_snapshots(&dir.snapshots())?;
    let id = match &args.snapshot_id {
        Some(id) => Some(lifecycle::resolve_local(&infos, id)?),
        None => None,
    };
    if let (Some(id), Target::Seq(s)) = (&id, target) {
        let meta = snapshot::read_meta(&snapshot::find_snapshot(&dir.snapshots(), id)?)?;
        if s < meta.commit_seq {
            anyhow::bail!(
                "snapshot {} is at commit_seq {}, after the target {s}; restore from an older snapshot (see `stmgr snapshot list`)",
                meta.id,
                meta.commit_seq
            );
        }
    }
    if args.dry_run {
        return plan::print(ctx, &plan::local(&dir, &infos, id.as_deref(), target)?);
    }
    if !confirm(
        args,
        ctx,
        &dir,
        id.as_deref().unwrap_or("the newest fitting snapshot"),
    )? {
        return Ok(ExitCode::FAILURE);
    }
    let p = &ctx.printer;
    let bar = p.progress(restore::wal_bytes(&dir), "replaying WAL");
    let out = restore::restore_from(&dir, &dir, id.as_deref(), target, &mut |done| {
        bar.set_position(done)
    })
    .with_context(|| {
        format!(
            "restore of {} failed; nothing was changed",
            dir.root().display()
        )
    })?;
    bar.finish_and_clear();
    print(ctx, &out)
}

fn from_location(
    args: &RestoreArgs,
    ctx: &Context,
    url: &str,
    target: Target,
    point: PointInTime,
) -> anyhow::Result<ExitCode> {
    let from = storage::open(ctx, Some(url), "--from")?;
    let t = &from.target;
    let id = match &args.snapshot_id {
        Some(id) => Some(ctx.block_on(lifecycle::resolve_bucket(t, id))?),
        None => None,
    };
    let planned = ctx.block_on(t.plan_restore(point, id.as_deref()))?;
    if args.dry_run {
        return plan::print(ctx, &plan::of_location(t, &planned, target));
    }
    let dir = DataDir::new(&ctx.settings.data_dir).with_keys(ctx.settings.engine.keyring());
    let fresh = !dir.root().exists() || dir.require_initialized().is_err();
    dir.create()?;
    let _lock = dir.lock("stmgr restore")?;
    restore::finish_pending(&dir)?;
    if !fresh && !confirm(args, ctx, &dir, url)? {
        return Ok(ExitCode::FAILURE);
    }
    let fetch = dir.root().join(".restore-fetch");
    if fetch.exists() {
        std::fs::remove_dir_all(&fetch).with_context(|| format!("remove {}", fetch.display()))?;
    }
    let result = (|| {
        from.bar.set_length(planned.bytes);
        from.bar.set_message("fetching");
        ctx.block_on(async {
            let pin = match &planned.snapshot {
                Some(m) => Some(t.pin_snapshot(&m.snapshot_id, lifecycle::PIN_TTL).await?),
                None => None,
            };
            let fetched = t.fetch_restore(&planned, &fetch).await;
            if let Some(pin) = pin {
                // A pin left behind expires by itself.
                let _ = t.unpin(pin).await;
            }
            fetched
        })?;
        from.bar.finish_and_clear();
        let source = DataDir::new(&fetch).with_keys(ctx.settings.engine.keyring());
        let snap = planned.snapshot.as_ref().map(|m| m.snapshot_id.as_str());
        let bar = ctx
            .printer
            .progress(restore::wal_bytes(&source), "replaying WAL");
        let out = restore::restore_from(&dir, &source, snap, target, &mut |done| {
            bar.set_position(done)
        })?;
        bar.finish_and_clear();
        anyhow::Ok(out)
    })();
    let _ = std::fs::remove_dir_all(&fetch);
    let out = result.with_context(|| {
        format!(
            "restore of {} from {url} failed; nothing was changed",
            dir.root().display()
        )
    })?;
    print(ctx, &out)
}

fn confirm(args: &RestoreArgs, ctx: &Context, dir: &DataDir, from: &str) -> anyhow::Result<bool> {
    if args.yes {
        return Ok(true);
    }
    let what = match (&args.to_seq, &args.to_time) {
        (Some(s), _) => format!("commit_seq {s}"),
        (None, Some(t)) => t.clone(),
        (None, None) => "the end of the log".to_string(),
    };
    let prompt = format!(
        "Restore {} to {what} from {from}? The current contents are moved to {}",
        dir.root().display(),
        dir.aside().display()
    );
    let ok = ctx.printer.confirm(&prompt)?;
    if !ok {
        ctx.printer.status("restore cancelled; nothing changed");
    }
    Ok(ok)
}

fn print(ctx: &Context, out: &RestoreOutcome) -> anyhow::Result<ExitCode> {
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
                    "moved_aside_to",
                ],
                vec![vec![
                    out.restored_seq.to_string(),
                    out.replayed.to_string(),
                    out.next_seq.to_string(),
                    out.from_snapshot.clone().unwrap_or_else(|| "-".into()),
                    out.snapshot.id.clone(),
                    out.moved_aside_to.display().to_string(),
                ]],
            )?;
        }
        OutputFormat::Json => p.json(out)?,
        OutputFormat::Jsonl => p.jsonl(out)?,
    }
    Ok(ExitCode::SUCCESS)
}
