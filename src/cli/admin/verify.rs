//! `stmgr admin verify [--repair]`: checks every WAL frame and snapshot, and that the WAL has a
//! base to replay from (a snapshot that verifies and a log that continues where it ends); exit
//! 1 on corruption or without a base, also after a repair that could not make the directory
//! openable.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::datadir;
use crate::config::OutputFormat;
use crate::store::offline::verify::{self, Status, VerifyReport};

/// Arguments of `stmgr admin verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Cut damaged data away (server stopped): a damaged segment is truncated at the first bad
    /// frame and the segments after it moved aside; damaged snapshots are moved aside. Every cut
    /// byte is kept under aside/repair-<time>/.
    #[arg(long)]
    pub repair: bool,
}

/// Runs `stmgr admin verify`.
///
/// # Errors
/// Corruption found (exit 1) and not repaired, missing or locked data directory.
pub fn run(args: &VerifyArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    crate::cli::mode::require_data_dir(ctx, "stmgr admin verify")?;
    let p = &ctx.printer;
    let (dir, _lock) = if args.repair {
        let (d, l) = datadir::locked(ctx, "stmgr admin verify --repair")?;
        (d, Some(l))
    } else {
        (datadir::existing(ctx)?, None)
    };
    let mut report = verify::verify(&dir)?;
    let damaged = report.files.iter().any(|f| f.status != Status::Ok);
    if args.repair && damaged {
        let actions = verify::repair(&dir, &report)?;
        for a in &actions {
            p.status(&format!(
                "repair: {} {} (copy in {})",
                a.path.display(),
                a.action,
                a.kept_in.display()
            ));
        }
        report = verify::verify(&dir)?;
    }
    print(ctx, &report)?;
    if let Some(bad) = report.first_corruption() {
        let Status::Corrupt { offset, reason } = &bad.status else {
            unreachable!()
        };
        anyhow::bail!(
            "corruption in {} at offset {offset}: {reason} (`stmgr admin verify --repair` cuts it away, keeping a copy)",
            bad.path.display()
        );
    }
    if let Some(problem) = &report.base.problem {
        if args.repair {
            anyhow::bail!(
                "the repair left a data directory that cannot be opened: {problem} (what the repair \
                 cut or moved, damaged snapshots included, is under {})",
                dir.aside().display()
            );
        }
        anyhow::bail!("the data directory cannot be opened: {problem}");
    }
    Ok(ExitCode::SUCCESS)
}

fn print(ctx: &Context, report: &VerifyReport) -> anyhow::Result<()> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let rows = report
                .files
                .iter()
                .map(|f| {
                    let seqs = match (f.first_seq, f.last_seq) {
                        (Some(a), Some(b)) if a == b => a.to_string(),
                        (Some(a), Some(b)) => format!("{a}..{b}"),
                        _ => "-".into(),
                    };
                    let status = match &f.status {
                        Status::Ok => "ok".to_string(),
                        Status::TornTail { offset, .. } => {
                            format!("torn tail at {offset} (recovery cuts it)")
                        }
                        Status::Corrupt { offset, reason } => {
                            format!("CORRUPT at {offset}: {reason}")
                        }
                    };
                    let name = f
                        .path
                        .strip_prefix(ctx.settings.data_dir.as_path())
                        .unwrap_or(&f.path);
                    vec![
                        f.kind.to_string(),
                        name.display().to_string(),
                        f.records.to_string(),
                        seqs,
                        status,
                    ]
                })
                .collect();
            let mut rows: Vec<Vec<String>> = rows;
            let b = &report.base;
            rows.push(vec![
                "base".into(),
                b.snapshot_id
                    .as_ref()
                    .map_or_else(|| "-".into(), |id| format!("snapshots/{id}.snap")),
                "-".into(),
                format!("{}..", b.needs_from),
                match &b.problem {
                    None => format!("ok: the WAL continues from {}", b.needs_from),
                    Some(p) => format!("NO BASE: {p}"),
                },
            ]);
            p.table(&["kind", "file", "records", "commit_seq", "status"], rows)?;
        }
        OutputFormat::Json => p.json(report)?,
        OutputFormat::Jsonl => {
            for f in &report.files {
                p.jsonl(f)?;
            }
            let mut base = serde_json::to_value(&report.base)?;
            base["kind"] = "base".into();
            p.jsonl(&base)?;
        }
    }
    Ok(())
}
