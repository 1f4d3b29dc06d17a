//! The connection cap of one listener: a slot per open connection (released when the
//! connection task ends), and the refusal of a connection above the cap: a 503 JSON answer
//! with `Connection: close` to its first request, bounded in time and in number, so refusing
//! never costs more descriptors than the reserve holds.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use hyper_util::rt::TokioIo;
use prometheus_client::metrics::gauge::Gauge;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tracing::warn;

use super::SharedThrottle;
use super::conn::Shared;
use crate::api::error::ApiError;
use crate::api::metrics::Metrics;

/// Refusals under way at once; above it a connection is closed without an answer.
const MAX_REFUSING: usize = 64;

/// Most time a refused connection is kept to read its request and answer it.
const REFUSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The open connections of one listener.
#[derive(Debug)]
pub(super) struct Gate {
    listener: &'static str,
    limit: usize,
    open: AtomicUsize,
    refusing: Arc<AtomicUsize>,
    gauge: Gauge,
    metrics: Arc<Metrics>,
    /// Every slot holds a receiver: the sender is closed once no connection is open.
    alive: watch::Sender<()>,
    warnings: Arc<SharedThrottle>,
}

/// One open connection; dropping it frees the place.
#[derive(Debug)]
pub(super) struct Slot {
    gate: Arc<Gate>,
    _alive: watch::Receiver<()>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.gate.open.fetch_sub(1, Ordering::AcqRel);
        self.gate.gauge.dec();
    }
}

impl Gate {
    pub(super) fn new(listener: &'static str, limit: usize, metrics: Arc<Metrics>) -> Arc<Gate> {
        Arc::new(Gate {
            listener,
            limit,
            open: AtomicUsize::new(0),
            refusing: Arc::new(AtomicUsize::new(0)),
            gauge: metrics.net.open(listener),
            metrics,
            alive: watch::channel(()).0,
            warnings: Arc::default(),
        })
    }

    /// Connections open now.
    pub(super) fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    /// A slot, unless the cap is reached.
    pub(super) fn try_enter(self: &Arc<Self>) -> Option<Slot> {
        if self.open.fetch_add(1, Ordering::AcqRel) >= self.limit {
            self.open.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        self.gauge.inc();
        Some(Slot {
            gate: self.clone(),
            _alive: self.alive.subscribe(),
        })
    }

    /// Resolves once no connection is open.
    pub(super) async fn drained(&self) {
        self.alive.closed().await;
    }

    /// Answers the first request on `tcp` with a 503 and closes it (in a task of its own), or
    /// closes it at once when too many refusals are under way.
    pub(super) fn refuse(&self, tcp: TcpStream, peer: SocketAddr, shared: &Arc<Shared>) {
        let answered = self.refusing.fetch_add(1, Ordering::AcqRel) < MAX_REFUSING;
        let reason = if answered {
            "limit"
        } else {
            "limit_unanswered"
        };
        self.metrics.net.refused(self.listener, reason);
        if let Some(more) = self.warnings.due() {
            warn!(
                listener = self.listener,
                limit = self.limit,
                %peer,
                more_refused = more,
                "refusing connections above the limit (--max-connections; logged at most every 10 s)"
            );
        }
        if !answered {
            self.refusing.fetch_sub(1, Ordering::AcqRel);
            return;
        }
        let refusing = self.refusing.clone();
        let (shared, limit) = (shared.clone(), self.limit);
        tokio::spawn(async move {
            let answer = async {
                let Some(io) = shared.handshake(tcp, peer).await else {
                    return;
                };
                let service = hyper::service::service_fn(move |_req| async move {
                    Ok::<_, Infallible>(too_many_connections(limit))
                });
                let _ = shared
                    .refusal_builder()
                    .serve_connection(TokioIo::new(io), service)
                    .await;
            };
            let _ = tokio::time::timeout(REFUSE_TIMEOUT, answer).await;
            refusing.fetch_sub(1, Ordering::AcqRel);
        });
    }
}

/// 503 `too_many_connections`, `Connection: close`, `Retry-After: 1`.
fn too_many_connections(limit: usize) -> Response<Body> {
    let mut resp = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too_many_connections",
        format!(
            "the server has {limit} connections open, its limit (--max-connections); retry \
             later, or reuse connections"
        ),
    )
    .into_response();
    let h = resp.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}
