//! Dynamic shell completion: the binary completes its own command line
//! (`COMPLETE=SHELL stmgr -- WORDS...`, clap_complete's `CompleteEnv`), so completion follows
//! the installed version and offers what only a running server or the data directory knows:
//! namespaces, workflow namespaces, graph names and snapshot ids.
//!
//! The candidates are looked up with the settings the command line being completed would use:
//! its `--server`, `--data-dir`, `--config`, `--token`, `--api-key`, TLS options and `--ns`
//! (the completed word itself aside), then the environment and the config file, as for a real
//! run. A lookup that fails (no server, no data directory, no access) offers nothing and says
//! nothing; a server gets [`LOOKUP_TIMEOUT`] at most, so a dead host never hangs the shell.
//! The shell scripts that call this are in [`super::completions`].

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap_complete::CompletionCandidate;

use crate::cli::mode::Mode;
use crate::client::Client;
use crate::config::{Overrides, Settings};

/// The longest a completion waits for a server.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);

/// Answers a completion request and exits when stmgr was run by a completion script
/// (`COMPLETE` set); returns at once otherwise. Call it first in `main`, before any thread
/// starts.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(crate::cli::command)
        .shells(super::completions::SHELLS)
        .complete();
}

/// Namespaces with objects (`GET /v1/namespaces`), with their object counts.
pub fn namespaces() -> Vec<CompletionCandidate> {
    let Some((client, _, _)) = lookup_client() else {
        return Vec::new();
    };
    block_on(client.namespaces())
        .unwrap_or_default()
        .into_iter()
        .map(|n| CompletionCandidate::new(n.ns).help(Some(format!("{} objects", n.objects).into())))
        .collect()
}

/// Namespaces with registered workflow nodes (`GET /v0/namespaces`).
pub fn workflow_namespaces() -> Vec<CompletionCandidate> {
    let Some((client, _, _)) = lookup_client() else {
        return Vec::new();
    };
    block_on(client.workflow_namespaces())
        .unwrap_or_default()
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

/// The graph templates of the `--ns` on the command line (or `STMGR_NS`), with their status.
pub fn graph_names() -> Vec<CompletionCandidate> {
    let Some((client, _, line)) = lookup_client() else {
        return Vec::new();
    };
    let Some(ns) = line
        .value("ns")
        .or_else(|| std::env::var("STMGR_NS").ok())
        .filter(|ns| !ns.is_empty())
    else {
        return Vec::new();
    };
    block_on(client.graphs(&ns))
        .map(|list| list.templates)
        .unwrap_or_default()
        .into_iter()
        .map(|g| CompletionCandidate::new(g.name).help(Some(g.validation_status.into())))
        .collect()
}

/// Snapshot ids, from the server or the data directory (the same choice as `snapshot list`),
/// with their commit_seq.
pub fn snapshot_ids() -> Vec<CompletionCandidate> {
    let Some(line) = Line::current() else {
        return Vec::new();
    };
    let Ok(settings) = Settings::from_process(&line.overrides()) else {
        return Vec::new();
    };
    let rows = match crate::cli::mode::mode_of(&settings) {
        Mode::Server => {
            let Some(client) = client_for(&settings) else {
                return Vec::new();
            };
            match block_on(client.manifest()) {
                Ok(m) => m.snapshots,
                Err(_) => return Vec::new(),
            }
        }
        Mode::DataDir => {
            let dir = crate::store::dir::DataDir::new(&settings.data_dir);
            crate::admin::snapshot_rows(&dir.snapshots()).unwrap_or_default()
        }
    };
    rows.into_iter()
        .map(|r| {
            let help = r.commit_seq.map(|s| format!("commit_seq {s}"));
            CompletionCandidate::new(r.snapshot_id).help(help.map(Into::into))
        })
        .collect()
}

/// A client for the command line being completed, its settings and the line.
fn lookup_client() -> Option<(Client, Settings, Line)> {
    let line = Line::current()?;
    let settings = Settings::from_process(&line.overrides()).ok()?;
    let client = client_for(&settings)?;
    Some((client, settings, line))
}

fn client_for(settings: &Settings) -> Option<Client> {
    let mut options = settings.client.clone();
    options.timeout = Some(
        options
            .timeout
            .map_or(LOOKUP_TIMEOUT, |t| t.min(LOOKUP_TIMEOUT)),
    );
    crate::client::install_crypto_provider();
    Client::with_options(&settings.server, &options).ok()
}

/// Runs a lookup on a runtime of its own (completion runs before any other is built).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(rt) => rt.block_on(f),
        // No runtime, no lookup: completion must never fail loudly.
        Err(_) => std::process::exit(0),
    }
}

