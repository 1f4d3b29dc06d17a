//! Object routes: upsert (conditional on `If-Match: <commit_seq>`, fenced by `If-Resource` and
//! `If-Fence`, idempotent by `Idempotency-Key`), get (now, at a seq or at a time within the
//! history window), delete, list and query. Each handler reads the request into the objects
//! domain's terms, makes one call to [`crate::objects::Objects`] and renders its answer.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::api::openapi::{ErrorBody, NsPath, ObjectPath, WriteHeaders};
use crate::objects::query::QueryInput;
use crate::objects::{
    Conditions, Fence, ListOut, ObjectInput, ObjectOut, validate_id, validate_ns,
};

/// Reads `If-Match: <commit_seq>` (`0`: the object must not exist).
fn if_match(headers: &HeaderMap) -> ApiResult<Option<u64>> {
    let Some(v) = headers.get("if-match") else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or_default().trim().trim_matches('"');
    s.parse::<u64>()
        .map(Some)
        .map_err(|_| ApiError::bad_request(format!("If-Match must be a commit_seq, got {s:?}")))
}

/// Reads the fencing condition: `If-Resource` names a lease of the namespace and `If-Fence`
/// its token; both or neither.
fn fence(headers: &HeaderMap) -> ApiResult<Option<Fence>> {
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
            Ok(Some(Fence::new(key, token)))
        }
        _ => Err(ApiError::bad_request(
            "If-Resource and If-Fence go together",
        )),
    }
}

/// Creates or replaces an object.
#[utoipa::path(
    post,
    path = "/v1/{ns}/objects",
    tag = "objects",
    params(
        NsPath,
        WriteHeaders,
        ("Idempotency-Key" = Option<String>, Header,
         description = "A retry with the same key and body gets the first answer again (header \
                        `idempotent-replayed: true`); the same key with another body is 409"),
    ),
    request_body = ObjectInput,
    responses(
        (status = 200, description = "The object as stored", body = ObjectOut),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 409, description = "Idempotency key reused with another body, or a stale fence", body = ErrorBody),
        (status = 412, description = "`If-Match` does not match the current commit_seq", body = ErrorBody),
        (status = 413, description = "Body over the server's limit", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn upsert(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ObjectInput>,
) -> ApiResult<Response> {
    let cond = Conditions {
        if_match: if_match(&headers)?,
        fence: fence(&headers)?,
        idempotency_key: headers
            .get("idempotency-key")
            .map(|v| v.to_str().unwrap_or_default().to_string()),
    };
    let written = app.objects().put(&ns, input, cond).await?;
    let mut resp = Json(written.object).into_response();
    if written.replayed {
        resp.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct GetQuery {
    /// The version current at this time (RFC 3339), within the history window.
    at: Option<String>,
    /// The version current at this commit, within the history window.
    at_seq: Option<u64>,
}

/// Reads an object, now or as it was at a commit or time.
#[utoipa::path(
    get,
    path = "/v1/{ns}/objects/{id}",
    tag = "objects",
    params(ObjectPath, GetQuery),
    responses(
        (status = 200, description = "The object", body = ObjectOut),
        (status = 400, description = "Invalid namespace, id or query", body = ErrorBody),
        (status = 404, description = "No such object (at that point)", body = ErrorBody),
        (status = 410, description = "Before the history window", body = ErrorBody),
    )
)]
pub(super) async fn get_one(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<GetQuery>,
) -> ApiResult<Json<ObjectOut>> {
    Ok(Json(app.objects().get(
        &ns,
        &id,
        q.at_seq,
        q.at.as_deref(),
    )?))
}

/// Deletes an object.
#[utoipa::path(
    delete,
    path = "/v1/{ns}/objects/{id}",
    tag = "objects",
    params(ObjectPath, WriteHeaders),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Invalid namespace or id", body = ErrorBody),
        (status = 404, description = "No such object", body = ErrorBody),
        (status = 409, description = "Stale fence", body = ErrorBody),
        (status = 412, description = "`If-Match` does not match", body = ErrorBody),
    )
)]
pub(super) async fn delete(
    State(app): State<AppState>,
    ApiPath((ns, id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    // The path is checked before the headers, as it always was.
    validate_ns(&ns)?;
    validate_id(&id)?;
    let cond = Conditions {
        if_match: if_match(&headers)?,
        fence: fence(&headers)?,
        idempotency_key: None,
    };
    app.objects().delete(&ns, &id, cond).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    /// Only ids starting with this.
    prefix: Option<String>,
    /// Page size (1 to 10000, default 100).
    #[param(minimum = 1, maximum = 10_000)]
    limit: Option<usize>,
    /// Ids after this one (the `next_cursor` of the previous page).
    after: Option<String>,
}

/// Lists a namespace's objects in id order.
#[utoipa::path(
    get,
    path = "/v1/{ns}/objects",
    tag = "objects",
    params(NsPath, ListQuery),
    responses(
        (status = 200, description = "One page", body = ListOut),
        (status = 400, description = "Invalid namespace or query", body = ErrorBody),
    )
)]
pub(super) async fn list(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListOut>> {
    Ok(Json(app.objects().list(
        &ns,
        q.prefix.as_deref(),
        q.limit,
        q.after.as_deref(),
    )?))
}

/// Finds objects by tags and JSON-path equality, in id order.
#[utoipa::path(
    post,
    path = "/v1/{ns}/query",
    tag = "objects",
    params(NsPath),
    request_body = QueryInput,
    responses(
        (status = 200, description = "Matching objects; the next page's cursor in `x-next-cursor`",
         body = Vec<ObjectOut>,
         headers(("x-next-cursor" = String, description = "The `cursor` of the next page"))),
        (status = 400, description = "Invalid query", body = ErrorBody),
        (status = 415, description = "Body is not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn query(
    State(app): State<AppState>,
    ApiPath(ns): ApiPath<String>,
    ApiJson(q): ApiJson<QueryInput>,
) -> ApiResult<Response> {
    // A query on an invalid namespace is not evaluated (nor timed in query_planner_micros).
    validate_ns(&ns)?;
    let started = std::time::Instant::now();
    let page = app.objects().query(&ns, &q);
    app.metrics().query_evaluated(started.elapsed());
    let page = page?;
    let mut resp = Json(page.items).into_response();
    if let Some(c) = page
        .next_cursor
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        resp.headers_mut().insert("x-next-cursor", c);
    }
    Ok(resp)
}
