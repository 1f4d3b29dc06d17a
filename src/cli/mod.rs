//! The command line: the clap definition ([`Cli`], [`Command`]), dispatch ([`run`]) and the
//! shared pieces every command uses (context, printer, exit codes, logging).
//!
//! One file per leaf command, one folder per command group; each command is a function
//! `run(&XxxArgs, &Context) -> anyhow::Result<ExitCode>` that adapts its arguments to library
//! calls and formats the result. Printing happens only here and in `main.rs`.

pub mod admin;
pub mod bench;
pub mod checkpoint;
pub mod complete;
pub mod completions;
pub mod context;
mod datadir;
mod exit;
pub mod flow;
pub mod generate;
pub mod get;
pub mod graph;
pub mod keys;
pub mod logging;
pub mod ls;
pub mod man;
pub mod migrate;
pub mod mode;
pub mod node;
mod online;
pub mod output;
pub mod put;
pub mod query;
pub mod restore;
pub mod rm;
pub mod run;
pub mod server;
pub mod snapshot;
pub mod state;
pub mod status;
mod storage;
pub mod supervise;
pub mod token;
pub mod trim_wal;
pub mod watch;
pub mod workflow;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand};

pub use self::context::Context;
pub use self::exit::{
    EXIT_STATUS_HELP, UsageError, exit_code_for, exit_status_for, is_broken_pipe,
};
use crate::config::{OutputFormat, Overrides, Settings};

/// State manager for agent and workflow systems: state store, snapshots, point-in-time restore
#[derive(Debug, Parser)]
#[command(
    name = "stmgr",
    version = crate::build_info::VERSION_LINE,
    about = "State manager for agent and workflow systems: state store, snapshots, point-in-time restore",
    long_about = None,
    after_long_help = EXIT_STATUS_HELP,
    arg_required_else_help = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options accepted by every command.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after any subcommand.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Config file [default: stmgr/config.toml in the platform config directory, if present]
    #[arg(
        long,
        global = true,
        env = "STMGR_CONFIG",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// Data directory [default: stmgr in the platform data directory]
    /// [env: STMGR_DATA_DIR, DATA_DIR]
    #[arg(long, global = true, value_name = "PATH")]
    pub data_dir: Option<PathBuf>,

    /// Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,

    /// Output format of results [default: chosen by each command, usually table]
    #[arg(
        short = 'o',
        long,
        global = true,
        env = "STMGR_OUTPUT",
        hide_env_values = true,
        value_name = "FORMAT"
    )]
    pub output: Option<OutputFormat>,

    /// Print tables without their header row or borders: one line per row, columns two
    /// spaces apart (for scripts; no effect on json and jsonl)
    #[arg(long, global = true)]
    pub no_headers: bool,

    /// Print only results and errors: no status messages or progress bars
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// Capability token sent to the server as `Authorization: Bearer`
    #[arg(
        long,
        global = true,
        env = "STMGR_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,

    /// Trust the server certificates these PEM CA certificates sign (instead of the system's)
    #[arg(
        long,
        global = true,
        env = "STMGR_CA_CERT",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub ca_cert: Option<PathBuf>,

    /// PEM client certificate for mutual TLS (with --client-key)
    #[arg(
        long,
        global = true,
        env = "STMGR_CLIENT_CERT",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub client_cert: Option<PathBuf>,

    /// PEM private key of --client-cert
    #[arg(
        long,
        global = true,
        env = "STMGR_CLIENT_KEY",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub client_key: Option<PathBuf>,

    /// API key sent as `x-api-key` to the workflow API (v0): the server's STATE_MANAGER_SECRET
    /// [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub api_key: Option<String>,

    /// Longest wait for a server's answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin
    /// dump) are bounded only until they start [default: 30s]
    #[arg(
        long,
        global = true,
        env = "STMGR_TIMEOUT",
        hide_env_values = true,
        value_name = "DURATION",
        value_parser = humantime::parse_duration
    )]
    pub timeout: Option<std::time::Duration>,
}

impl GlobalArgs {
    /// The flag values, for [`Settings::resolve`].
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            data_dir: self.data_dir.clone(),
            server: self.server.clone(),
            output: self.output,
            quiet: self.quiet,
            verbose: self.verbose,
            token: self.token.clone(),
            ca_cert: self.ca_cert.clone(),
            client_cert: self.client_cert.clone(),
            client_key: self.client_key.clone(),
            api_key: self.api_key.clone(),
            timeout: self.timeout,
        }
    }
}

