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
use crate::store::retention::SnapshotPolicy;

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
    /// Take a snapshot after this many MiB of WAL (0: not by size)
    #[arg(
        long,
        env = "STMGR_SNAPSHOT_EVERY_MIB",
        default_value_t = 256,
        value_name = "MIB"
    )]
    pub snapshot_every_mib: u64,
    /// Take a snapshot this long after the last one if anything changed (e.g. 10m)
    #[arg(long, env = "STMGR_SNAPSHOT_EVERY", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub snapshot_every: Option<Duration>,
    /// Log format on stderr
    #[arg(long, env = "STMGR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Also serve /metrics and /health on this address (e.g. 127.0.0.1:9090)
    #[arg(long, env = "STMGR_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// Snapshots to keep; WAL segments the oldest kept one covers are trimmed (0: no automatic
    /// snapshots at all)
    #[arg(
        long,
        env = "STMGR_SNAPSHOT_KEEP",
        default_value_t = 3,
        value_name = "N"
    )]
    pub snapshot_keep: usize,
}

/// How the server logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
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
    let ops_listener = match args.metrics_listen {
        Some(a) => Some(
            std::net::TcpListener::bind(a)
                .with_context(|| format!("cannot listen on {a} for metrics"))?,
        ),
        None => None,
    };
    let ops_addr = ops_listener.as_ref().and_then(|l| l.local_addr().ok());
    let options = ServeOptions {
        ops_listener,
        max_body: args.max_body_bytes,
        drain_timeout: args.drain_timeout,
        heartbeat: args.heartbeat,
        snapshots: (args.snapshot_keep > 0
            && (args.snapshot_every_mib > 0 || args.snapshot_every.is_some()))
        .then(|| SnapshotPolicy {
            every_bytes: (args.snapshot_every_mib > 0)
                .then(|| args.snapshot_every_mib * 1024 * 1024),
            every: args.snapshot_every,
            keep_last: args.snapshot_keep,
        }),
    };
    ctx.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        let json = args.log_format == LogFormat::Json;
        // In JSON mode every stderr line is a JSON object, these included.
        let say = |message: String, fields: serde_json::Value| {
            if json {
                let line = serde_json::json!({
                    "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    "level": "INFO",
                    "fields": {"message": message, "details": fields},
                });
                ctx.printer.status(&line.to_string());
            } else {
                ctx.printer.status(&message);
            }
        };
        say(
            format!("stmgr {} listening on http://{local}", env!("CARGO_PKG_VERSION")),
            serde_json::json!({"url": format!("http://{local}")}),
        );
        if let Some(a) = ops_addr {
            say(format!("metrics and health on http://{a}"), serde_json::json!({"url": format!("http://{a}")}));
        }
        let (encryption, keys) = encryption_status(&ctx.settings.engine);
        say(
            format!("data directory: {}; encryption at rest: {encryption}", data_dir.display()),
            serde_json::json!({"data_dir": data_dir, "encryption": keys}),
        );
        say(
            format!(
                "recovered commit_seq {} ({} commits replayed{}) in {} ms; durability {}",
                rec.commit_seq,
                rec.replayed,
                rec.snapshot_id.as_ref().map(|s| format!(" after {s}")).unwrap_or_default(),
                started.elapsed().as_millis(),
                ctx.settings.engine.durability
            ),
            serde_json::json!({"commit_seq": rec.commit_seq, "replayed": rec.replayed, "snapshot_id": rec.snapshot_id, "durability": ctx.settings.engine.durability}),
        );
        server::serve(listener, engine, options, server::shutdown_signal()).await
    })?;
    if args.log_format == LogFormat::Json {
        ctx.printer.status(
            &serde_json::json!({"level": "INFO", "fields": {"message": "stopped"}}).to_string(),
        );
    } else {
        ctx.printer.status("stopped");
    }
    Ok(ExitCode::SUCCESS)
}

/// `on (key id 1a2b3c4d)` / `off`, plus the previous key if one is configured; and the same
/// as JSON (`{"key_id", "previous_key_id"}`). Only key ids, never keys.
fn encryption_status(e: &crate::store::EngineOptions) -> (String, serde_json::Value) {
    let id =
        |k: &Option<crate::store::EncryptionKey>| k.as_ref().map(|k| format!("{:08x}", k.id()));
    let (key_id, previous_id) = (id(&e.encryption), id(&e.previous_encryption));
    let mut text = match &key_id {
        Some(id) => format!("on (key id {id})"),
        None => "off".to_string(),
    };
    if let Some(p) = &previous_id {
        text.push_str(&format!("; previous key id {p} opens older files"));
    }
    let json = serde_json::json!({"key_id": key_id, "previous_key_id": previous_id});
    (text, json)
}
