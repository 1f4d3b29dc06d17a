//! `GET /v1/flows/events`: flow events as Server-Sent Events (`id:` = event id, `event:` = the
//! kind, `data:` = the event's JSON), replayed from the engine's event journal after `since`
//! (or `Last-Event-ID`, which wins), then live; without either, live events only. The stream
//! ends with one named event when it cannot go on: `lagged` (the client fell behind; resume
//! from the last id received) or `shutdown` (the server is stopping). With `follow=false` the
//! stream ends after the replay (what `stmgr flow events` without `-f` reads). The rules are the
//! journal's ([`crate::flow::events::Journal`]).

use std::convert::Infallible;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::flows::manager;
use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, last_event_id};
use crate::api::openapi::ErrorBody;
use crate::flow::events::{StreamError, Subscription};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct EventsQuery {
    /// Only the events of this flow.
    flow: Option<String>,
    /// Replay the journal after this event id (exclusive), then follow; `Last-Event-ID` wins.
    since: Option<u64>,
    /// `false`: end the stream after the replay instead of following [default: true].
    follow: Option<bool>,
}

/// Flow events as Server-Sent Events: replayed from the journal after `since` (or
/// `Last-Event-ID`), then live, with no gap and no duplicate.
#[utoipa::path(
    get,
    path = "/v1/flows/events",
    tag = "flows",
    params(
        EventsQuery,
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this event id"),
    ),
    responses(
        (status = 200, description = "`text/event-stream`: one event per flow event (`id:` its id, `event:` its kind, `data:` a FlowEventOut)", content_type = "text/event-stream", body = String),
        (status = 400, description = "`Last-Event-ID` is not an event id", body = ErrorBody),
        (status = 410, description = "Events after the resume point were dropped by retention", body = ErrorBody),
        (status = 503, description = "This server runs no flow manager", body = ErrorBody),
    )
)]
pub(super) async fn events(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Response> {
    let journal = manager(&app)?.journal().clone();
    let last_event_id = last_event_id(&headers, "an event id")?;
    let sub = journal
        .subscribe(q.flow, last_event_id.or(q.since), q.follow != Some(false))
        .map_err(|e| ApiError::new(StatusCode::GONE, "compacted", e.to_string()))?;
    let state = Stream {
        sub,
        shutdown: app.shutdown(),
        done: false,
    };
    let stream = futures_util::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        let event = s.next().await?;
        Some((Ok::<_, Infallible>(event), s))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

struct Stream {
    sub: Subscription,
    shutdown: tokio::sync::watch::Receiver<bool>,
    done: bool,
}

impl Stream {
    async fn next(&mut self) -> Option<Event> {
        if *self.shutdown.borrow() {
            self.done = true;
            return Some(Event::default().event("shutdown").data("{}"));
        }
        tokio::select! {
            ev = self.sub.next() => match ev? {
                Ok(ev) => Some(
                    Event::default()
                        .id(ev.id.to_string())
                        .event(ev.kind.clone())
                        .json_data(&ev)
                        .unwrap_or_else(|_| Event::default().comment("unrenderable event")),
                ),
                Err(e @ StreamError::Lagged | e @ StreamError::Compacted { .. }) => {
                    self.done = true;
                    let data = serde_json::json!({"message": e.to_string()}).to_string();
                    Some(Event::default().event("lagged").data(data))
                }
            },
            _ = self.shutdown.wait_for(|v| *v) => {
                self.done = true;
                Some(Event::default().event("shutdown").data("{}"))
            }
        }
    }
}
