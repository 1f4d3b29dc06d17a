//! The HTTP server's lifecycle: serve the app (with request ids and CORS, see
//! [`api::layers`]) on a listener (connections are handled by [`crate::net`]) until a shutdown
//! future resolves, then stop accepting, end every watch stream with a final event, drain
//! in-flight requests (bounded by a timeout), sync the engine and release the data directory.
//!
//! With replication ([`crate::backup::replicate`]) the replicator runs beside it, ships each
//! automatic snapshot, and gets a last flush (bounded) before the engine closes.
//!
//! The shutdown is an injected future, so tests run the server in-process on port 0.

pub mod control;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::api::{self, AppState};
use crate::backup::replicate::{ReplicateOptions, Replication, SnapshotShipper};
use crate::net::{self, ConnectionOptions, Endpoint};
use crate::store::Engine;
use crate::store::retention::{PolicyState, SnapshotPolicy};

/// Who may do what, and what `GET /health` answers: part of [`ServeOptions`], so the command
/// line that starts a server names them from here.
pub use crate::api::guard::Guard;
pub use crate::api::health::HealthFormat;
pub use crate::api::layers::CorsOrigins;

/// Most connections the metrics listener keeps open (monitoring needs few; the main
/// listener's cap does not lock it out).
const OPS_MAX_CONNECTIONS: usize = 64;

/// How long the replicator may take to ship the last commits when the server stops.
const REPLICATION_FINAL_FLUSH: Duration = Duration::from_secs(5);

/// Server tuning.
#[derive(Debug)]
pub struct ServeOptions {
    /// A second listener serving only `/health` and `/metrics`.
    pub ops_listener: Option<std::net::TcpListener>,
    /// Largest request body accepted (413 above it).
    pub max_body: usize,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub drain_timeout: Duration,
    /// Interval of SSE heartbeat comments.
    pub heartbeat: Duration,
    /// How often a busy watch stream writes (`None`: following the number of streams).
    pub watch_interval: Option<Duration>,
    /// Automatic snapshots, retention and WAL trimming (`None`: off).
    pub snapshots: Option<SnapshotPolicy>,
    /// TLS on the main listener (`None`: plain HTTP). The metrics listener stays plain.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Authentication and limits (its `max_body` is set from `max_body`).
    pub guard: Guard,
    /// The workflow engine's settings.
    pub workflows: crate::workflow::WorkflowOptions,
    /// Connection cap and timeouts (both listeners; the cap is the main listener's).
    pub connections: ConnectionOptions,
    /// What a plain `GET /health` answers.
    pub health_format: HealthFormat,
    /// Browser origins allowed to call the API (`None`: CORS off).
    pub cors: Option<CorsOrigins>,
    /// Continuous replication to a backup location (`None`: off).
    pub replicate: Option<(crate::backup::Target, ReplicateOptions)>,
    /// Where flow replicas' control sockets go (`None`: `DATA_DIR/flow-sockets`).
    pub flow_socket_dir: Option<std::path::PathBuf>,
    /// Flow event retention and resource sampling.
    pub flow_events: crate::flow::events::EventOptions,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_body: 2 * 1024 * 1024,
            drain_timeout: Duration::from_secs(10),
            heartbeat: Duration::from_secs(15),
            watch_interval: None,
            snapshots: None,
            ops_listener: None,
            tls: None,
            guard: Guard::default(),
            workflows: crate::workflow::WorkflowOptions::default(),
            connections: ConnectionOptions::default(),
            health_format: HealthFormat::default(),
            cors: None,
            replicate: None,
            flow_socket_dir: None,
            flow_events: crate::flow::events::EventOptions::default(),
        }
    }
}

