//! Lease routes: `POST /v1/{ns}/lease/{acquire,renew,release}` with `{key, owner, ttl, token?}`.
//! The rules are the leases domain's ([`crate::leases`]); the fencing check of writes that
//! carry `If-Resource`/`If-Fence` is the objects domain's ([`crate::objects::Fence`]).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::AppState;
use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::openapi::{ErrorBody, NsPath};
use crate::leases::{LeaseInput, LeaseOut};

/// Takes a lease, or extends it when the owner already holds it.
#[utoipa::path(
    post,
    path = "/v1/{ns}/lease/acquire",
    tag = "leases",
    params(NsPath),
    request_body = LeaseInput,
    responses(
        (status = 200, description = "The lease", body = LeaseOut),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 409, description = "Another owner holds it", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn acquire(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiJson(input): ApiJson<LeaseInput>,
) -> ApiResult<Json<LeaseOut>> {
    Ok(Json(app.leases().acquire(&ns, input).await?))
}

/// Extends a held lease.
#[utoipa::path(
    post,
    path = "/v1/{ns}/lease/renew",
    tag = "leases",
    params(NsPath),
    request_body = LeaseInput,
    responses(
        (status = 200, description = "The lease", body = LeaseOut),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 409, description = "Not the holder, or the lease lapsed", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn renew(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiJson(input): ApiJson<LeaseInput>,
) -> ApiResult<Json<LeaseOut>> {
    Ok(Json(app.leases().renew(&ns, input).await?))
}

/// Gives a lease up.
#[utoipa::path(
    post,
    path = "/v1/{ns}/lease/release",
    tag = "leases",
    params(NsPath),
    request_body = LeaseInput,
    responses(
        (status = 204, description = "Released"),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 409, description = "Not the holder", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn release(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiJson(input): ApiJson<LeaseInput>,
) -> ApiResult<Response> {
    app.leases().release(&ns, input).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
