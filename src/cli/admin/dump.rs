//! `stmgr admin dump`: the live objects at the latest or an earlier commit_seq, as JSON lines
//! (default), a JSON array, or a table. Read-only: no lock, nothing written.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::datadir;
use crate::config::OutputFormat;
use crate::store::offline::dump;

/// Arguments of `stmgr admin dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Only this namespace (e.g. agent://demo)
    #[arg(long, value_name = "NS")]
    pub ns: Option<String>,
    /// The state at this commit_seq instead of the latest
    #[arg(long, value_name = "SEQ")]
    pub at_seq: Option<u64>,
}

/// Runs `stmgr admin dump`.
///
/// # Errors
/// Missing data directory, corruption, a seq the directory cannot reproduce.
pub fn run(args: &DumpArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    if ctx.online {
        return run_online(args, ctx);
    }
    let dir = datadir::existing(ctx)?;
    let state = dump::state_at(&dir, args.at_seq)?;
    let objects = dump::objects(&state, args.ns.as_deref());
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Jsonl) {
        OutputFormat::Jsonl => {
            for o in objects {
                p.jsonl(&o)?;
            }
        }
        OutputFormat::Json => p.json(&objects.collect::<Vec<_>>())?,
        OutputFormat::Table => {
            let rows = objects
                .map(|o| {
                    let body = crate::cli::online::table_body(o.body.get());
                    vec![o.ns, o.id, o.type_, o.commit_seq.to_string(), body]
                })
                .collect();
            p.table(&["ns", "id", "type", "commit_seq", "body"], rows)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Streams the running server's dump (`GET /admin/dump`), JSON lines or a JSON array.
fn run_online(args: &DumpArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    use futures_util::StreamExt;
    if args.at_seq.is_some() {
        return Err(crate::cli::exit::UsageError::new(
            "--at-seq reads the data directory: give --data-dir (it works while the server runs)",
        )
        .into());
    }
    let format = ctx.printer.format_or(OutputFormat::Jsonl);
    if format == OutputFormat::Table {
        return Err(crate::cli::exit::UsageError::new(
            "--output table needs --data-dir; use jsonl or json with --server",
        )
        .into());
    }
    let client = crate::cli::online::client(ctx)?;
    ctx.block_on(async {
        let mut stream = std::pin::pin!(client.dump().await?);
        let mut pending = Vec::new();
        let mut all = Vec::new();
        while let Some(chunk) = stream.next().await {
            pending.extend_from_slice(&chunk?);
            while let Some(nl) = pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = pending.drain(..=nl).collect();
                let obj: serde_json::Value = serde_json::from_slice(&line)?;
                if args.ns.as_deref().is_some_and(|ns| obj["ns"] != ns) {
                    continue;
                }
                if format == OutputFormat::Jsonl {
                    ctx.printer.jsonl(&obj)?;
                } else {
                    all.push(obj);
                }
            }
        }
        if format == OutputFormat::Json {
            ctx.printer.json(&all)?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
