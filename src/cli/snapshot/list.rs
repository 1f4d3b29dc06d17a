//! `stmgr snapshot list`: the snapshots of a data directory, oldest first (read-only).

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use crate::cli::context::Context;
use crate::cli::datadir;
use crate::config::OutputFormat;
use crate::store::snapshot;

/// Arguments of `stmgr snapshot list`.
#[derive(Debug, Args)]
pub struct ListArgs {}

#[derive(Serialize)]
struct Row {
    snapshot_id: String,
    commit_seq: Option<u64>,
    created_at: Option<String>,
    size: Option<u64>,
    objects: Option<u64>,
    /// Id of the key sealing it, in hex (`None`: plaintext or unreadable).
    key_id: Option<String>,
    error: Option<String>,
}

/// A header key id as shown: hex, `None` for plaintext.
fn key_id(id: u32) -> Option<String> {
    (id != 0).then(|| format!("{id:08x}"))
}

/// Lists the snapshots.
///
/// # Errors
/// Missing data directory, I/O errors.
pub fn run(_args: &ListArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let rows = if ctx.online {
        online_rows(ctx)?
    } else {
        offline_rows(ctx)?
    };
    print(ctx, rows)
}

/// The snapshots the running server reports (`GET /admin/manifest`).
fn online_rows(ctx: &Context) -> anyhow::Result<Vec<Row>> {
    let client = crate::cli::online::client(ctx)?;
    let m = ctx.block_on(client.manifest())?;
    Ok(m.snapshots
        .into_iter()
        .map(|s| Row {
            snapshot_id: s.snapshot_id,
            commit_seq: Some(s.commit_seq),
            created_at: Some(s.created_at),
            size: Some(s.size),
            objects: Some(s.objects),
            key_id: key_id(s.key_id),
            error: None,
        })
        .collect())
}

fn offline_rows(ctx: &Context) -> anyhow::Result<Vec<Row>> {
    let dir = datadir::existing(ctx)?;
    Ok(snapshot::list_snapshots(&dir.snapshots())?
        .into_iter()
        .map(|info| match info.meta {
            Ok(m) => Row {
                snapshot_id: info.id,
                commit_seq: Some(m.commit_seq),
                created_at: Some(datadir::time(m.created_ms)),
                size: Some(m.size),
                objects: Some(m.objects),
                key_id: key_id(m.key_id),
                error: None,
            },
            Err(e) => Row {
                snapshot_id: info.id,
                commit_seq: None,
                created_at: None,
                size: None,
                objects: None,
                key_id: None,
                error: Some(e.to_string()),
            },
        })
        .collect())
}

fn print(ctx: &Context, rows: Vec<Row>) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
            p.table(
                &[
                    "snapshot_id",
                    "commit_seq",
                    "created_at",
                    "size",
                    "objects",
                    "key_id",
                    "status",
                ],
                rows.into_iter()
                    .map(|r| {
                        vec![
                            r.snapshot_id,
                            opt(r.commit_seq.map(|s| s.to_string())),
                            opt(r.created_at),
                            opt(r.size.map(datadir::bytes)),
                            opt(r.objects.map(|o| o.to_string())),
                            opt(r.key_id),
                            r.error.unwrap_or_else(|| "ok".into()),
                        ]
                    })
                    .collect(),
            )?
        }
        OutputFormat::Json => p.json(&rows)?,
        OutputFormat::Jsonl => {
            for r in &rows {
                p.jsonl(r)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
