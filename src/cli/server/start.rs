//! `stmgr server start`: open (or create) the data directory, recover, listen, serve until
//! SIGTERM or SIGINT, then shut down gracefully.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;

use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::server::{self, ServeOptions};
use crate::store::Engine;

/// Arguments of `stmgr server start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Address to listen on [default: 127.0.0.1:8080; HOST and PORT are read too]
    #[arg(long, env = "STMGR_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Largest request body in bytes (413 above it)
    #[arg(long, env = "STMGR_MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024, value_name = "BYTES")]
    pub max_body_bytes: usize,
    /// How long in-flight requests may take to finish on shutdown
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub drain_timeout: Duration,
    /// Interval of heartbeat comments on watch streams
    #[arg(long, default_value = "15s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub heartbeat: Duration,
}

fn listen_addr(args: &StartArgs) -> anyhow::Result<SocketAddr> {
    let text = match &args.listen {
        Some(l) => l.clone(),
        None => {
            let host = std::env::var("HOST")
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "127.0.0.1".into());
            let port = std::env::var("PORT")
                .ok()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "8080".into());
            if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            }
        }
    };
    text.parse().map_err(|e| {
        UsageError::new(format!("listen address {text:?} is not HOST:PORT: {e}")).into()
    })
}

/// Runs the server until a signal.
///
/// # Errors
/// Bad address, locked or corrupt data directory, a port in use.
pub fn run(args: &StartArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let addr = listen_addr(args)?;
    let data_dir = &ctx.settings.data_dir;
    let started = Instant::now();
    let engine = Engine::open(data_dir, ctx.settings.engine.clone(), "stmgr server start")
        .with_context(|| format!("cannot open data directory {}", data_dir.display()))?;
    let rec = engine.recovery().clone();
    let options = ServeOptions {
        max_body: args.max_body_bytes,
        drain_timeout: args.drain_timeout,
        heartbeat: args.heartbeat,
    };
    ctx.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        let p = &ctx.printer;
        p.status(&format!(
            "stmgr {} listening on http://{local}",
            env!("CARGO_PKG_VERSION")
        ));
        p.status(&format!("data directory: {}", data_dir.display()));
        p.status(&format!(
            "recovered commit_seq {} ({} commits replayed{}) in {} ms; durability {}",
            rec.commit_seq,
            rec.replayed,
            rec.snapshot_id
                .as_ref()
                .map(|s| format!(" after {s}"))
                .unwrap_or_default(),
            started.elapsed().as_millis(),
            ctx.settings.engine.durability
        ));
        server::serve(listener, engine, options, server::shutdown_signal()).await
    })?;
    ctx.printer.status("stopped");
    Ok(ExitCode::SUCCESS)
}
