//! `stmgr supervise run|status|start|stop|restart|signal|reload|logs|events|checkpoint|
//! checkpoints|restore|release-lease`: run processes under the supervisor (`run`), and talk to
//! a running one over its control interface.

mod checkpoint;
mod checkpoints;
mod events;
mod logs;
mod release_lease;
mod reload;
mod restart;
mod restore;
pub mod run;
mod signal;
mod start;
mod status;
mod stop;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;
use crate::client::supervise::{ControlClient, Target};
use crate::supervisor::InstanceStatus;

/// Supervise processes: run them, or control a running supervisor
#[derive(Debug, Args)]
pub struct SuperviseArgs {
    #[command(subcommand)]
    command: SuperviseCommand,
}

#[derive(Debug, Subcommand)]
enum SuperviseCommand {
    /// Run processes from the config file's [process.NAME] tables, or the command after `--`
    Run(run::RunArgs),
    /// Show every process: state, readiness, pid, uptime, restarts, last exit
    Status(status::StatusArgs),
    /// Start a process or instance (also: reset one that is FATAL)
    Start(start::StartArgs),
    /// Stop a process or instance; it stays stopped
    Stop(stop::StopArgs),
    /// Stop, then start a process or instance
    Restart(restart::RestartArgs),
    /// Send a signal to the process group of a process or instance
    Signal(signal::SignalArgs),
    /// Read the config file again and restart only the processes that changed
    Reload(reload::ReloadArgs),
    /// Print an instance's log, optionally following it
    Logs(logs::LogsArgs),
    /// Follow the state changes of every process
    Events(events::EventsArgs),
    /// Copy the state directory into a new checkpoint in the bucket
    Checkpoint(checkpoint::CheckpointArgs),
    /// List the checkpoints in the bucket
    Checkpoints(checkpoints::CheckpointsArgs),
    /// Restore a checkpoint in place of the state directory
    Restore(restore::RestoreArgs),
    /// Release the lease (or break another holder's with --force)
    ReleaseLease(release_lease::ReleaseLeaseArgs),
}

impl SuperviseArgs {
    /// True for `supervise run` (a long-running multi-threaded command).
    pub fn is_run(&self) -> bool {
        matches!(self.command, SuperviseCommand::Run(_))
    }
}

/// Runs `stmgr supervise ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &SuperviseArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        SuperviseCommand::Run(a) => run::run(a, ctx),
        SuperviseCommand::Status(a) => status::run(a, ctx),
        SuperviseCommand::Start(a) => start::run(a, ctx),
        SuperviseCommand::Stop(a) => stop::run(a, ctx),
        SuperviseCommand::Restart(a) => restart::run(a, ctx),
        SuperviseCommand::Signal(a) => signal::run(a, ctx),
        SuperviseCommand::Reload(a) => reload::run(a, ctx),
        SuperviseCommand::Logs(a) => logs::run(a, ctx),
        SuperviseCommand::Events(a) => events::run(a, ctx),
        SuperviseCommand::Checkpoint(a) => checkpoint::run(a, ctx),
        SuperviseCommand::Checkpoints(a) => checkpoints::run(a, ctx),
        SuperviseCommand::Restore(a) => restore::run(a, ctx),
        SuperviseCommand::ReleaseLease(a) => release_lease::run(a, ctx),
    }
}

/// How to reach a running supervisor.
#[derive(Debug, Clone, Args)]
pub struct ControlArgs {
    /// Control socket of the supervisor [default: DATA_DIR/supervise/control.sock]
    #[arg(long, env = "STMGR_SUPERVISE_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Its TCP control URL (http://HOST:PORT) instead of the socket; the token is --token,
    /// STMGR_TOKEN or CONTROLLER_TOKEN
    #[arg(
        long,
        env = "STMGR_SUPERVISE_URL",
        value_name = "URL",
        conflicts_with = "socket"
    )]
    pub url: Option<String>,
}

