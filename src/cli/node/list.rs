//! `stmgr node list --ns NS`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use serde_json::Value;

use crate::cli::context::Context;
use crate::cli::online;
use crate::cli::workflow::{NsArg, lines};
use crate::client::workflows::NodeOut;
use crate::config::OutputFormat;

/// Arguments of `stmgr node list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub ns: NsArg,
}

/// Runs `stmgr node list`.
///
/// # Errors
/// No namespace (exit 2); server errors (exit 1).
pub fn run(args: &ListArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ns = args.ns.require()?;
    let client = online::client(ctx)?;
    let list = ctx
        .block_on(client.nodes(ns))
        .with_context(|| format!("cannot list the nodes of namespace {ns}"))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(
            &["name", "runtime", "inputs", "outputs", "secrets"],
            list.nodes.iter().map(row).collect(),
        )?,
        OutputFormat::Json => p.json(&list)?,
        OutputFormat::Jsonl => {
            for n in &list.nodes {
                p.jsonl(n)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn row(n: &NodeOut) -> Vec<String> {
    vec![
        n.name.clone(),
        n.runtime_name.clone(),
        fields(&n.inputs_schema),
        fields(&n.outputs_schema),
        lines(&n.secrets),
    ]
}

/// The properties of a JSON Schema object, one per line with their type when given
/// (`name: string`).
fn fields(schema: &Value) -> String {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return "-".to_owned();
    };
    lines(
        props
            .iter()
            .map(|(name, p)| match p.get("type").and_then(Value::as_str) {
                Some(t) => format!("{name}: {t}"),
                None => name.clone(),
            }),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fields_lists_schema_properties() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {}}});
        assert_eq!(fields(&schema), "a: string\nb");
        assert_eq!(fields(&json!({})), "-");
    }
}