/// Every stmgr command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the state server
    Server(server::ServerArgs),
    /// Create or replace an object
    Put(put::PutArgs),
    /// Read an object
    Get(get::GetArgs),
    /// Delete objects
    Rm(rm::RmArgs),
    /// List the objects of a namespace
    Ls(ls::LsArgs),
    /// Find objects by tags and body values
    Query(query::QueryArgs),
    /// Follow the changes of a namespace
    Watch(watch::WatchArgs),
    /// Show the server's health and storage
    Status(status::StatusArgs),
    /// Named checkpoints of an object: create, list, restore, prune
    Checkpoint(checkpoint::CheckpointArgs),
    /// Workflow graph templates: upload, validate, list, show, delete, trigger
    Graph(graph::GraphArgs),
    /// Workflow nodes registered by runtimes
    Node(node::NodeArgs),
    /// Workflow runs: list, show, cancel
    Run(run::RunArgs),
    /// Workflow states: retry one by hand
    State(state::StateArgs),
    /// Load a running server and report throughput and latency
    Bench(bench::BenchArgs),
    /// Take a snapshot of the data directory, or list snapshots
    Snapshot(snapshot::SnapshotArgs),
    /// Delete WAL segments already covered by a verified snapshot
    #[command(name = "trim-wal")]
    TrimWal(trim_wal::TrimWalArgs),
    /// Restore the data directory to a point in time (server stopped)
    Restore(restore::RestoreArgs),
    /// Move the state between a data directory and a PostgreSQL database (servers stopped)
    Migrate(migrate::MigrateArgs),
    /// Inspect and repair the data directory
    Admin(admin::AdminArgs),
    /// Mint and inspect capability tokens (offline, with the configured keys)
    Token(token::TokenArgs),
    /// Make signing keys for capability tokens
    Keys(keys::KeysArgs),
    /// Supervise processes: run them, or control a running supervisor
    Supervise(supervise::SuperviseArgs),
    /// Flows of supervised workers run by the server: deploy, ls, status, start, stop, scale
    Flow(flow::FlowArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or PowerShell
    Completions(completions::CompletionsArgs),
    /// Print a man page, or write them all to a directory
    Man(man::ManArgs),
    /// Write shell completions and man pages
    #[command(hide = true)]
    Generate(generate::GenerateArgs),
}

impl Command {
    /// True when the command needs tokio's multi-threaded runtime: the server. Client commands
    /// run on a current-thread runtime, and so does `bench`: a load generator on one thread
    /// never takes more than one of the cores it shares with the server it measures (on two
    /// cores it gave the server more PUT/s and watch streams a shorter tail than two threads).
    pub fn needs_multi_thread(&self) -> bool {
        match self {
            Command::Snapshot(_)
            | Command::TrimWal(_)
            | Command::Restore(_)
            | Command::Migrate(_)
            | Command::Admin(_)
            | Command::Generate(_)
            | Command::Put(_)
            | Command::Get(_)
            | Command::Rm(_)
            | Command::Ls(_)
            | Command::Query(_)
            | Command::Watch(_)
            | Command::Status(_)
            | Command::Checkpoint(_)
            | Command::Flow(_)
            | Command::Graph(_)
            | Command::Node(_)
            | Command::Run(_)
            | Command::State(_)
            | Command::Token(_)
            | Command::Keys(_)
            | Command::Completions(_)
            | Command::Man(_)
            | Command::Bench(_) => false,
            Command::Server(_) => true,
            Command::Supervise(args) => args.is_run(),
        }
    }

    /// True when the command asked for JSON logs (`server start --log-format json`).
    pub fn log_json(&self) -> bool {
        matches!(self, Command::Server(args) if args.log_json())
    }

    /// True for commands that run for a long time and want timestamps in their logs.
    pub fn is_long_running(&self) -> bool {
        self.needs_multi_thread() || matches!(self, Command::Bench(_))
    }
}

