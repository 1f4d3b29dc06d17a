//! `stmgr server start`: open (or create) the data directory, recover, listen, serve until
//! SIGTERM or SIGINT, then shut down gracefully; under systemd (`NOTIFY_SOCKET`), say READY=1
//! once listening and STOPPING=1 when the shutdown starts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;

use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::net::ConnectionOptions;
use crate::net::fdlimit::{self, FdLimit};
use crate::server::{self, ServeOptions};
use crate::server::{CorsOrigins, Guard, HealthFormat};
use crate::store::Engine;
use crate::store::retention::SnapshotPolicy;

/// Arguments of `stmgr server start`.
#[derive(Debug, Args)]
#[command(after_help = START_EXAMPLES)]
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
    /// Shortest time between two writes of a busy watch stream (1ms to 1s) [default: 22µs per
    /// open stream divided by the cores, within 2-50ms]
    #[arg(long, env = "STMGR_WATCH_WRITE_INTERVAL", value_parser = parse_watch_interval, value_name = "DURATION")]
    pub watch_write_interval: Option<Duration>,
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
    /// Serve HTTPS with this PEM certificate chain (with --tls-key)
    #[arg(
        long,
        env = "STMGR_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert
    #[arg(
        long,
        env = "STMGR_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Require client certificates signed by these PEM CA certificates (mutual TLS)
    #[arg(
        long,
        env = "STMGR_TLS_CLIENT_CA",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_client_ca: Option<PathBuf>,
    /// Listen on a non-loopback address even though no token key or API key is configured
    /// (anyone who reaches the port can read and write everything)
    #[arg(long)]
    pub insecure: bool,
    /// Let the API key (x-api-key) use the whole v1 API too, not only the workflow API
    #[arg(long, env = "STMGR_API_KEY_GRANTS_V1")]
    pub api_key_grants_v1: bool,
    /// Requests per second per namespace, all clients together (429 with Retry-After above it)
    #[arg(long, env = "STMGR_NS_MAX_QPS", value_name = "QPS")]
    pub ns_max_qps: Option<f64>,
    /// Require a token with the admin verb for /metrics
    #[arg(long, env = "STMGR_GUARD_METRICS")]
    pub guard_metrics: bool,
    /// How long a workflow state may stay QUEUED (claimed by a runtime that never reports)
    /// before it times out and the graph's retry policy applies; a node template's
    /// `timeout_seconds` overrides it (0: never)
    #[arg(long, env = "STMGR_QUEUED_TIMEOUT", default_value = "1h", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub queued_timeout: Duration,
    /// Remove finished workflow runs (and their states) this long after their last change
    #[arg(long, env = "STMGR_RUN_RETENTION", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub run_retention: Option<Duration>,
    /// Clock skew allowed when checking a token's exp and nbf
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub token_leeway: Duration,
    /// Time a client has to send a request's header once it started it (then 408 and close),
    /// and to finish a TLS handshake
    #[arg(long, env = "STMGR_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_timeout, value_name = "DURATION")]
    pub header_timeout: Duration,
    /// Time a keep-alive connection may stay idle between requests before it is closed
    #[arg(long, env = "STMGR_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_timeout, value_name = "DURATION")]
    pub idle_timeout: Duration,
    /// Time a request body may stop arriving before the request is answered 408 and the
    /// connection closed (watch streams and other long answers are not cut)
    #[arg(long, env = "STMGR_BODY_TIMEOUT", default_value = "30s", value_parser = parse_timeout, value_name = "DURATION")]
    pub body_timeout: Duration,
    /// Most client connections open at once; above it a connection is answered 503 and closed
    /// [default: the open-files limit minus a reserve of a quarter of it, 32 to 512]
    #[arg(long, env = "STMGR_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..), value_name = "N")]
    pub max_connections: Option<u64>,
    /// What a plain GET /health answers when healthy: `ok` (text, AgentState's form) or the
    /// JSON document with "message": "OK" (json, Exosphere's form); ?format= and
    /// Accept: application/json still choose per request
    #[arg(long, env = "STMGR_HEALTH_FORMAT", value_enum, default_value_t = HealthFormatArg::Text)]
    pub health_format: HealthFormatArg,
    /// Let web pages from these origins call the API (CORS): a comma-separated list such as
    /// https://app.example.com,http://localhost:3000, or * for any origin [default: off]
    /// [env: STMGR_CORS_ORIGINS, CORS_ORIGINS]
    #[arg(long, value_name = "ORIGINS")]
    pub cors_origins: Option<String>,
    /// Directory of the flow replicas' control sockets, made with mode 0700 if missing
    /// [default: DATA_DIR/flow-sockets] [env: STMGR_FLOW_SOCKET_DIR, SOCKET_DIR]
    #[arg(long, value_name = "DIR")]
    pub flow_socket_dir: Option<std::path::PathBuf>,
    /// Flow events the journal keeps (the oldest go first)
    #[arg(long, env = "STMGR_FLOW_EVENTS_KEEP", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub flow_events_keep: u32,
    /// Flow events older than this before the newest are dropped from the journal (0s: no age
    /// limit)
    #[arg(long, env = "STMGR_FLOW_EVENTS_MAX_AGE", default_value = "7d", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub flow_events_max_age: Duration,
    /// How often each running flow replica's CPU and memory are checked against its worker's
    /// thresholds (10ms to 1h)
    #[arg(long, env = "STMGR_FLOW_SAMPLE_INTERVAL", default_value = "1s", value_parser = parse_sample_interval, value_name = "DURATION")]
    pub flow_sample_interval: Duration,
    /// Keep the log in this PostgreSQL database (postgres://user@host/db), shared with other
    /// servers, instead of the data directory's WAL; `embedded` is the default
    /// [env: STMGR_BACKEND] [config: engine.backend]
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
    #[command(flatten)]
    pub replication: super::replicate::ReplicateArgs,
}

