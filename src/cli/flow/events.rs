//! `stmgr flow events [NAME] [--since ID] [-f]`: the flow event journal, replayed, and with
//! `-f` followed live (reconnecting and resuming after the last id printed).

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use futures_util::StreamExt;

use crate::cli::context::Context;
use crate::cli::online;
use crate::client::{ClientError, SseEvent};
use crate::config::OutputFormat;
use crate::flow::wire::FlowEventOut;

/// Arguments of `stmgr flow events`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct EventsArgs {
    /// Only this flow's events [default: every flow]
    pub name: Option<String>,
    /// Only events after this id [default: the whole journal; with -f, only new events]
    #[arg(long, value_name = "ID")]
    pub since: Option<u64>,
    /// Keep printing events as they happen (Ctrl-C to stop)
    #[arg(short, long)]
    pub follow: bool,
}

const EXAMPLES: &str = r#"Examples:
  stmgr flow events etl                 # every event of flow etl the server keeps
  stmgr flow events --since 120 -f      # events after id 120, then live ones
  stmgr flow events etl -f -o jsonl | jq -c 'select(.kind == "crashed")'"#;

const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Runs `stmgr flow events`: one line per event (`-o json`/`jsonl`: one JSON object per line).
///
/// # Errors
/// The server cannot be reached at the start, or the resume point was dropped by retention.
pub fn run(args: &EventsArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let p = &ctx.printer;
    let format = p.format_or(OutputFormat::Table);
    let mut last = match (args.since, args.follow) {
        (Some(s), _) => Some(s),
        (None, false) => Some(0),
        (None, true) => None,
    };
    ctx.block_on(async {
        let mut backoff = Duration::from_millis(100);
        let mut connected_once = false;
        loop {
            let stream = match client
                .flow_events(args.name.as_deref(), last, args.follow)
                .await
            {
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
                    Err(e) if args.follow => {
                        p.status(&format!("stream broke ({e}); resuming"));
                        break;
                    }
                    Err(e) => return Err(anyhow::Error::new(e)),
                };
                match ev.kind.as_str() {
                    "lagged" | "shutdown" => {
                        p.status(&format!(
                            "server ended the stream ({}); resuming after {}",
                            ev.kind,
                            last.unwrap_or(0)
                        ));
                        break;
                    }
                    _ => {
                        let Ok(event) = serde_json::from_value::<FlowEventOut>(ev.data) else {
                            continue;
                        };
                        last = Some(event.id);
                        print(ctx, format, &event)?;
                    }
                }
            }
            if !args.follow {
                return Ok(ExitCode::SUCCESS);
            }
            tokio::time::sleep(backoff).await;
        }
    })
}

fn print(ctx: &Context, format: OutputFormat, e: &FlowEventOut) -> anyhow::Result<()> {
    let p = &ctx.printer;
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => p.jsonl(e)?,
        OutputFormat::Table => {
            let who = match &e.replica {
                Some(r) => format!("{}/{r}", e.flow),
                None => e.flow.clone(),
            };
            p.line(&format!(
                "{:>6}  {}  {who}  {}  {}",
                e.id, e.time, e.kind, e.data
            ))?;
        }
    }
    Ok(())
}
