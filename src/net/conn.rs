//! One connection: the TLS handshake (bounded by the header timeout), then HTTP/1.1 or HTTP/2
//! (by ALPN or preface) with a watchdog that closes it when it stays idle past the idle
//! timeout, or answers 408 when a request header takes longer than the header timeout; and,
//! per request, a body that times out when it stops arriving (a 408 answer). A request being
//! handled or answered (a watch stream) stops both connection timers.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;
use tower_http::timeout::{TimeoutBody, TimeoutError};
use tracing::debug;

use super::ConnectionOptions;
use super::gate::Slot;
use super::io::{Activity, BoxedIo, Expired, TimedIo};
use crate::api::error::ApiError;
use crate::api::metrics::Metrics;

/// How long a connection may take to close after a timeout asked it to, before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What every connection of a listener shares.
pub(super) struct Shared {
    name: &'static str,
    app: Router,
    tls: Option<TlsAcceptor>,
    options: ConnectionOptions,
    metrics: Arc<Metrics>,
    builder: auto::Builder<TokioExecutor>,
    /// The 408 written on a connection whose request header is late.
    header_408: Bytes,
}

impl Shared {
    pub(super) fn new(
        name: &'static str,
        app: Router,
        tls: Option<Arc<rustls::ServerConfig>>,
        options: ConnectionOptions,
        metrics: Arc<Metrics>,
    ) -> Shared {
        let mut builder = auto::Builder::new(TokioExecutor::new());
        // The watchdog times headers from their first byte; hyper's own header timer would
        // start when the connection turns idle and cut idle connections at the header timeout.
        builder.http1().header_read_timeout(None);
        let header_408 = raw_response(
            "408 Request Timeout",
            &ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "the request header did not arrive within {} (--header-timeout)",
                    humantime::format_duration(options.header_timeout)
                ),
            ),
        );
        Shared {
            name,
            app,
            tls: tls.map(TlsAcceptor::from),
            options,
            metrics,
            builder,
            header_408,
        }
    }

    /// The listener's name (`api`, `metrics`).
    pub(super) fn name(&self) -> &'static str {
        self.name
    }

    /// The server's metrics.
    pub(super) fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// A builder for refused connections: one answer, then close.
    pub(super) fn refusal_builder(&self) -> auto::Builder<TokioExecutor> {
        let mut b = self.builder.clone();
        b.http1().keep_alive(false);
        b
    }

    /// The connection's stream after the TLS handshake, if any (`None`: the handshake failed
    /// or timed out).
    pub(super) async fn handshake(&self, tcp: TcpStream, peer: SocketAddr) -> Option<BoxedIo> {
        self.handshake_alpn(tcp, peer).await.map(|(io, _)| io)
    }

    /// As [`Shared::handshake`], and whether ALPN chose HTTP/2.
    async fn handshake_alpn(&self, tcp: TcpStream, peer: SocketAddr) -> Option<(BoxedIo, bool)> {
        let Some(acceptor) = &self.tls else {
            return Some((Box::new(tcp), false));
        };
        match tokio::time::timeout(self.options.header_timeout, acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => {
                let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                Some((Box::new(tls), h2))
            }
            Ok(Err(e)) => {
                debug!(%peer, error = %e, "TLS handshake failed");
                None
            }
            Err(_) => {
                self.metrics.net.timeout(self.name, "tls_handshake");
                debug!(%peer, "TLS handshake timed out");
                None
            }
        }
    }
}

/// Serves one accepted connection until it closes; `slot` is its place under the cap.
pub(super) async fn run(
    tcp: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let handshake = tokio::select! {
        r = shared.handshake_alpn(tcp, peer) => r,
        _ = stop.wait_for(|s| *s) => None,
    };
    if let Some((io, h2)) = handshake {
        serve_io(io, h2, &shared, stop).await;
    }
    drop(slot);
}

async fn serve_io(io: BoxedIo, h2: bool, shared: &Shared, mut stop: watch::Receiver<bool>) {
    let opts = &shared.options;
    let activity = Arc::new(Activity::new(h2));
    let io = TimedIo::new(io, activity.clone(), shared.header_408.clone());
    let service = ConnService {
        app: shared.app.clone(),
        activity: activity.clone(),
        body_timeout: opts.body_timeout,
        metrics: shared.metrics.clone(),
        listener: shared.name,
    };
    let mut conn = pin!(shared.builder.serve_connection(TokioIo::new(io), service));
    let mut closing = false;
    let mut drop_at: Option<Instant> = None;
    loop {
        let check = drop_at.unwrap_or_else(|| activity.next_check(opts).into());
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = activity.changed() => {}
            _ = stop.wait_for(|s| *s), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = tokio::time::sleep_until(check) => {
                if drop_at.is_some() {
                    debug!("connection did not close after a timeout; dropping it");
                    return;
                }
                match activity.expired(opts) {
                    None => {}
                    Some(Expired::Idle) => {
                        shared.metrics.net.timeout(shared.name, "idle");
                        if !closing {
                            closing = true;
                            conn.as_mut().graceful_shutdown();
                        }
                        drop_at = Some(Instant::now() + CLOSE_GRACE);
                    }
                    Some(Expired::Header) => {
                        shared.metrics.net.timeout(shared.name, "header");
                        // The next read of the connection writes the 408 and ends it.
                        activity.answer_408();
                        drop_at = Some(Instant::now() + CLOSE_GRACE);
                    }
                }
            }
        }
    }
}

/// The app behind one connection: counts the request in flight until its response body is
/// done, and times out a request body that stops arriving.
#[derive(Clone)]
struct ConnService {
    app: Router,
    activity: Arc<Activity>,
    body_timeout: Duration,
    metrics: Arc<Metrics>,
    listener: &'static str,
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let in_flight = self.activity.begin_request();
        let stalled = Arc::new(AtomicBool::new(false));
        let flag = stalled.clone();
        let timeout = self.body_timeout;
        let req = req.map(|body| {
            Body::new(TimeoutBody::new(timeout, body).map_err(move |e| {
                if e.is::<TimeoutError>() {
                    flag.store(true, Ordering::Release);
                }
                e
            }))
        });
        let (app, metrics, listener) = (self.app.clone(), self.metrics.clone(), self.listener);
        Box::pin(async move {
            let Ok(mut resp) = app.oneshot(req).await;
            if stalled.load(Ordering::Acquire) {
                metrics.net.timeout(listener, "body");
                resp = body_timed_out(timeout);
            }
            // The request counts as in flight until its response body is dropped (sent).
            Ok(resp.map(move |body| {
                Body::new(body.map_frame(move |frame| {
                    let _in_flight = &in_flight;
                    frame
                }))
            }))
        })
    }
}

/// 408 `request_timeout` for a body that stopped arriving, with `Connection: close`.
fn body_timed_out(timeout: Duration) -> Response<Body> {
    let mut resp = ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!(
            "the request body stopped arriving for {} (--body-timeout)",
            humantime::format_duration(timeout)
        ),
    )
    .into_response();
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// An HTTP/1.1 answer with `err`'s JSON body and `Connection: close`, as bytes.
fn raw_response(status_line: &str, err: &ApiError) -> Bytes {
    let body = err.body().to_string();
    Bytes::from(format!(
        "HTTP/1.1 {status_line}\r\ncontent-type: application/json\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    ))
}
