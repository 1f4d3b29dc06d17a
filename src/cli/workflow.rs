//! Pieces shared by the workflow commands (`graph`, `node`, `run`, `state`, all on the
//! workflow API v0): the `--ns` option, `KEY=VALUE` arguments, short table cells, and the
//! error context that names what was being done.

use std::collections::BTreeMap;

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::exit::UsageError;

/// The workflow namespace of a command.
#[derive(Debug, Clone, Args)]
pub struct NsArg {
    /// Workflow namespace
    #[arg(
        long = "ns",
        env = "STMGR_NS",
        hide_env_values = true,
        value_name = "NS",
        add = ArgValueCandidates::new(crate::cli::complete::workflow_namespaces)
    )]
    pub ns: Option<String>,
}

impl NsArg {
    /// The namespace, or a usage error (exit 2) saying how to give one.
    ///
    /// # Errors
    /// Neither `--ns` nor `STMGR_NS`.
    pub fn require(&self) -> Result<&str, UsageError> {
        self.ns
            .as_deref()
            .filter(|ns| !ns.is_empty())
            .ok_or_else(|| UsageError::new("no workflow namespace: pass --ns NS or set STMGR_NS"))
    }
}

/// Parses `KEY=VALUE` (the value may hold `=`; the key may not be empty).
///
/// # Errors
/// No `=`, or an empty key.
pub fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

/// `KEY=VALUE` pairs as a map (a later pair wins), or `None` when there are none.
pub fn pairs(list: &[(String, String)]) -> Option<BTreeMap<String, String>> {
    (!list.is_empty()).then(|| list.iter().cloned().collect())
}

/// Width of free-text cells (errors, inputs) in tables.
const CELL_WIDTH: usize = 80;

/// Text cut to fit a table cell, on one line.
pub fn cell(text: &str) -> String {
    let text = text.replace('\n', " ");
    if text.chars().count() > CELL_WIDTH {
        text.chars().take(CELL_WIDTH - 1).collect::<String>() + "…"
    } else {
        text
    }
}

/// A list for a table cell: one item per line, or `-` when empty.
pub fn lines<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> String {
    let text = items
        .into_iter()
        .map(|s| cell(s.as_ref()))
        .collect::<Vec<_>>()
        .join("\n");
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_splits_at_the_first_equals_sign() {
        assert_eq!(
            key_value("url=http://x/?a=b"),
            Ok(("url".to_owned(), "http://x/?a=b".to_owned()))
        );
        assert_eq!(key_value("k="), Ok(("k".to_owned(), String::new())));
        assert!(key_value("k").is_err());
        assert!(key_value("=v").is_err());
    }

    #[test]
    fn cells_are_cut_and_lists_joined() {
        assert_eq!(cell("a\nb"), "a b");
        assert_eq!(cell(&"x".repeat(200)).chars().count(), CELL_WIDTH);
        assert_eq!(lines(Vec::<String>::new()), "-");
        assert_eq!(lines(["a", "b"]), "a\nb");
        assert_eq!(pairs(&[]), None);
    }
}
