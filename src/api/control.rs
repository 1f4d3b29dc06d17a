//! The supervisor's control interface: a thin HTTP layer over [`Supervisor`]. Handlers parse,
//! make one call, render; every error is a JSON body (`{"error", "message", "detail"}`).
//!
//! | route | answer |
//! |---|---|
//! | `GET /`, `GET /status` | [`Overview`] |
//! | `GET /config` | the configuration, secrets redacted; 404 while unconfigured |
//! | `POST /config` | 201 and applied (stored 0600); 409 once configured |
//! | `POST /processes/{name}/start\|stop\|restart` | the instances after it |
//! | `POST /processes/{name}/signal` `{"signal": "HUP"}` | the instances |
//! | `POST /reload` | [`crate::supervisor::ReloadReport`] |
//! | `GET /processes/{name}/logs?since=&follow=` | the log lines (`text/plain`) |
//! | `GET /events` | SSE: `snapshot` events (every instance), then `state` events |
//! | `POST /checkpoint` | 201 [`crate::supervisor::protect::CheckpointManifest`] |
//! | `GET /checkpoints` | `{"checkpoints": [MANIFEST…]}`, oldest first |
//! | `POST /restore` `{"id": ID}` | [`crate::supervisor::protect::RestoreReport`] |
//! | `POST /release-lease` `{"force": false}` | [`crate::supervisor::protect::ReleaseReport`] |
//! | `GET /metrics` | Prometheus text: SQLite lag, lease state and epoch |
//!
//! Auth: when built with a token (always on TCP), every request needs `Authorization: Bearer
//! TOKEN` (401 otherwise). The Unix socket is protected by its mode (0600) instead.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::api::error::ApiError;
use crate::auth::SecretString;
use crate::supervisor::protect::ProtectError;
use crate::supervisor::state::Overview;
use crate::supervisor::{Config, InstanceStatus, Supervisor, SupervisorError, logs, signals};

#[derive(Clone)]
struct Ctl {
    sup: Supervisor,
}

/// The control router; `token`: the bearer token every request must carry.
pub fn router(sup: Supervisor, token: Option<SecretString>) -> Router {
    let app = Router::new()
        .route("/", get(overview))
        .route("/status", get(overview))
        .route("/config", get(get_config).post(post_config))
        .route("/processes/{name}/start", post(start))
        .route("/processes/{name}/stop", post(stop))
        .route("/processes/{name}/restart", post(restart))
        .route("/processes/{name}/signal", post(signal))
        .route("/processes/{name}/logs", get(process_logs))
        .route("/reload", post(reload))
        .route("/events", get(events))
        .route("/checkpoint", post(checkpoint))
        .route("/checkpoints", get(checkpoints))
        .route("/restore", post(restore))
        .route("/release-lease", post(release_lease))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "method not allowed",
            )
        })
        .with_state(Ctl { sup });
    match token {
        Some(t) => app.layer(middleware::from_fn_with_state(Arc::new(t), bearer)),
        None => app,
    }
}

async fn bearer(State(token): State<Arc<SecretString>>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(g) if bool::from(g.as_bytes().ct_eq(token.expose().as_bytes())) => next.run(req).await,
        Some(_) => {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong token").into_response()
        }
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing Authorization: Bearer token",
        )
        .into_response(),
    }
}

fn err(e: SupervisorError) -> ApiError {
    use SupervisorError as E;
    let (status, code) = match &e {
        E::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        E::NotConfigured => (StatusCode::NOT_FOUND, "not_configured"),
        E::NotRunning(_) => (StatusCode::CONFLICT, "not_running"),
        E::AlreadyConfigured => (StatusCode::CONFLICT, "already_configured"),
        E::Config { .. } => (StatusCode::BAD_REQUEST, "invalid_config"),
        E::Closed => (StatusCode::SERVICE_UNAVAILABLE, "shutting_down"),
        E::Held(_) => (StatusCode::CONFLICT, "held"),
        E::Spawn { .. } | E::Signal { .. } | E::Io { .. } => {
            (StatusCode::INTERNAL_SERVER_ERROR, "supervisor_error")
        }
    };
    ApiError::new(status, code, e.to_string())
}

