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

const BODY_WIDTH: usize = 60;

/// Runs `stmgr admin dump`.
///
/// # Errors
/// Missing data directory, corruption, a seq the directory cannot reproduce.
pub fn run(args: &DumpArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
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
                    let mut body = o.body.get().to_string();
                    if body.chars().count() > BODY_WIDTH {
                        body = body.chars().take(BODY_WIDTH - 1).collect::<String>() + "…";
                    }
                    vec![o.ns, o.id, o.type_, o.commit_seq.to_string(), body]
                })
                .collect();
            p.table(&["ns", "id", "type", "commit_seq", "body"], rows)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
