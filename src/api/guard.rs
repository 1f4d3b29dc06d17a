//! Admission of requests, before any handler runs: body size from `Content-Length` (413 without
//! reading the body), capability tokens (401 bad or missing, 451 region, 403 verb or namespace),
//! the Exosphere API key (`x-api-key`), and token-bucket rate limits per token and per namespace
//! (429 with `Retry-After`).
//!
//! Which verb a route needs is decided here from its matched path, so every route is guarded
//! by one table ([`required_verb`]): routes not listed need `admin`, so a new route is closed
//! until someone opens it. `/health`, `/openapi.json` and `/docs` are always open; `/metrics`
//! unless the server is told to guard it.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use crate::auth::{Claims, KeyRing, RateLimiter, SecretString, Verb};

/// The admission rules of a server.
#[derive(Debug)]
pub struct Guard {
    /// Capability-token keys; `None`: tokens are not accepted.
    pub keys: Option<KeyRing>,
    /// This server's region, for tokens pinned to one.
    pub region: Option<String>,
    /// The API key accepted in `x-api-key`.
    pub api_key: Option<SecretString>,
    /// Whether the API key also grants the whole v1 API (it always grants v0).
    pub api_key_grants_v1: bool,
    /// Requests per second per namespace, for every client together (`None`: unlimited).
    pub ns_max_qps: Option<f64>,
    /// Whether `/metrics` needs the `admin` verb.
    pub guard_metrics: bool,
    /// Clock-skew allowance for `exp` and `nbf`.
    pub leeway: Duration,
    /// Largest request body of the server.
    pub max_body: u64,
    /// Token buckets, keyed `t:<token id>` and `n:<namespace>`.
    pub limiter: RateLimiter,
}

impl Default for Guard {
    /// Open (no keys), no rate limits, the default token leeway.
    fn default() -> Self {
        Guard {
            keys: None,
            region: None,
            api_key: None,
            api_key_grants_v1: false,
            ns_max_qps: None,
            guard_metrics: false,
            leeway: crate::auth::DEFAULT_LEEWAY,
            max_body: u64::MAX,
            limiter: RateLimiter::default(),
        }
    }
}

impl Guard {
    /// Whether requests must authenticate (a key or an API key is configured).
    pub fn enabled(&self) -> bool {
        self.keys.is_some() || self.api_key.is_some()
    }
}

/// The verb a route needs, or `None` for an open route.
pub fn required_verb(method: &Method, path: &str, guard_metrics: bool) -> Option<Verb> {
    let get = *method == Method::GET;
    let verb = match path {
        "/health" | "/openapi.json" => return None,
        p if p == "/docs" || p.starts_with("/docs/") => return None,
        "/metrics" if !guard_metrics => return None,
        "/v1/{ns}/objects" if get => Verb::Get,
        "/v1/{ns}/objects" => Verb::Put,
        "/v1/{ns}/objects/{id}" if get => Verb::Get,
        "/v1/{ns}/objects/{id}" => Verb::Delete,
        "/v1/{ns}/query" => Verb::Query,
        "/v1/{ns}/watch" => Verb::Watch,
        p if p.starts_with("/v1/{ns}/lease/") => Verb::Lease,
        "/v1/{ns}/objects/{id}/checkpoints" if get => Verb::Get,
        "/v1/{ns}/objects/{id}/checkpoints" if *method == Method::POST => Verb::Put,
        "/v1/{ns}/objects/{id}/checkpoints" => Verb::Delete,
        "/v1/{ns}/objects/{id}/checkpoints/{name}" => Verb::Delete,
        "/v1/{ns}/objects/{id}/checkpoints/{name}/restore" => Verb::Put,
        "/v1/{ns}/objects/{id}/history" => Verb::Get,
        "/v1/flows" | "/v1/flows/{name}" | "/v1/flows/events" if get => Verb::Flows,
        p if p.starts_with("/v1/flows/{name}/") => Verb::Flows,
        // Deploy (`POST /v1/flows`) and remove (`DELETE /v1/flows/{name}`) fall to admin.
        // Namespace listings, statistics, admin routes and anything not listed.
        _ => Verb::Admin,
    };
    Some(verb)
}

fn refuse(app: &AppState, status: StatusCode, code: &'static str, message: String) -> ApiError {
    app.metrics().auth_refused(code);
    ApiError::new(status, code, message)
}

fn too_fast(app: &AppState, scope: &'static str, retry: Duration, what: &str) -> Response {
    app.metrics().rate_limited(scope);
    let secs = retry.as_secs_f64().ceil().max(1.0) as u64;
    let mut resp = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("{what}; retry in {secs} s"),
    )
    .into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