async fn overview(State(c): State<Ctl>) -> Json<Overview> {
    Json(c.sup.overview())
}

async fn get_config(State(c): State<Ctl>) -> Result<Json<Config>, ApiError> {
    c.sup
        .config()
        .map(|cfg| Json(cfg.redacted()))
        .ok_or_else(|| err(SupervisorError::NotConfigured))
}

async fn post_config(State(c): State<Ctl>, body: Bytes) -> Result<Response, ApiError> {
    let config = Config::from_json(&body).map_err(err)?;
    c.sup.configure(config).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(json!({"configured": true}))).into_response())
}

/// The instances `name` covers, after a command.
fn of(c: &Ctl, name: &str) -> Json<serde_json::Value> {
    let list: Vec<InstanceStatus> = c
        .sup
        .status()
        .into_iter()
        .filter(|s| s.name == name || s.process == name)
        .collect();
    Json(json!({ "processes": list }))
}

async fn start(
    State(c): State<Ctl>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    c.sup.start_process(&name).await.map_err(err)?;
    Ok(of(&c, &name))
}

async fn stop(
    State(c): State<Ctl>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    c.sup.stop_process(&name).await.map_err(err)?;
    Ok(of(&c, &name))
}

async fn restart(
    State(c): State<Ctl>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    c.sup.restart_process(&name).await.map_err(err)?;
    Ok(of(&c, &name))
}

#[derive(Deserialize)]
struct SignalBody {
    signal: String,
}

async fn signal(
    State(c): State<Ctl>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let b: SignalBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("expected {{\"signal\": NAME}}: {e}")))?;
    let sig = signals::parse(&b.signal).map_err(ApiError::bad_request)?;
    c.sup.signal_process(&name, sig).await.map_err(err)?;
    Ok(of(&c, &name))
}

async fn reload(State(c): State<Ctl>) -> Result<Response, ApiError> {
    let report = c.sup.reload().await.map_err(err)?;
    Ok(Json(report).into_response())
}

async fn process_logs(
    State(c): State<Ctl>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (mut since, mut follow) = (None, false);
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*k {
            "since" => since = Some(logs::parse_since(&v).map_err(ApiError::bad_request)?),
            "follow" => follow = v == "true" || v == "1",
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}"
                )));
            }
        }
    }
    let dir = c.sup.log_dir().to_owned();
    let known = c.sup.status().iter().any(|s| s.name == name);
    if !known {
        return Err(ApiError::not_found(format!(
            "no instance named {name:?} (a process with replicas has NAME.0, NAME.1, …)"
        )));
    }
    let text = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    let joined = |lines: Vec<String>| lines.into_iter().map(|l| l + "\n").collect::<String>();
    if !follow {
        let lines = match logs::read(&dir, &name, since) {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(ApiError::internal(&e)),
        };
        return Ok((text, joined(lines)).into_response());
    }
    let (lines, rx) =
        logs::read_and_follow(&dir, &name, since).map_err(|e| ApiError::internal(&e))?;
    let head = joined(lines);
    let tail =
        tokio_stream::wrappers::ReceiverStream::new(rx).map(|l| Ok::<_, Infallible>(l + "\n"));
    let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(head) }).chain(tail);
    Ok((text, Body::from_stream(stream)).into_response())
}

async fn events(State(c): State<Ctl>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = c.sup.subscribe();
    let snapshot: Vec<_> = c
        .sup
        .status()
        .into_iter()
        .map(|s| {
            Ok(SseEvent::default()
                .event("snapshot")
                .json_data(s)
                .unwrap_or_default())
        })
        .collect();
    let live = tokio_stream::wrappers::BroadcastStream::new(rx).map(|item| {
        Ok(match item {
            Ok(ev) => SseEvent::default()
                .event("state")
                .id(ev.seq.to_string())
                .json_data(&ev)
                .unwrap_or_default(),
            Err(lag) => SseEvent::default()
                .event("lagged")
                .data(format!("{{\"error\":\"lagged\",\"message\":\"{lag}\"}}")),
        })
    });
    Sse::new(futures_util::stream::iter(snapshot).chain(live)).keep_alive(KeepAlive::default())
}

