//! `stmgr snapshot`: takes a snapshot through the server (`POST /admin/snapshot`) or of a
//! stopped server's data directory, stores its tags, ships it with `--to`, then prunes where it
//! went by the `--keep-…` rules; or, with `--backend`, takes one of a PostgreSQL database's
//! state and stores it there; prints the same [`SnapshotOut`] every way.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::admin::{SnapshotOut, SnapshotPruneOut, lifecycle};
use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::exit::UsageError;
use crate::cli::mode::{self, Mode};
use crate::cli::snapshot::{CreateArgs, prune, ship};
use crate::cli::storage;
use crate::config::OutputFormat;
use crate::store::files;
use crate::store::forget::Policy;
use crate::store::offline;
use crate::store::pg::catalog;
use crate::store::snapshot::{snapshot_path, write_tags};
use crate::store::state::HistoryPolicy;

/// Takes the snapshot and prints it.
///
/// # Errors
/// Missing, foreign or locked data directory, corruption, I/O errors, a snapshot that does not
/// verify when read back, a server error, an unreachable backup location.
pub fn run(args: &CreateArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let tags = lifecycle::tag_set(&args.tags).map_err(UsageError::new)?;
    let rules = args.keep.any().then(|| args.keep.rules()).transpose()?;
    if let Some(url) = &args.backend {
        return of_database(ctx, url, rules.as_ref());
    }
    // A bad location is a usage error before anything is written.
    let to = args
        .to
        .as_deref()
        .map(|u| storage::open(ctx, Some(u), "--to"))
        .transpose()?;
    let mut out: SnapshotOut;
    let mut pruned: Option<SnapshotPruneOut> = None;
    match mode::choose(ctx) {
        Mode::Server => {
            let client = crate::cli::online::client(ctx)?;
            out = if args.tags.is_empty() {
                ctx.block_on(client.snapshot())?
            } else {
                ctx.block_on(client.snapshot_tagged(&args.tags))?
            };
            if let Some(to) = &to {
                ship::upload_from_server(ctx, &client, to, &out.snapshot_id, &tags)?;
                out.shipped_to = Some(to.target.location().to_string());
            }
            if rules.is_some() && to.is_none() {
                pruned = Some(ctx.block_on(client.prune_snapshots(&args.keep.policy(false)))?);
            }
        }
        Mode::DataDir => {
            let (dir, _lock) = datadir::locked(ctx, "stmgr snapshot")?;
            let e = &ctx.settings.engine;
            let policy = HistoryPolicy::new(e.history_versions, e.history_age);
            let meta = offline::snapshot::take(&dir, &policy, e.segment_size)?;
            write_tags(&dir.snapshots(), &meta.id, &tags)?;
            out = SnapshotOut::from(&meta);
            out.tags = tags.iter().cloned().collect();
            if let Some(to) = &to {
                ship::upload(ctx, to, &snapshot_path(&dir.snapshots(), &meta.id), &tags)?;
                out.shipped_to = Some(to.target.location().to_string());
            }
            if let (Some(rules), None) = (&rules, &to) {
                let infos = files::snapshots(&dir)?;
                pruned = Some(lifecycle::prune_local(
                    dir.root().display().to_string(),
                    &infos,
                    rules,
                    false,
                    |doomed| files::remove_snapshots(&dir, doomed),
                )?);
            }
        }
    }
    if let (Some(rules), Some(to)) = (&rules, &to) {
        pruned = Some(ctx.block_on(lifecycle::prune_bucket(&to.target, rules, false))?);
    }
    out.prune = pruned;
    print(ctx, &out)
}

/// `--backend`: a snapshot of the database's state, stored in it, then the `--keep-…` prune
/// of its stored snapshots.
fn of_database(ctx: &Context, url: &str, rules: Option<&Policy>) -> anyhow::Result<ExitCode> {
    let db = super::db::open(url)?;
    let (mut client, location) = (db.client, db.location);
    let e = &ctx.settings.engine;
    let policy = HistoryPolicy::new(e.history_versions, e.history_age);
    let work = std::env::temp_dir().join(format!("stmgr-snapshot-{}", ulid::Ulid::generate()));
    let (meta, _) = catalog::take(&mut client, &e.keyring(), &policy, &work)
        .with_context(|| format!("snapshot of {location} failed; nothing was stored"))?;
    let mut out = SnapshotOut::from(&meta);
    out.shipped_to = Some(location.clone());
    if let Some(rules) = rules {
        let listed = catalog::list(&mut client)?;
        out.prune = Some(lifecycle::prune_stored(
            location,
            &listed,
            rules,
            false,
            |doomed| catalog::remove(&mut client, &listed, doomed, false),
        )?);
    }
    print(ctx, &out)
}

fn print(ctx: &Context, out: &SnapshotOut) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            p.table(
                &[
                    "snapshot_id",
                    "commit_seq",
                    "created_at",
                    "size",
                    "objects",
                    "origin",
                    "tags",
                    "shipped_to",
                ],
                vec![vec![
                    out.snapshot_id.clone(),
                    out.commit_seq.to_string(),
                    out.created_at.clone(),
                    datadir::bytes(out.size),
                    out.objects.to_string(),
                    out.origin.clone(),
                    prune::tags_cell(&out.tags),
                    out.shipped_to.clone().unwrap_or_else(|| "-".into()),
                ]],
            )?;
            if let Some(pr) = &out.prune {
                p.status(&format!(
                    "pruned {} ({}): kept {}, removed {}",
                    pr.location, pr.policy, pr.kept, pr.removed
                ));
            }
        }
        OutputFormat::Json => p.json(out)?,
        OutputFormat::Jsonl => p.jsonl(out)?,
    }
    Ok(ExitCode::SUCCESS)
}
