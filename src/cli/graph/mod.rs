//! `stmgr graph upload|validate|list|show|delete|trigger`: workflow graph templates on the
//! workflow API (v0), and graph files (JSON or TOML, see `examples/graph.toml`).

mod delete;
mod list;
mod show;
mod trigger;
mod upload;
mod validate;

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::cli::context::Context;
use crate::cli::output::Printer;
use crate::cli::workflow::lines;
use crate::client::workflows::GraphOut;
use crate::workflow::{GraphFile, GraphFormat, GraphInput, GraphShape, validate_graph};

/// Workflow graph templates: upload, validate, list, show, delete, trigger
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(subcommand)]
    command: GraphCommand,
}

#[derive(Debug, Subcommand)]
enum GraphCommand {
    /// Check a graph file, upload it, and show how the server judged it
    ///
    /// FILE is TOML (a .toml name) or JSON (anything else; - reads JSON from stdin): the body of
    /// `PUT graph/{name}` (secrets, nodes, retry_policy, store_config, triggers) plus optional
    /// `name` and `namespace` defaults; nodes without `namespace` take the graph's. The file is
    /// checked first, offline, and nothing is sent if it has errors (all are listed, exit 1).
    /// The server answers PENDING, then checks the graph against the registered nodes: with
    /// --wait, stmgr waits for VALID or INVALID and exits 1 if INVALID.
    Upload(upload::UploadArgs),
    /// Check a graph file offline: syntax, keys and structure (no server)
    ///
    /// The structural checks of the server's upsert: names, unique identifiers, next_nodes that
    /// exist, one root, connected, acyclic, unites, `${{ id.outputs.field }}` and
    /// `${{ store.key }}` placeholders that refer to ancestors and declared store keys, retry
    /// policy ranges, cron triggers. Whether the nodes are registered is only known to the
    /// server (`graph upload --wait`). Exits 1 with every error listed.
    Validate(validate::ValidateArgs),
    /// List the graph templates of a namespace with their validation status
    List(list::ListArgs),
    /// Show a graph template: status, errors, policy, store keys, triggers and its nodes
    Show(show::ShowArgs),
    /// Delete a graph template (its runs stay readable)
    Delete(delete::DeleteArgs),
    /// Start a run of a VALID graph and print its run id
    Trigger(trigger::TriggerArgs),
}

/// Runs `stmgr graph ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &GraphArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        GraphCommand::Upload(a) => upload::run(a, ctx),
        GraphCommand::Validate(a) => validate::run(a, ctx),
        GraphCommand::List(a) => list::run(a, ctx),
        GraphCommand::Show(a) => show::run(a, ctx),
        GraphCommand::Delete(a) => delete::run(a, ctx),
        GraphCommand::Trigger(a) => trigger::run(a, ctx),
    }
}

/// Namespace used offline for nodes that name none when no namespace is known.
const OFFLINE_NS: &str = "default";

/// A graph file read, parsed and checked, ready to upload.
struct Checked {
    /// The file as parsed (its `name` and `namespace` defaults).
    file: GraphFile,
    /// The body of `PUT graph/{name}`.
    input: GraphInput,
    /// The graph's structure.
    shape: GraphShape,
}

/// Reads `path` (`-`: stdin, JSON), parses it and runs the structural checks with nodes
/// defaulting to `ns` (else the file's namespace). Every problem is printed as an `error:`
/// line; the returned error summarizes them (exit 1).
fn check_file(path: &str, ns: Option<&str>, p: &Printer) -> anyhow::Result<Checked> {
    let (text, format) = if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the graph from stdin")?;
        (text, GraphFormat::Json)
    } else {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
        (text, GraphFormat::from_file_name(path))
    };
    let label = if path == "-" { "stdin" } else { path };
    let fail = |errors: Vec<String>| {
        for e in &errors {
            p.error(&format!("{label}: {e}"));
        }
        let n = errors.len();
        anyhow::anyhow!(
            "{label} is not a valid graph ({n} error{})",
            if n == 1 { "" } else { "s" }
        )
    };
    let file = GraphFile::parse(&text, format).map_err(|e| fail(e.messages()))?;
    let ns = ns.or(file.namespace.as_deref()).unwrap_or(OFFLINE_NS);
    let input = file.input(ns).map_err(|e| fail(e.messages()))?;
    let shape = validate_graph(&input).map_err(fail)?;
    Ok(Checked { file, input, shape })
}

/// Table headers of graph templates.
const HEADERS: [&str; 6] = [
    "name",
    "namespace",
    "status",
    "nodes",
    "updated_at",
    "errors",
];

/// One table row of a graph template.
fn row(g: &GraphOut) -> Vec<String> {
    vec![
        g.name.clone(),
        g.namespace.clone(),
        g.validation_status.clone(),
        g.nodes.len().to_string(),
        g.updated_at.clone(),
        lines(&g.validation_errors),
    ]
}
