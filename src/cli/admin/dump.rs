//! `stmgr admin dump`: the live objects, as JSON lines (default), a JSON array or a table, each
//! object in the v1 API's shape ([`ObjectOut`]). Through the server (`GET /admin/dump`, the
//! latest state) or from the data directory (read-only: no lock, nothing written; also an
//! earlier commit_seq with `--at-seq`).

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::datadir;
use crate::cli::exit::UsageError;
use crate::cli::mode::{self, Mode};
use crate::cli::output::Printer;
use crate::config::OutputFormat;
use crate::objects::ObjectOut;
use crate::store::offline::dump;

/// Arguments of `stmgr admin dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Only this namespace (e.g. agent://demo)
    #[arg(long, value_name = "NS")]
    pub ns: Option<String>,
    /// The state at this commit_seq instead of the latest (reads the data directory)
    #[arg(long, value_name = "SEQ")]
    pub at_seq: Option<u64>,
}

/// Runs `stmgr admin dump`.
///
/// # Errors
/// Missing or foreign data directory, corruption, a seq the directory cannot reproduce, a
/// server error.
pub fn run(args: &DumpArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut out = Out::new(&ctx.printer);
    match mode::choose(ctx) {
        Mode::Server => {
            if args.at_seq.is_some() {
                return Err(UsageError::new(
                    "--at-seq reads the data directory: give --data-dir (it works while the \
                     server runs)",
                )
                .into());
            }
            run_online(args, ctx, &mut out)?;
        }
        Mode::DataDir => {
            let dir = datadir::existing(ctx)?;
            let state = dump::state_at(&dir, args.at_seq)?;
            for o in dump::objects(&state, args.ns.as_deref()) {
                out.push(ObjectOut::from(o))?;
            }
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// Streams the running server's dump (`GET /admin/dump`).
fn run_online(args: &DumpArgs, ctx: &Context, out: &mut Out<'_>) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    let client = crate::cli::online::client(ctx)?;
    ctx.block_on(async {
        let mut stream = std::pin::pin!(client.dump().await?);
        let mut pending = Vec::new();
        while let Some(chunk) = stream.next().await {
            pending.extend_from_slice(&chunk?);
            while let Some(nl) = pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = pending.drain(..=nl).collect();
                let obj: ObjectOut = serde_json::from_slice(&line)?;
                if args.ns.as_deref().is_some_and(|ns| obj.ns != ns) {
                    continue;
                }
                out.push(obj)?;
            }
        }
        Ok::<_, anyhow::Error>(())
    })
}

/// Prints objects as they come (JSON lines) or once all are there (a JSON array, a table).
struct Out<'a> {
    printer: &'a Printer,
    format: OutputFormat,
    held: Vec<ObjectOut>,
}

impl<'a> Out<'a> {
    fn new(printer: &'a Printer) -> Self {
        Out {
            printer,
            format: printer.format_or(OutputFormat::Jsonl),
            held: Vec::new(),
        }
    }

    fn push(&mut self, o: ObjectOut) -> std::io::Result<()> {
        match self.format {
            OutputFormat::Jsonl => self.printer.jsonl(&o),
            OutputFormat::Json | OutputFormat::Table => {
                self.held.push(o);
                Ok(())
            }
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self.format {
            OutputFormat::Jsonl => Ok(()),
            OutputFormat::Json => self.printer.json(&self.held),
            OutputFormat::Table => {
                let rows = self
                    .held
                    .into_iter()
                    .map(|o| {
                        let body = crate::cli::online::table_body(o.body.get());
                        vec![o.ns, o.id, o.type_, o.commit_seq.to_string(), body]
                    })
                    .collect();
                self.printer
                    .table(&["ns", "id", "type", "commit_seq", "body"], rows)
            }
        }
    }
}