/// The default state directory: `DATA_DIR/supervise`.
pub fn default_state_dir(ctx: &Context) -> PathBuf {
    ctx.settings.data_dir.join("supervise")
}

impl ControlArgs {
    /// A client of the supervisor these arguments name.
    ///
    /// # Errors
    /// A bad URL or token.
    pub fn client(&self, ctx: &Context) -> anyhow::Result<ControlClient> {
        let target = match (&self.url, &self.socket) {
            (Some(u), _) => Target::Url(u.clone()),
            (None, Some(s)) => Target::Unix(s.clone()),
            (None, None) => Target::Unix(default_state_dir(ctx).join("control.sock")),
        };
        let token = ctx
            .settings
            .client
            .token
            .clone()
            .or_else(|| std::env::var("CONTROLLER_TOKEN").ok());
        Ok(ControlClient::new(
            &target,
            token.as_deref(),
            ctx.settings.client.timeout,
        )?)
    }
}

/// Table headers of instances.
const HEADERS: [&str; 8] = [
    "name",
    "state",
    "ready",
    "pid",
    "uptime",
    "restarts",
    "last_exit",
    "reason",
];

/// One table row.
fn row(s: &InstanceStatus) -> Vec<String> {
    vec![
        s.name.clone(),
        s.state.as_str().to_owned(),
        if s.ready { "yes" } else { "no" }.to_owned(),
        s.pid.map(|p| p.to_string()).unwrap_or_default(),
        s.uptime_secs()
            .map(|u| humantime::format_duration(std::time::Duration::from_secs(u)).to_string())
            .unwrap_or_default(),
        s.restarts.to_string(),
        s.last_exit.map(|e| e.to_string()).unwrap_or_default(),
        s.reason.clone().unwrap_or_default(),
    ]
}

/// Prints instances as a table or JSON.
fn print_instances(ctx: &Context, list: &[InstanceStatus]) -> anyhow::Result<()> {
    use crate::config::OutputFormat;
    match ctx.printer.format_or(OutputFormat::Table) {
        OutputFormat::Table => ctx
            .printer
            .table(&HEADERS, list.iter().map(row).collect())?,
        OutputFormat::Json => ctx.printer.json(list)?,
        OutputFormat::Jsonl => {
            for s in list {
                ctx.printer.jsonl(s)?;
            }
        }
    }
    Ok(())
}

/// `start`, `stop` and `restart`: one command, then the instances it covered.
fn command(
    control: &ControlArgs,
    name: &str,
    action: &str,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    let client = control.client(ctx)?;
    let list = ctx.block_on(client.command(name, action))?;
    print_instances(ctx, &list)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints checkpoints as a table or JSON.
fn print_checkpoints(
    ctx: &Context,
    list: &[crate::supervisor::protect::CheckpointManifest],
) -> anyhow::Result<()> {
    use crate::config::OutputFormat;
    match ctx.printer.format_or(OutputFormat::Table) {
        OutputFormat::Table => ctx.printer.table(
            &[
                "id",
                "created_at",
                "size",
                "files",
                "bytes",
                "sqlite_copy",
                "epoch",
            ],
            list.iter()
                .map(|m| {
                    vec![
                        m.checkpoint_id.clone(),
                        crate::time::format_ts(m.created_at.timestamp_millis()),
                        bytesize::ByteSize(m.size).to_string(),
                        m.files.to_string(),
                        bytesize::ByteSize(m.bytes).to_string(),
                        m.sqlite_copy.clone().unwrap_or_default(),
                        m.lease_epoch.map(|e| e.to_string()).unwrap_or_default(),
                    ]
                })
                .collect(),
        )?,
        OutputFormat::Json => ctx.printer.json(list)?,
        OutputFormat::Jsonl => {
            for m in list {
                ctx.printer.jsonl(m)?;
            }
        }
    }
    Ok(())
}