/// `--cors-origins`, else `STMGR_CORS_ORIGINS`, else `CORS_ORIGINS`; an empty value is off.
fn cors_origins(args: &StartArgs) -> anyhow::Result<Option<CorsOrigins>> {
    let (text, from) = match &args.cors_origins {
        Some(t) => (t.clone(), "--cors-origins"),
        None => match ["STMGR_CORS_ORIGINS", "CORS_ORIGINS"]
            .into_iter()
            .find_map(|name| std::env::var(name).ok().map(|v| (v, name)))
        {
            Some(found) => found,
            None => return Ok(None),
        },
    };
    CorsOrigins::parse(&text).map_err(|e| UsageError::new(format!("{from}: {e}")).into())
}

/// `--flow-socket-dir`, else `STMGR_FLOW_SOCKET_DIR`, else `SOCKET_DIR` (Kawaflow's name); an
/// empty variable counts as unset.
fn flow_socket_dir(args: &StartArgs) -> Option<std::path::PathBuf> {
    args.flow_socket_dir.clone().or_else(|| {
        ["STMGR_FLOW_SOCKET_DIR", "SOCKET_DIR"]
            .into_iter()
            .find_map(|name| std::env::var_os(name).filter(|v| !v.is_empty()))
            .map(std::path::PathBuf::from)
    })
}

/// `--help` examples (also in the man page).
const START_EXAMPLES: &str = r#"Examples:
  stmgr server start                                  # 127.0.0.1:8080, the default data directory
  stmgr server start --data-dir ./state --listen 127.0.0.1:9000
  CAP_KEY_ACTIVE_ID=k1 CAP_KEY_ACTIVE=... stmgr server start --listen 0.0.0.0:8080 \
      --metrics-listen 127.0.0.1:9090 --snapshot-every 10m --log-format json
  stmgr server start --cors-origins https://app.example.com,http://localhost:3000"#;

/// What a plain `GET /health` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HealthFormatArg {
    /// `ok`.
    Text,
    /// The JSON document.
    Json,
}

