//! `stmgr watch NS [--from SEQ] [--prefix P]`: prints changes as they come; reconnects and
//! resumes by itself (no gap, no duplicate) until interrupted.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use clap_complete::ArgValueCandidates;
use futures_util::StreamExt;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::online;
use crate::client::{ClientError, SseEvent};
use crate::config::OutputFormat;

/// Follow the changes of a namespace (Ctrl-C to stop)
#[derive(Debug, Args)]
#[command(after_help = WATCH_EXAMPLES)]
pub struct WatchArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Start after this commit_seq [default: only changes from now on]
    #[arg(long, value_name = "SEQ")]
    pub from: Option<u64>,
    /// Only ids starting with this
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// Stop after this many changes
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
}

/// `--help` examples (also in the man page).
const WATCH_EXAMPLES: &str = r#"Examples:
  stmgr watch agent://demo
  stmgr watch agent://demo --prefix task- -o jsonl | jq -c .
  stmgr watch agent://demo --from 120 --count 10    # the 10 changes after commit_seq 120"#;

const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Runs `stmgr watch`.
///
/// # Errors
/// The resume point is gone (`compacted`, `reset`: re-list and start again), or the server
/// could not be reached at the start.
pub fn run(args: &WatchArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let p = &ctx.printer;
    let format = p.format_or(OutputFormat::Table);
    ctx.block_on(async {
        let mut last = args.from;
        let mut seen = 0u64;
        let mut backoff = Duration::from_millis(100);
        let mut connected_once = false;
        loop {
            let stream = match client.watch(&args.ns, last, args.prefix.as_deref()).await {
                Ok(s) => s,
                Err(e @ (ClientError::Transport { .. } | ClientError::Timeout { .. }))
                    if connected_once =>
                {
                    p.status(&format!("reconnecting: {e}"));
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
                Err(e) => return Err(anyhow::Error::new(e)),
            };
            connected_once = true;
            backoff = Duration::from_millis(100);
            let mut stream = std::pin::pin!(stream);
            while let Some(item) = stream.next().await {
                let ev: SseEvent = match item {
                    Ok(ev) => ev,
                    Err(e) => {
                        p.status(&format!("stream broke ({e}); resuming"));
                        break;
                    }
                };
                match ev.kind.as_str() {
                    "message" => {
                        print_event(ctx, format, &ev)?;
                        if let Some(id) = ev.id {
                            last = Some(id);
                        }
                        seen += 1;
                        if args.count.is_some_and(|c| seen >= c) {
                            return Ok(ExitCode::SUCCESS);
                        }
                    }
                    "overflow" | "shutdown" => {
                        let at = ev.data.get("last_commit").and_then(|v| v.as_u64());
                        if at.is_some() {
                            last = at;
                        }
                        p.status(&format!("server ended the stream ({}); resuming after {}", ev.kind, last.unwrap_or(0)));
                        break;
                    }
                    "expired" => anyhow::bail!(
                        "the server ended the stream: the token expired; watch again with a new token and --from {}",
                        ev.data.get("last_commit").and_then(|v| v.as_u64()).or(last).unwrap_or(0)
                    ),
                    kind => anyhow::bail!(
                        "watch cannot resume ({kind}: {}); list the namespace again and watch from its current commit_seq",
                        ev.data
                    ),
                }
            }
            tokio::time::sleep(backoff).await;
        }
    })
}

fn print_event(ctx: &Context, format: OutputFormat, ev: &SseEvent) -> anyhow::Result<()> {
    let p = &ctx.printer;
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => p.jsonl(&ev.data)?,
        OutputFormat::Table => {
            let d = &ev.data;
            let seq = d["commit_seq"].as_u64().unwrap_or(0);
            let line = match d["type"].as_str() {
                Some("put") => format!(
                    "{seq:>8}  put     {}  {}",
                    d["obj"]["id"].as_str().unwrap_or(""),
                    d["obj"]["body"]
                ),
                Some(t) => format!("{seq:>8}  {t:<7} {}", d["id"].as_str().unwrap_or("")),
                None => d.to_string(),
            };
            p.line(&line)?;
        }
    }
    Ok(())
}