fn perr(e: ProtectError) -> ApiError {
    use crate::backup::ErrorKind as K;
    let (status, code) = match &e {
        ProtectError::NotEnabled(_) => (StatusCode::CONFLICT, "not_enabled"),
        ProtectError::NotFound(_) => (StatusCode::NOT_FOUND, "checkpoint_not_found"),
        ProtectError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
        ProtectError::LeaseNotHeld(_) => (StatusCode::CONFLICT, "lease_not_held"),
        ProtectError::Busy => (StatusCode::CONFLICT, "busy"),
        ProtectError::Storage(b) => match b.kind() {
            K::Corrupt => (StatusCode::UNPROCESSABLE_ENTITY, "checkpoint_corrupt"),
            K::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            K::Unreachable => (StatusCode::BAD_GATEWAY, "storage_unreachable"),
            K::AccessDenied => (StatusCode::BAD_GATEWAY, "storage_access_denied"),
            K::Conflict => (StatusCode::CONFLICT, "conflict"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "storage_error"),
        },
        ProtectError::Local { .. } | ProtectError::Sqlite { .. } => {
            (StatusCode::INTERNAL_SERVER_ERROR, "supervisor_error")
        }
    };
    ApiError::new(status, code, e.to_string())
}

async fn checkpoint(State(c): State<Ctl>) -> Result<Response, ApiError> {
    let m = c.sup.checkpoint().await.map_err(perr)?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

async fn checkpoints(State(c): State<Ctl>) -> Result<Json<serde_json::Value>, ApiError> {
    let list = c.sup.checkpoints().await.map_err(perr)?;
    Ok(Json(json!({ "checkpoints": list })))
}

#[derive(Deserialize)]
struct RestoreBody {
    /// The Go State Manager sent `checkpoint_id`.
    #[serde(alias = "checkpoint_id")]
    id: String,
}

async fn restore(State(c): State<Ctl>, body: Bytes) -> Result<Response, ApiError> {
    let b: RestoreBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("expected {{\"id\": CHECKPOINT_ID}}: {e}")))?;
    let report = c.sup.restore(&b.id).await.map_err(perr)?;
    Ok(Json(report).into_response())
}

#[derive(Deserialize, Default)]
struct ReleaseBody {
    #[serde(default)]
    force: bool,
}

async fn release_lease(State(c): State<Ctl>, body: Bytes) -> Result<Response, ApiError> {
    let b: ReleaseBody = if body.is_empty() {
        ReleaseBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("expected {{\"force\": BOOL}}: {e}")))?
    };
    let report = c.sup.release_lease(b.force).await.map_err(perr)?;
    Ok(Json(report).into_response())
}

async fn metrics(State(c): State<Ctl>) -> Result<Response, ApiError> {
    use prometheus_client::metrics::gauge::Gauge;
    use prometheus_client::registry::Registry;
    let s = c.sup.protect_status();
    let mut registry = Registry::with_prefix("stmgr_supervise");
    if let Some(q) = &s.sqlite {
        let lag = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        lag.set(q.lag_seconds);
        registry.register(
            "sqlite_lag_seconds",
            "Seconds since the last SQLite copy",
            lag,
        );
        let copies = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
        copies.set(i64::try_from(q.copies).unwrap_or(i64::MAX));
        registry.register(
            "sqlite_copies",
            "SQLite copies shipped since the start",
            copies,
        );
    }
    if let Some(l) = &s.lease {
        let held = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
        held.set(i64::from(
            l.state == crate::supervisor::protect::lease::LeaseState::Held,
        ));
        registry.register(
            "lease_held",
            "1 while this supervisor holds the lease",
            held,
        );
        let epoch = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
        epoch.set(l.epoch.and_then(|e| i64::try_from(e).ok()).unwrap_or(0));
        registry.register("lease_epoch", "The lease epoch held or last held", epoch);
    }
    let processes = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
    processes.set(
        i64::try_from(
            c.sup
                .status()
                .iter()
                .filter(|p| p.state == crate::supervisor::State::Running)
                .count(),
        )
        .unwrap_or(0),
    );
    registry.register("running_instances", "Instances running", processes);
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry)
        .map_err(|e| ApiError::internal(&e))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        out,
    )
        .into_response())
}
