//! `GET /v1/{ns}/watch`: Server-Sent Events, one event per change, `id:` = commit_seq.
//!
//! Resume with `Last-Event-ID` (what browsers and SSE clients send on reconnect) or
//! `?from_commit=N`, both exclusive, across restarts. Filters: `prefix` (id prefix) and
//! `tags=k=v,k2=v2`. The stream ends with one explicit event when it cannot go on: `overflow`
//! (the watcher fell behind; resume from `last_commit`), `compacted` (the resume point was
//! trimmed; re-list), `reset` (the resume point is ahead of the log after a restore; re-list),
//! `shutdown` (the server is stopping; resume from `last_commit`).

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::watch;

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::objects::{ObjectOut, validate_ns};
use crate::store::watch::{Filter, Subscription, WatchError};
use crate::store::{DeleteReason, ObjectOp, Op, Record};

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

/// What one watcher wants to see.
#[derive(Clone)]
struct Selector {
    ns: String,
    prefix: String,
    tags: BTreeMap<String, String>,
}

impl Selector {
    fn op_matches(&self, op: &Op) -> bool {
        match op {
            Op::Object(ObjectOp::Put { ns, id, data }) => {
                **ns == *self.ns
                    && id.starts_with(self.prefix.as_str())
                    && self.tags.iter().all(|(k, v)| data.tags.get(k) == Some(v))
            }
            // A delete carries no tags: watchers filtering by tags see every delete of the prefix.
            Op::Object(ObjectOp::Delete { ns, id, .. }) => {
                **ns == *self.ns && id.starts_with(self.prefix.as_str())
            }
            Op::Object(ObjectOp::Remember { .. })
            | Op::Lease(_)
            | Op::Checkpoint(_)
            | Op::Workflow(_) => false,
        }
    }

    fn events(&self, rec: &Record, rendered: &[Option<Arc<str>>]) -> Vec<Event> {
        let picked: Vec<&Arc<str>> = rec
            .ops
            .iter()
            .zip(rendered)
            .filter(|(op, _)| self.op_matches(op))
            .filter_map(|(_, r)| r.as_ref())
            .collect();
        let n = picked.len();
        picked
            .into_iter()
            .enumerate()
            .map(|(i, data)| {
                let ev = Event::default().data(&**data);
                // Only the last event of a commit carries its id, so a resume never splits one.
                if i + 1 == n {
                    ev.id(rec.seq.to_string())
                } else {
                    ev
                }
            })
            .collect()
    }
}

/// The JSON of each op of a record as watchers see it (`None` for ops they never see).
type Rendered = Vec<Option<Arc<str>>>;

fn render(rec: &Record) -> Rendered {
    rec.ops
        .iter()
        .map(|op| {
            let v = match op {
                Op::Object(ObjectOp::Put { ns, id, data }) => json!({
                    "type": "put",
                    "obj": ObjectOut::new(ns, id, rec.seq, rec.ts, data),
                    "commit_seq": rec.seq,
                }),
                Op::Object(ObjectOp::Delete { ns, id, reason }) => json!({
                    "type": "delete",
                    "ns": ns.as_ref(),
                    "id": id.as_ref(),
                    "commit_seq": rec.seq,
                    "reason": match reason { DeleteReason::Deleted => "deleted", DeleteReason::Expired => "expired" },
                }),
                Op::Object(ObjectOp::Remember { .. })
                | Op::Lease(_)
                | Op::Checkpoint(_)
                | Op::Workflow(_) => return None,
            };
            Some(Arc::from(v.to_string()))
        })
        .collect()
}

/// Rendered records shared by every watcher: with many watchers, each commit is serialized once.
#[derive(Debug, Default)]
pub struct RenderCache {
    recent: Mutex<BTreeMap<u64, Arc<Rendered>>>,
}

/// Records kept rendered.
const RENDER_CACHE: usize = 4096;

