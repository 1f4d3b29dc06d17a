//! `GET /v1/{ns}/watch`: Server-Sent Events, one event per change, `id:` = commit_seq.
//!
//! Resume with `Last-Event-ID` (what browsers and SSE clients send on reconnect) or
//! `?from_commit=N`, both exclusive, across restarts. Filters: `prefix` (id prefix) and
//! `tags=k=v,k2=v2`. The stream ends with one explicit event when it cannot go on: `overflow`
//! (the watcher fell behind; resume from `last_commit`), `compacted` (the resume point was
//! trimmed; re-list), `reset` (the resume point is ahead of the log after a restore; re-list),
//! `shutdown` (the server is stopping; resume from `last_commit`), `expired` (the capability
//! token the stream was opened with expired; resume from `last_commit` with a new token).

mod pace;
mod render;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, Bytes, BytesMut};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::watch;
use tokio::time::{Instant, Sleep};

pub use pace::Pace;
pub use render::RenderCache;

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::auth::Claims;
use crate::objects::validate_ns;
use crate::store::watch::{Event as Commit, Filter, Subscription, WatchError};
use crate::store::{ObjectOp, Op, Record};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct WatchQuery {
    /// Resume after this commit (exclusive); `Last-Event-ID` wins when both are given.
    from_commit: Option<u64>,
    /// Only ids starting with this.
    prefix: Option<String>,
    /// Only objects with these tags: `k=v,k2=v2`.
    tags: Option<String>,
}

/// Namespace equality, inlined: it runs for every watcher on every commit, where a call to
/// `memcmp` for a few bytes costs more than the comparison.
#[inline]
fn same_ns(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// What one watcher wants to see.
#[derive(Clone)]
struct Selector {
    ns: String,
    prefix: String,
    tags: BTreeMap<String, String>,
}

impl Selector {
    /// Most watchers have no prefix: skip the slice comparison (a `memcmp` call) for them.
    #[inline]
    fn prefix_matches(&self, id: &str) -> bool {
        self.prefix.is_empty() || id.starts_with(self.prefix.as_str())
    }

    fn op_matches(&self, op: &Op) -> bool {
        match op {
            Op::Object(ObjectOp::Put { ns, id, data }) => {
                same_ns(ns, &self.ns)
                    && self.prefix_matches(id)
                    && self.tags.iter().all(|(k, v)| data.tags().get(k) == Some(v))
            }
            // A delete carries no tags: watchers filtering by tags see every delete of the prefix.
            Op::Object(ObjectOp::Delete { ns, id, .. }) => {
                same_ns(ns, &self.ns) && self.prefix_matches(id)
            }
            Op::Object(ObjectOp::Remember { .. })
            | Op::Lease(_)
            | Op::Checkpoint(_)
            | Op::Workflow(_)
            | Op::Flow(_) => false,
        }
    }

    /// Appends the SSE events of `rec` this watcher sees to `out`; returns how many. `rec`
    /// passed the subscription's filter (some op matches), so the op of a single-op commit is
    /// not matched again.
    fn write(&self, rec: &Record, rendered: &render::Rendered, out: &mut BytesMut) -> u64 {
        let mut n = 0;
        let single = rec.ops.len() == 1;
        for (op, data) in rec.ops.iter().zip(rendered) {
            let Some(data) = data else { continue };
            if !single && !self.op_matches(op) {
                continue;
            }
            if n > 0 {
                out.put_u8(b'\n');
            }
            out.put_slice(data);
            n += 1;
        }
        // Only the last event of a commit carries its id, so a resume never splits one.
        if n > 0 {
            out.put_slice(b"id: ");
            out.put_slice(itoa::Buffer::new().format(rec.seq).as_bytes());
            out.put_slice(b"\n\n");
        }
        n
    }
}

/// One SSE event with a name (`overflow`, `compacted`, `reset`, `shutdown`, `expired`,
/// `error`).
fn end_event(kind: &str, data: serde_json::Value) -> Bytes {
    Bytes::from(format!("event: {kind}\ndata: {data}\n\n"))
}

/// The comment sent when a stream was idle for the heartbeat interval.
const HEARTBEAT: &[u8] = b":\n\n";

/// Commits taken and written at once when a watcher wakes (one write for a burst).
const MAX_BATCH: usize = 1024;

/// Counts the stream as a watch client for as long as it lives.
struct ClientGuard(AppState);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.metrics().watch_clients.dec();
        self.0.watch_pace().closed();
    }
}

