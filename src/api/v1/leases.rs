//! Leases: `POST /v1/{ns}/lease/{acquire,renew,release}` with `{key, owner, ttl, token?}`, and the
//! fencing check for writes that carry `If-Resource: <key>` and `If-Fence: <token>`.
//!
//! The token is the seq of the commit that granted the lease, so tokens only grow; a write
//! fenced with a token that is not the current holder's (released, lapsed or taken over) is
//! refused with 409.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::openapi::{ErrorBody, NsPath};
use crate::objects::validate_ns;
use crate::store::state::State as EngineState;
use crate::store::{LeaseOp, Op, Rejection};
use crate::time::format_ts;

/// Longest lease, in seconds.
const MAX_TTL_S: u64 = 7 * 24 * 3600;

/// The body of every lease call.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LeaseInput {
    /// The lease's name in the namespace (1 to 256 printable characters).
    #[schema(min_length = 1, max_length = 256)]
    key: String,
    /// Who holds or wants it (1 to 256 printable characters).
    #[schema(min_length = 1, max_length = 256)]
    owner: String,
    /// Seconds (acquire and renew), at most 7 days.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 604_800)]
    ttl: Option<u64>,
    /// The token acquire returned (renew and release).
    #[serde(default)]
    token: Option<u64>,
}

/// A granted lease.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct LeaseOut {
    /// The fencing token: the seq of the commit that granted the lease.
    token: u64,
    /// When it lapses unless renewed, RFC 3339.
    expires_at: String,
    /// The holder.
    owner: String,
    /// The lease's name.
    key: String,
}

fn check(ns: &str, input: &LeaseInput, needs_ttl: bool, needs_token: bool) -> ApiResult<()> {
    validate_ns(ns)?;
    for (what, v) in [("key", &input.key), ("owner", &input.owner)] {
        if v.is_empty() || v.len() > 256 || v.chars().any(char::is_control) {
            return Err(ApiError::bad_request(format!(
                "{what} must be 1 to 256 printable characters"
            )));
        }
    }
    if needs_ttl && !matches!(input.ttl, Some(1..=MAX_TTL_S)) {
        return Err(ApiError::bad_request(format!(
            "ttl must be between 1 and {MAX_TTL_S} seconds"
        )));
    }
    if needs_token && input.token.is_none() {
        return Err(ApiError::bad_request("token is required"));
    }
    Ok(())
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn answer(app: &AppState, ns: &str, key: &str) -> ApiResult<Json<LeaseOut>> {
    let view = app.engine().view();
    let l = view
        .leases
        .get(ns, key)
        .ok_or_else(|| ApiError::internal(&"lease vanished"))?;
    Ok(Json(LeaseOut {
        token: l.token,
        expires_at: format_ts(l.expires_at),
        owner: l.owner.to_string(),
        key: key.to_string(),
    }))
}

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
    check(&ns, &input, true, false)?;
    let ttl_ms = input.ttl.unwrap_or(1) * 1000;
    let (ns2, key, owner) = (ns.clone(), input.key.clone(), input.owner.clone());
    let now = now_ms();
    app.engine()
        .commit(move |s| {
            if let Some(l) = s.leases.get(&ns2, &key)
                && *l.owner != *owner
                && l.expires_at > now
            {
                return Err(Rejection::Conflict(format!(
                    "lease {key:?} is held by {:?} until {}",
                    l.owner,
                    format_ts(l.expires_at)
                )));
            }
            Ok((
                vec![Op::Lease(LeaseOp::Acquire {
                    ns: ns2.into(),
                    key: key.into(),
                    owner: owner.into(),
                    ttl_ms,
                })],
                (),
            ))
        })
        .await?;
    answer(&app, &ns, &input.key)
}

/// Refuses unless `owner` holds `key` with `token` (and, when `live`, the lease has not lapsed).
fn holder_check(
    s: &EngineState,
    ns: &str,
    key: &str,
    owner: &str,
    token: u64,
    live: bool,
    now: i64,
) -> Result<(), Rejection> {
    match s.leases.get(ns, key) {
        None => Err(Rejection::Conflict(format!("lease {key:?} is not held"))),
        Some(l) if *l.owner != *owner || l.token != token => Err(Rejection::Conflict(format!(
            "lease {key:?} is held by another owner or token"
        ))),
        Some(l) if live && l.expires_at <= now => {
            Err(Rejection::Conflict(format!("lease {key:?} has lapsed")))
        }
        Some(_) => Ok(()),
    }
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
    check(&ns, &input, true, true)?;
    let ttl_ms = input.ttl.unwrap_or(1) * 1000;
    let (ns2, key, owner, token) = (
        ns.clone(),
        input.key.clone(),
        input.owner.clone(),
        input.token.unwrap_or(0),
    );
    let now = now_ms();
    app.engine()
        .commit(move |s| {
            holder_check(s, &ns2, &key, &owner, token, true, now)?;
            Ok((
                vec![Op::Lease(LeaseOp::Renew {
                    ns: ns2.into(),
                    key: key.into(),
                    ttl_ms,
                })],
                (),
            ))
        })
        .await?;
    answer(&app, &ns, &input.key)
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
    check(&ns, &input, false, true)?;
    let (key, owner, token) = (
        input.key.clone(),
        input.owner.clone(),
        input.token.unwrap_or(0),
    );
    let now = now_ms();
    app.engine()
        .commit(move |s| {
            holder_check(s, &ns, &key, &owner, token, false, now)?;
            Ok((
                vec![Op::Lease(LeaseOp::Release {
                    ns: ns.into(),
                    key: key.into(),
                })],
                (),
            ))
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The fencing condition of a write: `If-Resource` names a lease of the namespace and
/// `If-Fence` its token.
#[derive(Debug, Clone)]
pub struct Fence {
    key: String,
    token: u64,
}

impl Fence {
    /// Reads the headers; both or neither must be present.
    ///
    /// # Errors
    /// One without the other, or a token that is not a number.
    pub fn from_headers(headers: &HeaderMap) -> ApiResult<Option<Fence>> {
        let get = |h: &str| {
            headers
                .get(h)
                .map(|v| v.to_str().unwrap_or_default().trim().to_string())
        };
        match (get("if-resource"), get("if-fence")) {
            (None, None) => Ok(None),
            (Some(key), Some(token)) => {
                let token = token.parse().map_err(|_| {
                    ApiError::bad_request(format!("If-Fence must be a lease token, got {token:?}"))
                })?;
                Ok(Some(Fence { key, token }))
            }
            _ => Err(ApiError::bad_request(
                "If-Resource and If-Fence go together",
            )),
        }
    }

    /// Refuses the write unless the lease is live and its token is this one.
    ///
    /// # Errors
    /// A 409 rejection naming the lease.
    pub fn check(&self, s: &EngineState, ns: &str, now: i64) -> Result<(), Rejection> {
        match s.leases.get(ns, &self.key) {
            Some(l) if l.token == self.token && l.expires_at > now => Ok(()),
            Some(l) if l.token > self.token => Err(Rejection::Conflict(format!(
                "stale fencing token {} for lease {:?} (current {})",
                self.token, self.key, l.token
            ))),
            _ => Err(Rejection::Conflict(format!(
                "fencing token {} for lease {:?} is not held",
                self.token, self.key
            ))),
        }
    }
}
