//! `stmgr migrate`: moves a deployment between backends, a stopped server's data directory
//! into a PostgreSQL database or back ([`crate::store::pg::migrate`]); prints what was moved.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::config::OutputFormat;
use crate::store::dir::DataDir;
use crate::store::pg::migrate::{self, Moved};
use crate::store::pg::{PgOptions, is_postgres_url};
use crate::store::state::HistoryPolicy;

/// Move the whole state between a data directory and a PostgreSQL database (servers stopped)
///
/// Every domain is carried with its commit_seq as one snapshot (stored in the database, or the
/// directory's base snapshot); the target issues seqs above every seq the source issued. The
/// log is not carried: watches cannot resume from before the migration. The source is only
/// read. A target that holds data is refused unless --force (a directory's files are then
/// moved aside to aside/migrate-<time>/; a database's log and snapshots are replaced). A data
/// directory a server holds is refused (exit 11), and so is a database stmgr servers are
/// connected to.
#[derive(Debug, Args)]
#[command(after_help = MIGRATE_EXAMPLES)]
pub struct MigrateArgs {
    /// Where the state is: a data directory, or a postgres:// URL
    #[arg(long, value_name = "DIR|URL")]
    pub from: String,
    /// Where it goes: a postgres:// URL, or a data directory (created if missing)
    #[arg(long, value_name = "URL|DIR")]
    pub to: String,
    /// Replace a target that holds data
    #[arg(long)]
    pub force: bool,
}

/// `--help` examples (also in the man page).
const MIGRATE_EXAMPLES: &str = r#"Examples:
  stmgr migrate --from /var/lib/stmgr --to postgres://stmgr@db.internal/stmgr
  stmgr migrate --from postgres://stmgr@db.internal/stmgr --to /var/lib/stmgr-copy
  stmgr migrate --from /srv/new --to postgres://stmgr@db.internal/stmgr --force"#;

/// Runs `stmgr migrate`.
///
/// # Errors
/// Neither or both sides a database URL (usage); a locked (11), missing or corrupt data
/// directory; an unreachable database; a non-empty target without --force; servers connected
/// to the target database.
pub fn run(args: &MigrateArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let e = &ctx.settings.engine;
    let policy = HistoryPolicy::new(e.history_versions, e.history_age);
    let dir = |p: &str| DataDir::new(PathBuf::from(p)).with_keys(e.keyring());
    let out = match (is_postgres_url(&args.from), is_postgres_url(&args.to)) {
        (false, true) => migrate::dir_to_pg(
            &dir(&args.from),
            &PgOptions::new(&args.to),
            &policy,
            args.force,
        )?,
        (true, false) => migrate::pg_to_dir(
            &PgOptions::new(&args.from),
            &dir(&args.to),
            &policy,
            args.force,
        )?,
        _ => {
            return Err(UsageError::new(
                "--from and --to: one must be a data directory and the other a postgres:// URL",
            )
            .into());
        }
    };
    print(ctx, &out)
}

fn print(ctx: &Context, out: &Moved) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            p.line(&format!(
                "migrated {} objects ({} items, every domain) at commit_seq {} from {} to {}; \
                 the next commit gets seq {}",
                out.objects, out.entries, out.commit_seq, out.from, out.to, out.next_seq
            ))?;
            if let Some(a) = &out.moved_aside_to {
                p.status(&format!(
                    "the target's previous files are in {}",
                    a.display()
                ));
            }
        }
        OutputFormat::Json => p.json(out)?,
        OutputFormat::Jsonl => p.jsonl(out)?,
    }
    Ok(ExitCode::SUCCESS)
}