/// The words of the command line being completed, without the word being completed.
#[derive(Debug, Clone, Default)]
pub struct Line {
    words: Vec<String>,
}

impl Line {
    /// The line of this process's completion request: the arguments after `--`, without the
    /// program name and without the word at `_CLAP_COMPLETE_INDEX` (the last word when unset).
    fn current() -> Option<Line> {
        let args: Vec<OsString> = std::env::args_os().collect();
        let start = args.iter().position(|a| a == "--")? + 1;
        let index = std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|i| i.parse::<usize>().ok());
        Some(Line::from_words(&args[start..], index))
    }

    /// `words` (the program name first) without the one at `index` (the last when `None`).
    pub fn from_words(words: &[OsString], index: Option<usize>) -> Line {
        let skip = index.unwrap_or(words.len().saturating_sub(1));
        Line {
            words: words
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip && *i != 0)
                .map(|(_, w)| w.to_string_lossy().into_owned())
                .collect(),
        }
    }

    /// The value of the last `--NAME VALUE` or `--NAME=VALUE` before a `--`.
    pub fn value(&self, name: &str) -> Option<String> {
        let (flag, with_eq) = (format!("--{name}"), format!("--{name}="));
        let mut found = None;
        let mut words = self.words.iter().take_while(|w| *w != "--").peekable();
        while let Some(w) = words.next() {
            if let Some(v) = w.strip_prefix(&with_eq) {
                found = Some(v.to_owned());
            } else if *w == flag
                && let Some(v) = words.next_if(|v| !v.starts_with("--"))
            {
                found = Some(v.clone());
            }
        }
        found
    }

    /// The global options of the line that choose the server, the data directory and the
    /// credentials, as settings overrides.
    pub fn overrides(&self) -> Overrides {
        let path = |name| self.value(name).map(PathBuf::from);
        Overrides {
            config: path("config"),
            data_dir: path("data-dir"),
            server: self.value("server"),
            token: self.value("token"),
            ca_cert: path("ca-cert"),
            client_cert: path("client-cert"),
            client_key: path("client-key"),
            api_key: self.value("api-key"),
            ..Overrides::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &[&str], index: Option<usize>) -> Line {
        let words: Vec<OsString> = words.iter().map(OsString::from).collect();
        Line::from_words(&words, index)
    }

    #[test]
    fn options_come_from_the_line_in_both_spellings_and_the_last_wins() {
        let l = line(
            &[
                "stmgr",
                "--server",
                "http://a:1",
                "graph",
                "show",
                "--server=http://b:2",
                "--ns",
                "prod",
                "",
            ],
            None,
        );
        assert_eq!(l.value("server").as_deref(), Some("http://b:2"));
        assert_eq!(l.value("ns").as_deref(), Some("prod"));
        assert_eq!(l.value("data-dir"), None);
        let o = l.overrides();
        assert_eq!(o.server.as_deref(), Some("http://b:2"));
        assert!(o.data_dir.is_none() && o.output.is_none());
    }

    #[test]
    fn the_completed_word_and_words_after_a_double_dash_are_not_options() {
        // Completing the value of --ns: it is not a namespace yet.
        let l = line(&["stmgr", "graph", "show", "--ns", "pr"], None);
        assert_eq!(l.value("ns"), None);
        // The cursor in the middle: the words after it count.
        let l = line(&["stmgr", "graph", "show", "", "--ns", "prod"], Some(3));
        assert_eq!(l.value("ns").as_deref(), Some("prod"));
        let l = line(&["stmgr", "put", "--", "--ns", "x", ""], None);
        assert_eq!(l.value("ns"), None);
        // A flag followed by another flag has no value.
        let l = line(&["stmgr", "--server", "--ns", "x", ""], None);
        assert_eq!(l.value("server"), None);
        assert_eq!(l.value("ns").as_deref(), Some("x"));
    }
}