struct Stream_ {
    _client: ClientGuard,
    app: AppState,
    sub: Subscription,
    /// Resolves once the server starts stopping. One future for the stream's life: it joins
    /// the channel's waiters once, instead of joining and leaving them on every write.
    shutdown: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
    /// The server's stop flag, looked at before each write.
    shutdown_rx: watch::Receiver<bool>,
    /// The server is stopping (`shutdown` resolved, or the flag was seen set; either way the
    /// future must not be polled again).
    stopping: bool,
    /// When the capability token the stream was opened with expires (`None`: no token).
    expiry: Option<std::pin::Pin<Box<Sleep>>>,
    selector: Selector,
    batch: Vec<Commit>,
    heartbeat: Duration,
    idle: std::pin::Pin<Box<Sleep>>,
    /// When anything (events or a heartbeat) was last written.
    last_sent: Instant,
    linger: std::pin::Pin<Box<Sleep>>,
    /// When events may be written next.
    pacer: pace::Pacer,
    done: bool,
}

/// What a waiting stream woke up for.
enum Woke {
    Commit(Result<Commit, WatchError>),
    Shutdown,
    Expired,
    Idle,
}

impl Stream_ {
    /// The SSE text of the commits in `batch` that this watcher sees. The emit lag is observed
    /// once per write, for its oldest commit.
    fn render_batch(&mut self) -> Bytes {
        let metrics = self.app.metrics();
        if let Some(oldest) = self.batch.first() {
            let lag_ms = self.app.engine().now_ms() - oldest.ts;
            metrics
                .watch_emit_lag
                .observe(lag_ms.max(0) as f64 / 1000.0);
        }
        // Room for the usual write (about ten events of a few hundred bytes) without growing.
        let mut out = BytesMut::with_capacity(8 * 1024);
        let mut events = 0;
        let batch = std::mem::take(&mut self.batch);
        self.app
            .render_cache()
            .with_rendered(&batch, |rec, rendered| {
                events += self.selector.write(rec, rendered, &mut out);
            });
        self.batch = batch;
        self.batch.clear();
        metrics.watch_events.inc_by(events);
        out.freeze()
    }

    /// The final event for the error that ended the subscription.
    fn end(&self, e: WatchError, last: u64) -> Bytes {
        let reason = match &e {
            WatchError::Overflow { .. } => "overflow",
            WatchError::Compacted { .. } => "compacted",
            WatchError::Reset { .. } => "reset",
            WatchError::Closed => "shutdown",
            WatchError::Store(_) => "error",
        };
        self.app.metrics().watch_drop(reason);
        self.app.metrics().watch_events.inc();
        match e {
            WatchError::Overflow { last_delivered } => end_event(
                "overflow",
                json!({"error": "overflow", "last_commit": last_delivered}),
            ),
            WatchError::Compacted {
                from,
                oldest_available,
            } => end_event(
                "compacted",
                json!({"error": "compacted", "from_commit": from, "oldest_available": oldest_available}),
            ),
            WatchError::Reset { from, head } => end_event(
                "reset",
                json!({"error": "reset", "from_commit": from, "commit_seq": head}),
            ),
            WatchError::Closed => end_event(
                "shutdown",
                json!({"error": "shutdown", "last_commit": last}),
            ),
            WatchError::Store(e) => {
                tracing::error!(error = %e, "watch stream failed");
                end_event("error", json!({"error": "internal", "last_commit": last}))
            }
        }
    }

    /// The next piece of the stream: a burst of events, a final event or a heartbeat.
    async fn next_frame(&mut self) -> Option<Bytes> {
        loop {
            if self.done {
                return None;
            }
            let last = self.sub.last_delivered();
            // A look at the flag costs less than polling the shutdown future, which the
            // selects below leave alone while commits are ready.
            match self.shutdown_rx.has_changed() {
                Ok(false) => {}
                Ok(true) => self.stopping |= *self.shutdown_rx.borrow_and_update(),
                Err(_) => self.stopping = true,
            }
            if let Some(due) = self.pacer.wait_until(Instant::now()) {
                self.linger.as_mut().reset(due);
                tokio::select! {
                    biased;
                    _ = &mut self.linger => {}
                    _ = &mut self.shutdown, if !self.stopping => self.stopping = true,
                }
            }
            let woke = if self.stopping {
                Woke::Shutdown
            } else {
                // Biased: a stream whose commits are ready takes them without polling the
                // other branches (the usual case once the pacer let it write).
                tokio::select! {
                    biased;
                    r = self.sub.next() => Woke::Commit(r),
                    _ = &mut self.shutdown => Woke::Shutdown,
                    () = expired(&mut self.expiry) => Woke::Expired,
                    _ = &mut self.idle => Woke::Idle,
                }
            };
            match woke {
                Woke::Commit(Ok(first)) => {
                    self.batch.push(first);
                    self.sub.drain_ready(&mut self.batch, MAX_BATCH);
                    let frame = self.render_batch();
                    if !frame.is_empty() {
                        self.last_sent = Instant::now();
                        self.pacer.wrote(self.app.watch_pace(), self.last_sent);
                        return Some(frame);
                    }
                }
                Woke::Commit(Err(e)) => {
                    self.done = true;
                    return Some(self.end(e, last));
                }
                Woke::Shutdown => {
                    self.done = true;
                    self.app.metrics().watch_events.inc();
                    return Some(end_event(
                        "shutdown",
                        json!({"error": "shutdown", "last_commit": last}),
                    ));
                }
                Woke::Expired => {
                    // A token is checked when the stream opens; one that expires ends the
                    // stream rather than letting it run on for as long as the client likes.
                    self.done = true;
                    self.app.metrics().watch_drop("expired");
                    self.app.metrics().watch_events.inc();
                    return Some(end_event(
                        "expired",
                        json!({"error": "token_expired", "last_commit": last}),
                    ));
                }
                Woke::Idle => {
                    let due = self.last_sent + self.heartbeat;
                    let now = Instant::now();
                    if now >= due {
                        self.last_sent = now;
                        self.idle.as_mut().reset(now + self.heartbeat);
                        return Some(Bytes::from_static(HEARTBEAT));
                    }
                    self.idle.as_mut().reset(due);
                }
            }
        }
    }
}

