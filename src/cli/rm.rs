//! `stmgr rm NS ID...`: deletes objects one by one and prints what it deleted.
//!
//! The result goes to stdout in every format, even when a later id fails: a line
//! `deleted NS/ID` per object (table), an array of `{"ns", "id"}` (json) or one such object
//! per line, as each delete is acknowledged (jsonl). After a full success a summary goes to
//! stderr (not with `-q`).

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;
use serde::Serialize;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::output::Printer;
use crate::config::OutputFormat;

/// Delete objects
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Object ids
    #[arg(required = true)]
    pub ids: Vec<String>,
}

/// One deleted object, as printed with `--output json` and `jsonl`.
#[derive(Debug, Serialize)]
struct Deleted<'a> {
    ns: &'a str,
    id: &'a str,
}

/// Runs `stmgr rm`; stops at the first failure, after printing what it deleted before it.
///
/// # Errors
/// Not found and other server errors (exit 1).
pub fn run(args: &RmArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let p = &ctx.printer;
    let format = p.format_or(OutputFormat::Table);
    let mut deleted = Vec::new();
    let mut failure = None;
    for id in &args.ids {
        if let Err(e) = ctx.block_on(client.delete(&args.ns, id)) {
            failure =
                Some(anyhow::Error::new(e).context(format!("cannot delete {}/{id}", args.ns)));
            break;
        }
        let done = Deleted { ns: &args.ns, id };
        match format {
            OutputFormat::Table => p.line(&format!("deleted {}/{id}", args.ns))?,
            OutputFormat::Jsonl => p.jsonl(&done)?,
            OutputFormat::Json => {}
        }
        deleted.push(done);
    }
    if format == OutputFormat::Json {
        p.json(&deleted)?;
    }
    if let Some(err) = failure {
        return Err(err);
    }
    summary(p, &args.ns, deleted.len());
    Ok(ExitCode::SUCCESS)
}

/// `deleted 2 objects of NS` on stderr, unless `-q`.
fn summary(p: &Printer, ns: &str, n: usize) {
    let noun = if n == 1 { "object" } else { "objects" };
    p.status(&format!("deleted {n} {noun} of {ns}"));
}
