//! `stmgr supervise run [-- CMD ARGS…]`: the supervisor itself. It runs the `[process.NAME]`
//! tables of the config file (`--config`, like every command), or the one command after `--`,
//! or, with neither, waits for a configuration on `POST /config` (or the one posted to an
//! earlier run). It serves the control interface, and handles signals: SIGTERM and SIGINT stop
//! everything and exit, SIGHUP reloads, SIGUSR1 reopens the log files, and those listed in a
//! process's `forward_signals` go to its process groups.
//!
//! Exit status: 0 after a stop by signal, or the exit status of the only process when the
//! configuration has exactly one process with `restart = "never"` (the supervisor then also
//! exits when that process ends); 2 for a bad configuration; 1 when it cannot start.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use tokio::signal::unix::{SignalKind, signal};

use crate::auth::SecretString;
use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::server::control::ControlListeners;
use crate::supervisor::{
    Config, Forwarder, Options, ProcessSpec, RestartPolicy, State, Supervisor,
};

/// Run processes under supervision
#[derive(Debug, Args)]
#[command(after_help = RUN_EXAMPLES)]
pub struct RunArgs {
    /// State directory: control socket, stored configuration, logs
    /// [default: DATA_DIR/supervise]
    #[arg(long, env = "STMGR_SUPERVISE_STATE_DIR", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Log files [default: STATE_DIR/logs]
    #[arg(long, value_name = "DIR")]
    pub log_dir: Option<PathBuf>,
    /// Control socket (mode 0600) [default: STATE_DIR/control.sock]
    #[arg(long, env = "STMGR_SUPERVISE_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Also serve the control interface on TCP (e.g. 127.0.0.1:9700); needs a token
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Bearer token of the TCP control interface [env: STMGR_CONTROL_TOKEN, CONTROLLER_TOKEN]
    #[arg(long, value_name = "TOKEN")]
    pub control_token: Option<String>,
    /// Name of the process given after `--` [default: its program's file name]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Restart policy of the process given after `--`
    #[arg(long, value_enum, default_value_t = Restart::OnFailure)]
    pub restart: Restart,
    /// Restart delay of the process given after `--` (doubled after each quick failure)
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub restart_delay: Option<Duration>,
    /// How long the process given after `--` gets to stop before SIGKILL
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout_stop: Option<Duration>,
    /// The command to supervise, instead of the config file's processes
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

const RUN_EXAMPLES: &str = "\
Examples:
  stmgr supervise run --config procs.toml
  stmgr supervise run --restart never -- ./worker --queue jobs
  stmgr supervise run --listen 127.0.0.1:9700 --control-token s3cret --config procs.toml";

/// Restart policy on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Restart {
    /// After every exit
    Always,
    /// After a failure (exit code not 0, or killed by a signal)
    OnFailure,
    /// Never: the supervisor exits with the process's status when it ends
    Never,
}

/// Runs `stmgr supervise run` until SIGTERM or SIGINT.
///
/// # Errors
/// A bad configuration (exit 2), a state directory or socket that cannot be used.
pub fn run(args: &RunArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let state_dir = args
        .state_dir
        .clone()
        .unwrap_or_else(|| super::default_state_dir(ctx));
    let socket = args
        .socket
        .clone()
        .unwrap_or_else(|| state_dir.join("control.sock"));
    let token = args
        .control_token
        .clone()
        .or_else(|| std::env::var("STMGR_CONTROL_TOKEN").ok())
        .or_else(|| std::env::var("CONTROLLER_TOKEN").ok())
        .filter(|t| !t.is_empty());
    if args.listen.is_some() && token.is_none() {
        return Err(UsageError::new(
            "--listen needs a token: --control-token, STMGR_CONTROL_TOKEN or CONTROLLER_TOKEN",
        )
        .into());
    }
    let (config, config_file) = config(args, ctx)?;
    ctx.block_on(async {
        let options = Options {
            state_dir: state_dir.clone(),
            log_dir: args.log_dir.clone(),
            subreaper: true,
            config_file,
        };
        let sup = Supervisor::start(options, config)
            .await
            .map_err(|e| match e {
                crate::supervisor::SupervisorError::Config { .. } => {
                    anyhow::Error::new(UsageError::new(e.to_string()))
                }
                other => anyhow::Error::new(other).context("cannot start the supervisor"),
            })?;
        // Before the control socket exists, so nobody can send a forwarded signal too early.
        let forwarder = Forwarder::start(&sup);
        let listeners = ControlListeners::bind(Some(&socket), args.listen.as_deref())
            .await
            .with_context(|| format!("cannot listen on {}", socket.display()))?;
        ctx.printer
            .status(&format!("control socket: {}", socket.display()));
        if let Some(addr) = listeners.tcp_addr() {
            ctx.printer.status(&format!("control API on http://{addr}"));
        }
        if !sup.is_configured() {
            ctx.printer
                .status("not configured: waiting for POST /config on the control interface");
        }
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let server = tokio::spawn(listeners.serve(sup.clone(), token.map(SecretString::new), {
            let mut rx = stop_rx;
            async move {
                let _ = rx.wait_for(|s| *s).await;
            }
        }));
        let echo = echo_task(&sup, ctx);
        let code = wait_for_the_end(&sup, ctx).await?;
        echo.abort();
        drop(forwarder);
        let _ = stop_tx.send(true);
        let _ = server.await;
        Ok(code)
    })
}