impl From<HealthFormatArg> for HealthFormat {
    fn from(f: HealthFormatArg) -> Self {
        match f {
            HealthFormatArg::Text => HealthFormat::Text,
            HealthFormatArg::Json => HealthFormat::Json,
        }
    }
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

/// One line saying how clients authenticate (key ids, never keys).
fn auth_summary(guard: &Guard) -> String {
    if !guard.enabled() {
        return "WARNING: authentication is off (no token key or API key configured): anyone who \
                can reach this address can read and write everything"
            .into();
    }
    let mut parts = Vec::new();
    if let Some(keys) = &guard.keys {
        let mut s = format!("capability tokens (active key {:?}", keys.active().id());
        if let Some(next) = keys.next() {
            s += &format!(", next key {:?}", next.id());
        }
        s += ")";
        parts.push(s);
    }
    if guard.api_key.is_some() {
        parts.push(if guard.api_key_grants_v1 {
            "API key (v0 and v1)".to_string()
        } else {
            "API key (v0)".to_string()
        });
    }
    if let Some(region) = &guard.region {
        parts.push(format!("region {region:?}"));
    }
    format!("auth: {}", parts.join(", "))
}

/// Runs the server until a signal.
///
/// # Errors
/// Bad address, locked or corrupt data directory, a port in use.
pub fn run(args: &StartArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let addr = listen_addr(args)?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            crate::tls::server_config(&crate::tls::TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: args.tls_client_ca.clone(),
            })
            .map_err(|e| UsageError::new(e.to_string()))?,
        ),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let cors = cors_origins(args)?;
    let replicate = args.replication.target()?;
    let replicate_to = replicate.as_ref().map(|(t, _)| t.location().to_string());
    if args.ns_max_qps.is_some_and(|q| !(q > 0.0 && q.is_finite())) {
        return Err(UsageError::new("--ns-max-qps must be a positive number").into());
    }
    let auth = &ctx.settings.auth;
    let guard = Guard {
        keys: auth.keys.clone(),
        region: auth.region.clone(),
        api_key: auth.api_key.clone(),
        api_key_grants_v1: args.api_key_grants_v1,
        ns_max_qps: args.ns_max_qps,
        guard_metrics: args.guard_metrics,
        leeway: args.token_leeway,
        ..Guard::default()
    };
    let auth_line = auth_summary(&guard);
    if !guard.enabled() && !addr.ip().is_loopback() && !args.insecure {
        return Err(UsageError::new(format!(
            "refusing to listen on {addr} without authentication: configure a token key \
             (CAP_KEY_ACTIVE_ID and CAP_KEY_ACTIVE) or an API key (STATE_MANAGER_SECRET), or \
             pass --insecure"
        ))
        .into());
    }
    // Before anything opens files: a server keeps a descriptor per connection.
    let fds = fdlimit::raise_nofile_limit();
    let limit = fds
        .as_ref()
        .map_or_else(|_| fdlimit::current_nofile_limit(), |l| l.soft);
    let connections = ConnectionOptions {
        header_timeout: args.header_timeout,
        idle_timeout: args.idle_timeout,
        body_timeout: args.body_timeout,
        max_connections: args.max_connections.map_or_else(
            || fdlimit::default_max_connections(limit),
            |n| usize::try_from(n).unwrap_or(usize::MAX),
        ),
    };
    let fd_lines = fd_summary(&fds, limit, &connections);
    let backend = match args.backend.as_deref() {
        Some("embedded") => None,
        Some(url) if crate::store::pg::is_postgres_url(url) => Some(url.to_owned()),
        Some(_) => {
            return Err(
                UsageError::new("--backend: expected `embedded` or a postgres:// URL").into(),
            );
        }
        None => ctx.settings.engine.backend.clone(),
    };
    if backend.is_some() && replicate.is_some() {
        return Err(UsageError::new(
            "replication of the WAL does not apply to the postgres backend (back the database up instead)",
        )
        .into());
    }
    let data_dir = &ctx.settings.data_dir;
    let started = Instant::now();
    let engine = match &backend {
        None => Engine::open(data_dir, ctx.settings.engine.clone(), "stmgr server start")
            .with_context(|| format!("cannot open data directory {}", data_dir.display()))?,
        Some(url) => Engine::open_postgres(
            data_dir,
            crate::store::pg::PgOptions::new(url),
            ctx.settings.engine.clone(),
            "stmgr server start",
        )
        .with_context(|| {
            format!(
                "cannot open the postgres backend {}",
                crate::store::pg::redacted(url)
            )
        })?,
    };
    let rec = engine.recovery().clone();
    // The replay's buffers are freed by now; an idle server would keep them resident.
    crate::memory::release_freed();
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
        watch_interval: args.watch_write_interval,
        // `[snapshots]` in the config file: its interval when no --snapshot-every, its
        // keep_* rules beside --snapshot-keep (which is `keep_last`).
        // Snapshots of a replica are not a backup of the shared log: off on postgres.
        snapshots: (backend.is_none()
            && args.snapshot_keep > 0
            && (args.snapshot_every_mib > 0
                || args.snapshot_every.is_some()
                || ctx.settings.snapshots.interval.is_some()))
        .then(|| SnapshotPolicy {
            every_bytes: (args.snapshot_every_mib > 0)
                .then(|| args.snapshot_every_mib * 1024 * 1024)
                .or(ctx.settings.snapshots.every_bytes),
            every: args.snapshot_every.or(ctx.settings.snapshots.interval),
            keep_last: args.snapshot_keep,
            keep: Some(ctx.settings.snapshots.keep.clone()).filter(|k| !k.is_empty()),
        }),
        tls,
        guard,
        workflows: crate::workflow::WorkflowOptions {
            secrets_key: ctx.settings.auth.secrets_key.clone(),
            queued_timeout: (!args.queued_timeout.is_zero()).then_some(args.queued_timeout),
            run_retention: args.run_retention,
        },
        connections,
        health_format: args.health_format.into(),
        cors: cors.clone(),
        replicate,
        flow_socket_dir: flow_socket_dir(args),
        flow_events: crate::flow::events::EventOptions::new(
            args.flow_events_keep,
            args.flow_events_max_age,
            args.flow_sample_interval,
        ),
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
            format!("stmgr {} listening on {scheme}://{local}", env!("CARGO_PKG_VERSION")),
            serde_json::json!({"url": format!("{scheme}://{local}")}),
        );
        say(auth_line.clone(), serde_json::json!({"auth": auth_line}));
        for (text, details) in &fd_lines {
            say(text.clone(), details.clone());
        }
        if args.tls_client_ca.is_some() {
            say("clients must present a certificate (mutual TLS)".into(), serde_json::json!({"mtls": true}));
        }
        if let Some(c) = &cors {
            let origins = c.describe();
            say(format!("CORS: web pages from {origins} may call the API"), serde_json::json!({"cors_origins": origins}));
        }
        if let Some(to) = &replicate_to {
            say(format!("replicating to {to}"), serde_json::json!({"replicate": to}));
        }
        if let Some(a) = ops_addr {
            say(format!("metrics and health on http://{a}"), serde_json::json!({"url": format!("http://{a}")}));
        }
        let (encryption, keys) = encryption_status(&ctx.settings.engine);
        say(
            format!("data directory: {}; encryption at rest: {encryption}", data_dir.display()),
            serde_json::json!({"data_dir": data_dir, "encryption": keys}),
        );
        if let Some(url) = &backend {
            let url = crate::store::pg::redacted(url);
            say(format!("backend: {url} (shared log; reads are linearizable)"), serde_json::json!({"backend": url}));
        }
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
        // Both listeners are bound and the data recovered: connections wait in the backlog
        // until the accept loops, which start at once, take them.
        super::systemd::ready(&format!("listening on {scheme}://{local}; commit_seq {}", rec.commit_seq));
        let shutdown = async {
            server::shutdown_signal().await;
            super::systemd::stopping("shutting down: draining requests");
        };
        server::serve(listener, engine, options, shutdown).await
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