impl RenderCache {
    fn get(&self, rec: &Record) -> Arc<Rendered> {
        if let Some(r) = self
            .recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&rec.seq)
        {
            return r.clone();
        }
        let r = Arc::new(render(rec));
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.insert(rec.seq, r.clone());
        while recent.len() > RENDER_CACHE {
            recent.pop_first();
        }
        r
    }
}

fn end_event(kind: &str, data: serde_json::Value) -> Event {
    Event::default().event(kind).data(data.to_string())
}

/// Counts the stream as a watch client for as long as it lives.
struct ClientGuard(AppState);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.metrics().watch_clients.dec();
    }
}

struct Stream_ {
    _client: ClientGuard,
    app: AppState,
    sub: Subscription,
    shutdown: watch::Receiver<bool>,
    selector: Selector,
    queue: VecDeque<Event>,
    done: bool,
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
                         `overflow`, `compacted`, `reset` or `shutdown` event",
         content_type = "text/event-stream", body = String),
        (status = 400, description = "Invalid namespace, resume point or filter",
         body = crate::api::openapi::ErrorBody),
    )
)]
pub(super) async fn watch(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiQuery(q): ApiQuery<WatchQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    validate_ns(&ns)?;
    let last_event_id = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| ApiError::bad_request("Last-Event-ID must be a commit_seq"))?,
        ),
        None => None,
    };
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
    let from = last_event_id
        .or(q.from_commit)
        .unwrap_or_else(|| engine.view().seq);
    let sel = selector.clone();
    let filter: Filter = Arc::new(move |rec: &Record| rec.ops.iter().any(|op| sel.op_matches(op)));
    app.metrics().watch_clients.inc();
    let state = Stream_ {
        _client: ClientGuard(app.clone()),
        app: app.clone(),
        sub: engine.subscribe(from, Some(filter)),
        shutdown: app.shutdown(),
        selector,
        queue: VecDeque::new(),
        done: false,
    };
    let stream = futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(ev) = st.queue.pop_front() {
                st.app.metrics().watch_events.inc();
                return Some((Ok(ev), st));
            }
            if st.done {
                return None;
            }
            let last = st.sub.last_delivered();
            tokio::select! {
                r = st.sub.next() => match r {
                    Ok(rec) => {
                        let lag_ms = chrono::Utc::now().timestamp_millis() - rec.ts;
                        st.app.metrics().watch_emit_lag.observe(lag_ms.max(0) as f64 / 1000.0);
                        let rendered = st.app.render_cache().get(&rec);
                        st.queue.extend(st.selector.events(&rec, &rendered));
                    }
                    Err(e) => {
                        st.done = true;
                        let reason = match &e {
                            WatchError::Overflow { .. } => "overflow",
                            WatchError::Compacted { .. } => "compacted",
                            WatchError::Reset { .. } => "reset",
                            WatchError::Closed => "shutdown",
                            WatchError::Store(_) => "error",
                        };
                        st.app.metrics().watch_drop(reason);
                        st.queue.push_back(match e {
                            WatchError::Overflow { last_delivered } => end_event("overflow", json!({"error": "overflow", "last_commit": last_delivered})),
                            WatchError::Compacted { from, oldest_available } => end_event("compacted", json!({"error": "compacted", "from_commit": from, "oldest_available": oldest_available})),
                            WatchError::Reset { from, head } => end_event("reset", json!({"error": "reset", "from_commit": from, "commit_seq": head})),
                            WatchError::Closed => end_event("shutdown", json!({"error": "shutdown", "last_commit": last})),
                            WatchError::Store(e) => {
                                tracing::error!(error = %e, "watch stream failed");
                                end_event("error", json!({"error": "internal", "last_commit": last}))
                            }
                        });
                    }
                },
                _ = st.shutdown.wait_for(|stop| *stop) => {
                    st.done = true;
                    st.queue.push_back(end_event("shutdown", json!({"error": "shutdown", "last_commit": last})));
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(app.heartbeat())))
}