/// The configuration to start with, and the file a reload reads.
fn config(args: &RunArgs, ctx: &Context) -> anyhow::Result<(Option<Config>, Option<PathBuf>)> {
    if let Some((program, rest)) = args.command.split_first() {
        let mut spec = ProcessSpec::command(program.clone(), rest.to_vec());
        spec.restart = match args.restart {
            Restart::Always => RestartPolicy::Always,
            Restart::OnFailure => RestartPolicy::OnFailure,
            Restart::Never => RestartPolicy::Never,
        };
        if let Some(d) = args.restart_delay {
            spec.restart_delay = d;
        }
        if let Some(d) = args.timeout_stop {
            spec.timeout_stop = d;
        }
        let name = args.name.clone().unwrap_or_else(|| {
            let base = std::path::Path::new(program)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let clean: String = base
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if clean.is_empty() {
                "main".to_owned()
            } else {
                clean
            }
        });
        let mut config = Config::default();
        config.process.insert(name, spec);
        config
            .validate()
            .map_err(|e| UsageError::new(e.to_string()))?;
        return Ok((Some(config), None));
    }
    let Some(file) = &ctx.settings.config_file else {
        return Ok((None, None));
    };
    let config = Config::from_file(file).map_err(|e| UsageError::new(e.to_string()))?;
    Ok(((!config.is_empty()).then_some(config), Some(file.clone())))
}

/// Copies the output of processes with `log.echo` to stdout, prefixed with their name.
fn echo_task(sup: &Supervisor, ctx: &Context) -> tokio::task::JoinHandle<()> {
    let mut rx = sup.echo();
    let printer = ctx.printer.clone();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok((name, line)) => {
                    if printer.line(&format!("[{name}] {line}")).is_err() {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            }
        }
    })
}

/// Handles signals until it is time to go; then shuts down and returns the exit status.
async fn wait_for_the_end(sup: &Supervisor, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut usr1 = signal(SignalKind::user_defined1())?;
    let mut events = sup.subscribe();
    // A single `never` process ends the supervisor when it ends (it may already have).
    let ended = |sup: &Supervisor| {
        let name = sup.single_never()?;
        let s = sup.status().into_iter().find(|s| s.name == name)?;
        matches!(s.state, State::Exited | State::Fatal).then_some(())
    };
    loop {
        if ended(sup).is_some() {
            break;
        }
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => match sup.reload().await {
                Ok(r) => ctx.printer.status(&format!(
                    "reloaded: added {:?}, removed {:?}, changed {:?}",
                    r.added, r.removed, r.changed
                )),
                Err(e) => ctx.printer.warn(&format!("reload failed, nothing changed: {e}")),
            },
            _ = usr1.recv() => sup.reopen_logs(),
            _ = events.recv() => {}
        }
    }
    ctx.printer.status("stopping every process");
    let single = sup.single_never();
    let finals = sup.shutdown().await;
    let code = single
        .and_then(|name| finals.into_iter().find(|s| s.name == name))
        .map_or(0, |s| s.last_exit.map_or(1, |e| e.shell_code()));
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}
