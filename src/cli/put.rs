//! `stmgr put NS [ID] --type T --body JSON|@FILE|- [--tag k=v]... [--ttl 1h]`.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use clap_complete::ArgValueCandidates;
use serde_json::json;

use crate::cli::complete;
use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::cli::online;
use crate::config::OutputFormat;
use crate::objects::parse_tags;

/// Create or replace an object
#[derive(Debug, Args)]
#[command(after_help = PUT_EXAMPLES)]
pub struct PutArgs {
    /// Namespace (e.g. agent://demo)
    #[arg(add = ArgValueCandidates::new(complete::namespaces))]
    pub ns: String,
    /// Object id [default: a new ULID]
    pub id: Option<String>,
    /// Type name
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    pub type_: String,
    /// JSON body: inline, @FILE, or - for stdin
    #[arg(long, short = 'b', value_name = "JSON")]
    pub body: String,
    /// A tag (repeatable)
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Time to live (e.g. 90s, 1h)
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub ttl: Option<Duration>,
    /// Parent id (repeatable)
    #[arg(long = "parent", value_name = "ID")]
    pub parents: Vec<String>,
    /// Write only if the object is at this commit_seq (0: only if it does not exist)
    #[arg(long, value_name = "SEQ")]
    pub if_match: Option<u64>,
}

/// `--help` examples (also in the man page).
const PUT_EXAMPLES: &str = r#"Examples:
  stmgr put agent://demo task-1 --type task --body '{"status":"open"}' --tag team=a
  stmgr put agent://demo --type note --body @note.json --ttl 1h    # a new ULID id
  echo '{"n":1}' | stmgr put agent://demo counter --type count --body -
  stmgr put agent://demo task-1 --type task --body '{}' --if-match 0   # only if absent"#;

fn read_body(arg: &str) -> anyhow::Result<serde_json::Value> {
    let text = if arg == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path)
            .map_err(|e| UsageError::new(format!("cannot read body file {path}: {e}")))?
    } else {
        arg.to_string()
    };
    serde_json::from_str(&text)
        .map_err(|e| UsageError::new(format!("--body is not JSON: {e}")).into())
}

/// Runs `stmgr put`.
///
/// # Errors
/// Bad input (exit 2), the server refused (exit 1).
pub fn run(args: &PutArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let body = read_body(&args.body)?;
    let tags = parse_tags(&args.tags).map_err(|e| UsageError::new(e.0))?;
    let mut input =
        json!({"type": args.type_, "body": body, "tags": tags, "parents": args.parents});
    if let Some(id) = &args.id {
        input["id"] = json!(id);
    }
    if let Some(ttl) = args.ttl {
        input["ttl_seconds"] = json!(ttl.as_secs().max(1));
    }
    let client = online::client(ctx)?;
    let obj = ctx.block_on(client.put(&args.ns, &input, args.if_match))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(&online::OBJECT_HEADERS, vec![online::object_row(&obj)])?,
        OutputFormat::Json => p.json(&obj)?,
        OutputFormat::Jsonl => p.jsonl(&obj)?,
    }
    Ok(ExitCode::SUCCESS)
}
