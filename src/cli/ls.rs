//! `stmgr ls NS [--prefix P] [--limit N] [--after ID]`.

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;

/// List the objects of a namespace in id order
#[derive(Debug, Args)]
#[command(after_help = LS_EXAMPLES)]
pub struct LsArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Only ids starting with this
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// At most this many (all pages when absent)
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Start after this id
    #[arg(long, value_name = "ID")]
    pub after: Option<String>,
}

/// `--help` examples (also in the man page).
const LS_EXAMPLES: &str = r#"Examples:
  stmgr ls agent://demo
  stmgr ls agent://demo --prefix task- --limit 20
  stmgr ls agent://demo --no-headers | cut -d' ' -f1     # ids only
  stmgr ls agent://demo -o jsonl"#;

/// Runs `stmgr ls`, following cursors until `--limit` or the end.
///
/// # Errors
/// Server errors (exit 1).
pub fn run(args: &LsArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let mut all = Vec::new();
    let mut after = args.after.clone();
    loop {
        let want = args
            .limit
            .map(|l| (l - all.len()).min(1000))
            .unwrap_or(1000);
        if want == 0 {
            break;
        }
        let page = ctx.block_on(client.list(
            &args.ns,
            args.prefix.as_deref(),
            Some(want),
            after.as_deref(),
        ))?;
        all.extend(page.objects);
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(
            &online::OBJECT_HEADERS,
            all.iter().map(online::object_row).collect(),
        )?,
        OutputFormat::Json => p.json(&all)?,
        OutputFormat::Jsonl => {
            for o in &all {
                p.jsonl(o)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