/// Resolves when `expiry` passes; never without one.
async fn expired(expiry: &mut Option<std::pin::Pin<Box<Sleep>>>) {
    match expiry {
        Some(sleep) => sleep.as_mut().await,
        None => std::future::pending().await,
    }
}

/// Resolves when `shutdown` turns true (or its sender is gone).
async fn stopping(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Streams the namespace's commits as server-sent events.
#[utoipa::path(
    get,
    path = "/v1/{ns}/watch",
    tag = "watch",
    params(
        crate::api::openapi::NsPath,
        WatchQuery,
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this commit_seq"),
    ),
    responses(
        (status = 200, description = "`id: <commit_seq>`, `data: {\"type\":\"put\",\"obj\":{…},\"commit_seq\":N}` \
                         or `{\"type\":\"delete\",…}`; heartbeat comments; the stream ends with one \
                         `overflow`, `compacted`, `reset`, `shutdown` or `expired` event",
         content_type = "text/event-stream", body = String),
        (status = 400, description = "Invalid namespace, resume point or filter",
         body = crate::api::openapi::ErrorBody),
    )
)]
pub(super) async fn watch(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiQuery(q): ApiQuery<WatchQuery>,
    claims: Option<axum::Extension<Claims>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    validate_ns(&ns)?;
    // The guard admitted the token, so it had not expired (with the leeway for clock skew
    // that admission allows); the stream ends when admission would refuse it.
    let leeway = app.guard().leeway;
    let expiry = claims.map(|axum::Extension(c)| {
        let left = c.exp.saturating_sub(crate::auth::unix_now()).max(0);
        Box::pin(tokio::time::sleep(
            Duration::from_secs(left.unsigned_abs()) + leeway,
        ))
    });
    let last_event_id = crate::api::extract::last_event_id(&headers, "a commit_seq")?;
    let mut tags = BTreeMap::new();
    for pair in q
        .tags
        .iter()
        .flat_map(|t| t.split(','))
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').ok_or_else(|| {
            ApiError::bad_request(format!("tag filter {pair:?} is not key=value"))
        })?;
        tags.insert(k.to_string(), v.to_string());
    }
    let selector = Selector {
        ns,
        prefix: q.prefix.unwrap_or_default(),
        tags,
    };
    let engine = app.engine();
    let resume = last_event_id.or(q.from_commit);
    if resume.is_some() {
        app.metrics().watch_resumed("sse");
    }
    let from = resume.unwrap_or_else(|| engine.view().seq);
    let sel = selector.clone();
    let filter: Filter = Arc::new(move |rec: &Record| rec.ops.iter().any(|op| sel.op_matches(op)));
    app.metrics().watch_clients.inc();
    let heartbeat = app.heartbeat();
    let state = Stream_ {
        _client: ClientGuard(app.clone()),
        app: app.clone(),
        sub: engine.subscribe(from, Some(filter)),
        shutdown: Box::pin(stopping(app.shutdown())),
        shutdown_rx: app.shutdown(),
        stopping: false,
        expiry,
        selector,
        batch: Vec::new(),
        heartbeat,
        idle: Box::pin(tokio::time::sleep(heartbeat)),
        last_sent: Instant::now(),
        linger: Box::pin(tokio::time::sleep(Duration::ZERO)),
        pacer: app.watch_pace().opened(),
        done: false,
    };
    let stream = futures_util::stream::unfold(state, |mut st| async move {
        let frame = st.next_frame().await?;
        Some((Ok::<_, Infallible>(frame), st))
    });
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}
