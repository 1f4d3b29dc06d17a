//! `GET /v1/flows/{name}/logs`: what a flow's replicas wrote (`text/plain`, one line each,
//! oldest first), every replica's prefixed with `[REPLICA] ` unless `replica` picks one; with
//! `follow=true` the answer stays open (chunked) and goes on with the lines written next,
//! until the client leaves or the server stops. The rules are the flow manager's
//! ([`crate::flow::FlowManager::logs`]).

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;

use super::flows::{FlowPath, manager};
use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::openapi::ErrorBody;
use crate::flow::LogRequest;
use crate::supervisor::logs::parse_since;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct LogsQuery {
    /// Only this replica (`w-0`), its lines without prefix; default: every replica.
    replica: Option<String>,
    /// Only lines from this time on: RFC 3339, or a duration back from now (`10m`).
    since: Option<String>,
    /// Only the last N lines of each replica.
    tail: Option<usize>,
    /// `true`: keep the answer open and send new lines as they are written [default: false].
    follow: Option<bool>,
}

/// A flow's logs: each line `TIME STREAM TEXT`, prefixed with `[REPLICA] ` when every replica's
/// are shown, oldest first; with `follow=true`, then the new lines as they come.
#[utoipa::path(
    get,
    path = "/v1/flows/{name}/logs",
    tag = "flows",
    params(FlowPath, LogsQuery),
    responses(
        (status = 200, description = "The lines (`text/plain`; chunked and open with `follow=true`)", content_type = "text/plain", body = String),
        (status = 400, description = "A bad `since`, `tail` or `follow`, or an unknown parameter", body = ErrorBody),
        (status = 404, description = "No such flow, or no such replica", body = ErrorBody),
        (status = 503, description = "This server runs no flow manager", body = ErrorBody),
    )
)]
pub(super) async fn logs(
    State(app): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<LogsQuery>,
) -> ApiResult<Response> {
    let req = LogRequest {
        replica: q.replica,
        since_ms: q
            .since
            .as_deref()
            .map(parse_since)
            .transpose()
            .map_err(ApiError::bad_request)?,
        tail: q.tail,
        follow: q.follow == Some(true),
    };
    let out = manager(&app)?.logs(&name, &req).await?;
    let head: String = out.lines.into_iter().map(|l| l + "\n").collect();
    let text = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    let Some(live) = out.live else {
        return Ok((text, head).into_response());
    };
    let mut shutdown = app.shutdown();
    let stopping = async move {
        let _ = shutdown.wait_for(|v| *v).await;
    };
    let tail = live
        .map(|l| Ok::<_, Infallible>(l + "\n"))
        .take_until(stopping);
    let body = futures_util::stream::once(async move { Ok::<_, Infallible>(head) }).chain(tail);
    Ok((text, Body::from_stream(body)).into_response())
}
