//! `stmgr graph validate FILE [--ns NS]`: the structural checks of a graph file, offline.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::cli::context::Context;
use crate::config::OutputFormat;

/// Arguments of `stmgr graph validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Graph file: TOML if the name ends in .toml, else JSON; - reads JSON from stdin
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Namespace of the nodes without one [default: the file's `namespace`]
    #[arg(
        long = "ns",
        env = "STMGR_NS",
        hide_env_values = true,
        value_name = "NS"
    )]
    pub ns: Option<String>,
}

/// Runs `stmgr graph validate`.
///
/// # Errors
/// An unreadable file or a graph with errors, each printed on its own line first (exit 1).
pub fn run(args: &ValidateArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let p = &ctx.printer;
    let checked = super::check_file(&args.file, args.ns.as_deref(), p)?;
    let shape = &checked.shape;
    let name = checked.file.name.as_deref();
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&format!(
            "OK: {}: graph {}, {} nodes, root {}",
            args.file,
            name.unwrap_or("(no name)"),
            shape.order().len(),
            shape.root()
        ))?,
        format => {
            let doc = json!({
                "file": args.file,
                "valid": true,
                "name": name,
                "namespace": checked.file.namespace,
                "root": shape.root(),
                "order": shape.order(),
                "nodes": checked.input.nodes.len(),
            });
            if format == OutputFormat::Json {
                p.json(&doc)?;
            } else {
                p.jsonl(&doc)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
