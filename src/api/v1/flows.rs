//! Flow routes under `/v1/flows`: deploy (`POST`, admin), list, status, start, stop, restart,
//! scale (the `flows` verb) and remove (`DELETE`, admin). The rules are the flow manager's
//! ([`crate::flow::FlowManager`]); each handler parses, makes one call and renders.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::openapi::ErrorBody;
use crate::flow::wire::{DeployOut, FlowStatus, FlowSummary, ScaleInput, SendInput, SendOut};
use crate::flow::{FlowManager, Manifest};

pub(super) fn manager(app: &AppState) -> Result<&FlowManager, ApiError> {
    app.flows().ok_or_else(|| {
        let message = if app.engine().is_shared() {
            "flows run on servers with the embedded backend only: on a shared PostgreSQL log \
             every server would start every flow's workers"
        } else {
            "this server runs no flow manager"
        };
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "flows_unavailable",
            message,
        )
    })
}

/// The flow name of a path.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct FlowPath {
    /// Flow name.
    name: String,
}

/// Every flow.
#[utoipa::path(
    get,
    path = "/v1/flows",
    tag = "flows",
    responses((status = 200, description = "Flows by name", body = Vec<FlowSummary>))
)]
pub(super) async fn list(State(app): State<AppState>) -> ApiResult<Json<Vec<FlowSummary>>> {
    Ok(Json(manager(&app)?.list().await))
}

/// Creates or updates a flow from its manifest; the rollout goes on in the background (poll
/// `GET /v1/flows/{name}` until `deploy` is no longer `deploying`).
#[utoipa::path(
    post,
    path = "/v1/flows",
    tag = "flows",
    request_body = Manifest,
    responses(
        (status = 200, description = "The manifest was in place and ready: nothing changed", body = DeployOut),
        (status = 202, description = "Accepted: rolling out", body = DeployOut),
        (status = 400, description = "The manifest is not valid (the message names the field)", body = ErrorBody),
        (status = 409, description = "A deploy of this flow is rolling out", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn deploy(
    State(app): State<AppState>,
    ApiJson(manifest): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    let manifest = Manifest::from_value(manifest)?;
    let out = manager(&app)?.deploy(manifest).await?;
    let status = if out.changed {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out)).into_response())
}

/// A flow: its manifest (secrets redacted) and every replica with its state, pid, uptime,
/// restarts, last exit, readiness, CPU and memory.
#[utoipa::path(
    get,
    path = "/v1/flows/{name}",
    tag = "flows",
    params(FlowPath),
    responses(
        (status = 200, description = "The flow", body = FlowStatus),
        (status = 404, description = "No such flow", body = ErrorBody),
    )
)]
pub(super) async fn status(
    State(app): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<FlowStatus>> {
    Ok(Json(manager(&app)?.status(&name).await?))
}

/// Stops a flow's workers and forgets the flow.
#[utoipa::path(
    delete,
    path = "/v1/flows/{name}",
    tag = "flows",
    params(FlowPath),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such flow", body = ErrorBody),
        (status = 409, description = "A deploy of this flow is rolling out", body = ErrorBody),
    )
)]
pub(super) async fn remove(
    State(app): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Response> {
    manager(&app)?.remove(&name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Starts a stopped flow's workers.
#[utoipa::path(
    post,
    path = "/v1/flows/{name}/start",
    tag = "flows",
    params(FlowPath),
    responses(
        (status = 200, description = "The flow", body = FlowSummary),
        (status = 404, description = "No such flow", body = ErrorBody),
        (status = 409, description = "A deploy of this flow is rolling out", body = ErrorBody),
    )
)]
pub(super) async fn start(
    State(app): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<FlowSummary>> {
    Ok(Json(manager(&app)?.start_flow(&name).await?))
}

/// Stops a flow's workers (the flow stays, stopped).
#[utoipa::path(
    post,
    path = "/v1/flows/{name}/stop",
    tag = "flows",
    params(FlowPath),
    responses(
        (status = 200, description = "The flow", body = FlowSummary),
        (status = 404, description = "No such flow", body = ErrorBody),
        (status = 409, description = "A deploy of this flow is rolling out", body = ErrorBody),
    )
)]
pub(super) async fn stop(
    State(app): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<FlowSummary>> {
    Ok(Json(manager(&app)?.stop_flow(&name).await?))
}

/// Restarts every replica of a flow (starts a stopped one).
#[utoipa::path(
    post,
    path = "/v1/flows/{name}/restart",
    tag = "flows",
    params(FlowPath),
    responses(
        (status = 200, description = "The flow", body = FlowSummary),
        (status = 404, description = "No such flow", body = ErrorBody),
        (status = 409, description = "A deploy of this flow is rolling out", body = ErrorBody),
    )
)]
pub(super) async fn restart(
    State(app): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<FlowSummary>> {
    Ok(Json(manager(&app)?.restart_flow(&name).await?))
}

/// Sets the number of replicas of one of the flow's workers.
#[utoipa::path(
    post,
    path = "/v1/flows/{name}/scale",
    tag = "flows",
    params(FlowPath),
    request_body = ScaleInput,
    responses(
        (status = 200, description = "The flow", body = FlowSummary),
        (status = 400, description = "Unknown or ambiguous worker, or too many replicas", body = ErrorBody),
        (status = 404, description = "No such flow", body = ErrorBody),
        (status = 409, description = "A deploy of this flow is rolling out", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn scale(
    State(app): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(input): ApiJson<ScaleInput>,
) -> ApiResult<Json<FlowSummary>> {
    let out = manager(&app)?
        .scale(&name, input.worker.as_deref(), input.replicas)
        .await?;
    Ok(Json(out))
}

/// Sends a command to one replica's control socket and answers its reply (502 when the worker
/// does not listen or sends a malformed frame, 504 without a reply within `timeout_ms`, 10 s by
/// default).
#[utoipa::path(
    post,
    path = "/v1/flows/{name}/send",
    tag = "flows",
    params(FlowPath),
    request_body = SendInput,
    responses(
        (status = 200, description = "The replica's reply", body = SendOut),
        (status = 400, description = "Unknown replica, none running, or a timeout out of range", body = ErrorBody),
        (status = 404, description = "No such flow", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
        (status = 502, description = "The worker's socket refused or broke the exchange", body = ErrorBody),
        (status = 504, description = "No reply in time", body = ErrorBody),
    )
)]
pub(super) async fn send(
    State(app): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(input): ApiJson<SendInput>,
) -> ApiResult<Json<SendOut>> {
    let out = manager(&app)?.send(&name, input).await?;
    Ok(Json(out))
}