fn content_length(req: &Request) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The middleware (a route layer: it sees the matched path).
pub async fn admit(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let guard = app.guard();
    let declared = content_length(&req);
    if declared.is_some_and(|n| n > guard.max_body) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "request body of {} bytes is over the server's limit of {} bytes",
                declared.unwrap_or_default(),
                guard.max_body
            ),
        )
        .into_response();
    }
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("", |m| m.as_str());
    if path.starts_with("/v0/") {
        // The workflow API: the Exosphere API key (or a token granting `admin`).
        if guard.enabled()
            && let Err(refusal) = admit_v0(&app, guard, &req)
        {
            return refusal.into_response();
        }
        return next.run(req).await;
    }
    let Some(verb) = required_verb(req.method(), path, guard.guard_metrics) else {
        return next.run(req).await;
    };
    // An open server without namespace limits has nothing to check: skip the path parameters.
    if !guard.enabled() && guard.ns_max_qps.is_none() {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let ns = match <RawPathParams as axum::extract::FromRequestParts<()>>::from_request_parts(
        &mut parts,
        &(),
    )
    .await
    {
        Ok(params) => params
            .iter()
            .find(|(k, _)| *k == "ns")
            .map(|(_, v)| v.to_owned()),
        Err(e) => return ApiError::bad_request(e.body_text()).into_response(),
    };
    let mut req = Request::from_parts(parts, body);

    if guard.enabled() {
        match authorize(&app, guard, &req, verb, ns.as_deref()) {
            Err(refusal) => return refusal.into_response(),
            Ok(None) => {}
            Ok(Some(claims)) => {
                if let Some(limit) = claims.max_bytes {
                    if declared.is_some_and(|n| n > limit) {
                        return refuse(
                            &app,
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "too_large",
                            format!("request body is over the token's limit of {limit} bytes"),
                        )
                        .into_response();
                    }
                    // No length given (chunked): the body is cut off at the limit, and the
                    // handler's read fails with 413.
                    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
                    req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit)));
                }
                if let Some(qps) = claims.max_qps {
                    let key = format!("t:{}", token_id(&req, &claims));
                    if let Err(retry) = guard.limiter.check(&key, qps, Instant::now()) {
                        return too_fast(&app, "token", retry, "this token's max_qps is exceeded");
                    }
                }
                req.extensions_mut().insert(claims);
            }
        }
    }
    if let (Some(qps), Some(ns)) = (guard.ns_max_qps, &ns)
        && let Err(retry) = guard.limiter.check(&format!("n:{ns}"), qps, Instant::now())
    {
        return too_fast(
            &app,
            "namespace",
            retry,
            &format!("namespace {ns:?} is over its rate limit"),
        );
    }
    next.run(req).await
}

/// The workflow API's check: `x-api-key` equal to the configured API key, or a capability
/// token granting `admin`. Refusals read `{"detail": "Invalid API key"}` as the SDK expects.
fn admit_v0(app: &AppState, guard: &Guard, req: &Request) -> Result<(), ApiError> {
    let invalid = || {
        refuse(
            app,
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "Invalid API key".into(),
        )
    };
    if let Some(given) = req.headers().get("x-api-key") {
        return match &guard.api_key {
            Some(k) if k.matches(given.as_bytes()) => Ok(()),
            _ => Err(invalid()),
        };
    }
    if let (Some(keys), Some(token)) = (&guard.keys, bearer(req))
        && let Ok(claims) = crate::auth::verify(keys, token, crate::auth::unix_now(), guard.leeway)
        && claims.verbs.contains(&Verb::Admin)
        && claims.region_allows(guard.region.as_deref())
    {
        return Ok(());
    }
    Err(invalid())
}

/// The bucket key of a token: its `jti`, else its signature (unique per token).
fn token_id(req: &Request, claims: &Claims) -> String {
    if let Some(jti) = &claims.jti {
        return jti.clone();
    }
    bearer(req)
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or_default()
        .to_owned()
}

fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// `Ok(Some(claims))` for a good token, `Ok(None)` for a good API key, or the refusal.
fn authorize(
    app: &AppState,
    guard: &Guard,
    req: &Request,
    verb: Verb,
    ns: Option<&str>,
) -> Result<Option<Claims>, ApiError> {
    if let Some(given) = req.headers().get("x-api-key") {
        let ok = guard
            .api_key
            .as_ref()
            .is_some_and(|k| k.matches(given.as_bytes()));
        if !ok {
            return Err(refuse(
                app,
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "Invalid API key".into(),
            ));
        }
        if guard.api_key_grants_v1 {
            return Ok(None);
        }
        return Err(refuse(
            app,
            StatusCode::FORBIDDEN,
            "api_key_not_granted",
            "the API key grants the workflow API (v0) only; use a capability token".into(),
        ));
    }
    let Some(keys) = &guard.keys else {
        return Err(refuse(
            app,
            StatusCode::UNAUTHORIZED,
            "api_key_missing",
            "send the API key in the x-api-key header".into(),
        ));
    };
    let Some(token) = bearer(req) else {
        return Err(refuse(
            app,
            StatusCode::UNAUTHORIZED,
            "token_missing",
            "send a capability token: Authorization: Bearer <token>".into(),
        ));
    };
    let claims = crate::auth::verify(keys, token, crate::auth::unix_now(), guard.leeway)
        .map_err(|e| refuse(app, StatusCode::UNAUTHORIZED, e.code(), e.to_string()))?;
    if !claims.region_allows(guard.region.as_deref()) {
        return Err(refuse(
            app,
            StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS,
            "region_not_allowed",
            format!(
                "the token is pinned to region {:?}; this server is in {:?}",
                claims.region.as_deref().unwrap_or_default(),
                guard.region.as_deref().unwrap_or_default()
            ),
        ));
    }
    let granted = match ns {
        Some(ns) => claims
            .allows(verb, ns)
            .map_err(|d| (d.code(), format!("{d} ({} on {ns:?})", verb.as_str()))),
        None if claims.verbs.contains(&verb) => Ok(()),
        None => Err((
            "verb_not_granted",
            format!("the token does not grant {:?}", verb.as_str()),
        )),
    };
    granted.map_err(|(code, message)| refuse(app, StatusCode::FORBIDDEN, code, message))?;
    Ok(Some(claims))
}