/// Serves until `shutdown` resolves, then shuts down gracefully and closes the engine.
///
/// # Errors
/// The metrics listener cannot be registered with the runtime, or the engine's final sync
/// fails.
pub async fn serve(
    listener: TcpListener,
    engine: Engine,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut guard = options.guard;
    guard.max_body = options.max_body as u64;
    let state = AppState::new(
        engine.clone(),
        stop_rx.clone(),
        options.heartbeat,
        options.watch_interval,
        guard,
        options.workflows,
        options.health_format,
    );
    let metrics = state.metrics_arc();
    // Flows run their workers on the server that holds them: on a shared (PostgreSQL) log
    // every server would start every flow's workers, so there the flow routes answer 503
    // until flows are placed on one server (see docs/operations/postgres.md).
    let flows = if engine.is_shared() {
        None
    } else {
        Some(
            start_flows(
                &engine,
                &listener,
                options.tls.is_some(),
                options.flow_socket_dir.clone(),
                options.flow_events,
            )
            .await?,
        )
    };
    if let Some(f) = &flows {
        state.set_flows(f.clone());
    }
    tokio::spawn(workflow_loop(
        state.workflows().clone(),
        engine.clone(),
        stop_rx.clone(),
    ));
    let replication = options.replicate.map(|(target, opts)| {
        let r = Replication::start(engine.clone(), target, opts);
        state.set_replication(r.status().clone());
        r
    });
    if let Some(policy) = options.snapshots {
        tokio::spawn(snapshot_loop(
            engine.clone(),
            state.metrics_arc(),
            policy,
            replication.as_ref().map(Replication::snapshot_shipper),
            stop_rx.clone(),
        ));
    }
    // Both listeners are set up (their caps in the metrics) before either accepts.
    let mut app = api::router(state.clone(), options.max_body);
    if engine.is_shared() {
        app = app.layer(axum::middleware::from_fn_with_state(
            engine.clone(),
            api::linearize::barrier,
        ));
    }
    if let Some(cors) = &options.cors {
        app = app.layer(cors.layer());
    }
    let api = Endpoint {
        name: "api",
        listener,
        app: api::layers::with_request_ids(app),
        tls: options.tls,
        max_connections: options.connections.max_connections,
    };
    let serving = net::serve(api, &options.connections, metrics.clone(), stop_rx.clone());
    if let Some(l) = options.ops_listener {
        l.set_nonblocking(true)?;
        let ops = Endpoint {
            name: "metrics",
            listener: TcpListener::from_std(l)?,
            app: api::layers::with_request_ids(api::ops_router(state)),
            tls: None,
            max_connections: OPS_MAX_CONNECTIONS,
        };
        tokio::spawn(net::serve(
            ops,
            &options.connections,
            metrics,
            stop_rx.clone(),
        ));
    }
    let mut draining = stop_rx;
    let stopping = async move {
        shutdown.await;
        info!("shutting down: no new connections, ending watch streams, draining requests");
        let _ = stop_tx.send(true);
    };
    let server = async { tokio::join!(stopping, serving) };
    let drain = options.drain_timeout;
    tokio::select! {
        _ = server => {}
        _ = async move {
            let _ = draining.wait_for(|s| *s).await;
            tokio::time::sleep(drain).await;
        } => warn!(timeout = ?drain, "requests still running after the drain timeout; closing anyway"),
    }
    if let Some(flows) = flows {
        flows.shutdown().await;
        info!("flow workers stopped");
    }
    if let Some(r) = replication {
        r.stop(REPLICATION_FINAL_FLUSH).await;
    }
    tokio::task::spawn_blocking(move || engine.close()).await??;
    info!("engine synced and closed; data directory released");
    Ok(())
}

/// Starts the flow manager in `DATA_DIR/flows`, bringing back the flows the engine holds; the
/// workers are told this server's URL (a wildcard listen address becomes 127.0.0.1).
async fn start_flows(
    engine: &Engine,
    listener: &TcpListener,
    tls: bool,
    socket_dir: Option<std::path::PathBuf>,
    events: crate::flow::events::EventOptions,
) -> anyhow::Result<crate::flow::FlowManager> {
    let self_url = listener.local_addr().ok().map(|mut a| {
        if a.ip().is_unspecified() {
            a.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("{}://{a}", if tls { "https" } else { "http" })
    });
    let options = crate::flow::FlowOptions {
        root: engine.dir().root().join("flows"),
        self_url,
        socket_dir: socket_dir.unwrap_or_else(|| engine.dir().root().join("flow-sockets")),
        events,
    };
    Ok(crate::flow::FlowManager::start(engine.clone(), options).await?)
}

/// Checks the snapshot policy every second until the server stops. A failed round is logged
/// at ERROR (and counted in `snapshot_failures_total`); nothing is removed after it. With
/// replication, each snapshot taken is shipped.
async fn snapshot_loop(
    engine: Engine,
    metrics: Arc<api::metrics::Metrics>,
    policy: SnapshotPolicy,
    replication: Option<SnapshotShipper>,
    mut stop: watch::Receiver<bool>,
) {
    let mut state = PolicyState::new(&engine);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let e = engine.clone();
        let policy = policy.clone();
        let started = std::time::Instant::now();
        let round = tokio::task::spawn_blocking(move || {
            let r = policy.run_once(&e, &mut state);
            (r, state)
        })
        .await;
        let Ok((result, st)) = round else { return };
        state = st;
        match result {
            Ok(Some(r)) => {
                metrics
                    .snapshot_duration
                    .observe(started.elapsed().as_secs_f64());
                if let (Some(ship), Some(id)) = (&replication, &r.snapshot_id) {
                    ship.ship(id);
                }
                for (id, why) in &r.snapshots_damaged {
                    error!(snapshot = %id, error = %why, "an automatic snapshot does not verify; retention keeps it and counts only those that do (see `stmgr admin verify`)");
                }
                info!(
                    snapshot = r.snapshot_id.as_deref().unwrap_or("-"),
                    removed_snapshots = r.snapshots_removed.len(),
                    removed_segments = r.segments_removed,
                    "automatic snapshot"
                );
            }
            Ok(None) => {}
            Err(e) => {
                error!(error = %format_args!("{:#}", anyhow::Error::new(e)), "automatic snapshot failed; nothing was removed; will retry")
            }
        }
    }
}

/// Every second: QUEUED timeouts, cron triggers, run retention.
async fn workflow_loop(
    wf: crate::workflow::Workflows,
    engine: Engine,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        // With several servers on one database, only the leader runs the timeouts.
        if !engine.is_leader() {
            continue;
        }
        if let Err(e) = wf.tick().await {
            warn!(error = %e, "workflow maintenance failed; will retry");
        }
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
