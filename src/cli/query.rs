//! `stmgr query NS [--tag k=v]... [--where PATH=JSON]... [--limit N]`.

use std::process::ExitCode;

use clap::Args;
use clap_complete::ArgValueCandidates;
use serde_json::json;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::cli::online;
use crate::config::OutputFormat;
use crate::objects::parse_tags;

/// Find objects by tags and by values in their body
#[derive(Debug, Args)]
#[command(after_help = QUERY_EXAMPLES)]
pub struct QueryArgs {
    /// Namespace
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Tag that must match (repeatable; all must match)
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Body field that must equal a JSON value, e.g. `$.status="done"` (repeatable)
    #[arg(long = "where", value_name = "PATH=JSON")]
    pub wheres: Vec<String>,
    /// Page size
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Cursor from a previous page
    #[arg(long, value_name = "CURSOR")]
    pub cursor: Option<String>,
}

/// `--help` examples (also in the man page).
const QUERY_EXAMPLES: &str = r#"Examples:
  stmgr query agent://demo --tag team=a
  stmgr query agent://demo --where '$.status="open"' --tag team=a
  stmgr query agent://demo --where '$.attempts=3' -o json"#;

/// Runs `stmgr query`.
///
/// # Errors
/// Bad input (exit 2), server errors (exit 1).
pub fn run(args: &QueryArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let tags = parse_tags(&args.tags).map_err(|e| UsageError::new(e.0))?;
    let mut equals = serde_json::Map::new();
    for w in &args.wheres {
        let (path, value) = w
            .split_once('=')
            .ok_or_else(|| UsageError::new(format!("--where {w:?} is not PATH=JSON")))?;
        let value: serde_json::Value = serde_json::from_str(value)
            .map_err(|e| UsageError::new(format!("--where {w:?}: the value is not JSON: {e}")))?;
        equals.insert(path.to_string(), value);
    }
    let mut q = json!({"tag_filter": tags, "jsonpath": {"equals": equals}});
    if let Some(l) = args.limit {
        q["limit"] = json!(l);
    }
    if let Some(c) = &args.cursor {
        q["cursor"] = json!(c);
    }
    let client = online::client(ctx)?;
    let (items, next) = ctx.block_on(client.query(&args.ns, &q))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            p.table(
                &online::OBJECT_HEADERS,
                items.iter().map(online::object_row).collect(),
            )?;
            if let Some(c) = next {
                p.status(&format!("more results: --cursor {c}"));
            }
        }
        OutputFormat::Json => p.json(&json!({"objects": items, "next_cursor": next}))?,
        OutputFormat::Jsonl => {
            for o in &items {
                p.jsonl(o)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