/// The clap definition, for `generate` and tests.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Resolves settings, builds the [`Context`] and runs the command.
///
/// # Errors
/// A configuration error (exit 2, see [`exit_code_for`]) or whatever the command returns.
pub fn run(cli: Cli, runtime: std::sync::Arc<tokio::runtime::Runtime>) -> anyhow::Result<ExitCode> {
    // Generating files (and keys) must not depend on the user's configuration.
    let printer = || output::Printer::new(cli.global.output, cli.global.quiet);
    match &cli.command {
        Command::Generate(args) => return generate::run(args, &printer()),
        Command::Keys(args) => return keys::run(args, &printer()),
        Command::Completions(args) => return completions::run(args, &printer()),
        Command::Man(args) => return man::run(args, &printer()),
        _ => {}
    }
    let settings = Settings::from_process(&cli.global.overrides())?;
    tracing::debug!(?settings, "settings resolved");
    let ctx = Context::new(settings, runtime).with_no_headers(cli.global.no_headers);
    let result = match &cli.command {
        Command::Snapshot(args) => snapshot::run(args, &ctx),
        Command::TrimWal(args) => trim_wal::run(args, &ctx),
        Command::Restore(args) => restore::run(args, &ctx),
        Command::Migrate(args) => migrate::run(args, &ctx),
        Command::Admin(args) => admin::run(args, &ctx),
        Command::Server(args) => server::run(args, &ctx),
        Command::Put(args) => put::run(args, &ctx),
        Command::Get(args) => get::run(args, &ctx),
        Command::Rm(args) => rm::run(args, &ctx),
        Command::Ls(args) => ls::run(args, &ctx),
        Command::Query(args) => query::run(args, &ctx),
        Command::Watch(args) => watch::run(args, &ctx),
        Command::Status(args) => status::run(args, &ctx),
        Command::Checkpoint(args) => checkpoint::run(args, &ctx),
        Command::Graph(args) => graph::run(args, &ctx),
        Command::Node(args) => node::run(args, &ctx),
        Command::Run(args) => run::run(args, &ctx),
        Command::State(args) => state::run(args, &ctx),
        Command::Bench(args) => bench::run(args, &ctx),
        Command::Token(args) => token::run(args, &ctx),
        Command::Keys(args) => keys::run(args, &ctx.printer),
        Command::Supervise(args) => supervise::run(args, &ctx),
        Command::Flow(args) => flow::run(args, &ctx),
        Command::Generate(args) => generate::run(args, &ctx.printer),
        Command::Completions(args) => completions::run(args, &ctx.printer),
        Command::Man(args) => man::run(args, &ctx.printer),
    };
    result.map_err(datadir::key_hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_valid() {
        command().debug_assert();
    }

    #[test]
    fn global_options_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "stmgr",
            "generate",
            "--out-dir",
            "x",
            "--output",
            "json",
            "-vv",
        ])
        .unwrap();
        assert_eq!(cli.global.output, Some(OutputFormat::Json));
        assert_eq!(cli.global.verbose, 2);
        assert!(!cli.command.needs_multi_thread());
    }

    /// The words of a shell command line: quotes removed, `\` + newline joined, stopping at a
    /// comment, a pipe or a redirection; leading `VAR=value` assignments dropped.
    fn shell_words(line: &str) -> Vec<String> {
        let (mut words, mut word, mut quote, mut in_word) =
            (Vec::new(), String::new(), None, false);
        for c in line.replace("\\\n", " ").chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    in_word = true;
                }
                (None, '#' | '|' | '>') if !in_word => break,
                (None, c) if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                (None, c) => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        if in_word {
            words.push(word);
        }
        let start = words
            .iter()
            .position(|w| !w.contains('=') || w.starts_with('-'));
        words.split_off(start.unwrap_or(words.len()))
    }

    /// Every `Examples:` command line of `cmd` and its subcommands.
    fn example_lines(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
        if let Some(help) = cmd.get_after_help() {
            let help = help.to_string();
            if let Some(examples) = help.split("Examples:\n").nth(1) {
                let joined = examples.replace("\\\n", " ");
                for line in joined.lines() {
                    out.push((cmd.get_name().to_owned(), line.trim().to_owned()));
                }
            }
        }
        for sub in cmd.get_subcommands() {
            example_lines(sub, out);
        }
    }

    #[test]
    fn every_help_example_parses() {
        let mut lines = Vec::new();
        example_lines(&command(), &mut lines);
        let mut checked = 0;
        for (name, line) in &lines {
            // In a pipeline (`echo ... | stmgr ...`, `stmgr ... | jq`), the stmgr part.
            let Some(words) = line
                .split("| ")
                .map(shell_words)
                .find(|w| w.first().is_some_and(|w| w == "stmgr"))
            else {
                continue;
            };
            if let Err(e) = Cli::try_parse_from(&words) {
                panic!("example of `{name}` does not parse: {line}\n{words:?}\n{e}");
            }
            checked += 1;
        }
        assert!(checked >= 38, "only {checked} examples: {lines:?}");
        assert_eq!(
            shell_words(r#"A=1 B=2 stmgr put 'a b' --body '{"x":1}' # c"#),
            ["stmgr", "put", "a b", "--body", r#"{"x":1}"#]
        );
    }

    #[test]
    fn quiet_and_verbose_conflict() {
        assert!(Cli::try_parse_from(["stmgr", "-q", "-v", "generate", "--out-dir", "x"]).is_err());
    }
}