/// The startup lines about the open-files limit and the connection cap and timeouts: text and
/// JSON details.
fn fd_summary(
    fds: &std::io::Result<FdLimit>,
    limit: u64,
    c: &ConnectionOptions,
) -> Vec<(String, serde_json::Value)> {
    let mut lines = Vec::new();
    let hard = |h: Option<u64>| h.map_or("unlimited".to_string(), |h| h.to_string());
    let limit_text = match fds {
        Ok(l) if l.raised() => format!(
            "open files limit {} (raised from {}; hard limit {})",
            l.soft,
            l.before,
            hard(l.hard)
        ),
        Ok(l) => format!("open files limit {} (hard limit {})", l.soft, hard(l.hard)),
        Err(e) => format!("open files limit {limit} (could not raise it: {e})"),
    };
    let d = |t: Duration| humantime::format_duration(t).to_string();
    lines.push((
        format!(
            "{limit_text}; at most {} connections; timeouts: header {}, idle {}, body {}",
            c.max_connections,
            d(c.header_timeout),
            d(c.idle_timeout),
            d(c.body_timeout)
        ),
        serde_json::json!({
            "nofile_limit": limit,
            "nofile_limit_before": fds.as_ref().ok().map(|l| l.before),
            "nofile_hard_limit": fds.as_ref().ok().and_then(|l| l.hard),
            "max_connections": c.max_connections,
            "header_timeout_ms": c.header_timeout.as_millis() as u64,
            "idle_timeout_ms": c.idle_timeout.as_millis() as u64,
            "body_timeout_ms": c.body_timeout.as_millis() as u64,
        }),
    ));
    if c.max_connections as u64 + 32 > limit {
        let text = format!(
            "WARNING: --max-connections {} leaves fewer than 32 of the {limit} open files for the              data directory and the listeners: accepts will fail (too many open files) before the              cap answers 503",
            c.max_connections
        );
        lines.push((text.clone(), serde_json::json!({"warning": text})));
    }
    lines
}

/// A connection timeout: a duration above zero.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if d.is_zero() {
        Err("a timeout must be above zero".into())
    } else {
        Ok(d)
    }
}

/// A `--flow-sample-interval`: a duration from 10 ms to 1 h.
fn parse_sample_interval(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if (Duration::from_millis(10)..=Duration::from_secs(3600)).contains(&d) {
        Ok(d)
    } else {
        Err("the sample interval is from 10ms to 1h".into())
    }
}

/// A `--watch-write-interval`: a duration from 1 ms to 1 s.
fn parse_watch_interval(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if (Duration::from_millis(1)..=Duration::from_secs(1)).contains(&d) {
        Ok(d)
    } else {
        Err(format!("{text} is outside 1ms..1s"))
    }
}
