//! Object routes: upsert (with conditional writes on `If-Match: <commit_seq>`), get (now, at a
//! seq or at a time within the history window), delete, list and query.

use std::ops::Bound;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::api::AppState;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::api::openapi::{ErrorBody, NsPath, ObjectPath, WriteHeaders};
use crate::api::v1::leases::Fence;
use crate::objects::query::{self, QueryInput};
use crate::objects::{ObjectInput, ObjectOut, validate_id, validate_idempotency_key, validate_ns};
use crate::store::state::idempotency::Remembered;
use crate::store::{DeleteReason, ObjectOp, Op, Rejection, StoreError};

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
    let expected = if_match(&headers)?;
    let fence = Fence::from_headers(&headers)?;
    let now = chrono::Utc::now().timestamp_millis();
    let idem = match headers.get("idempotency-key") {
        Some(v) => {
            let key = v.to_str().unwrap_or_default().to_string();
            validate_idempotency_key(&key)?;
            Some((key, input.fingerprint(&ns)))
        }
        None => None,
    };
    // A retry of a request already answered: the same answer, no new commit.
    if let Some((key, fp)) = &idem
        && let Some(r) = app.engine().view().idempotency.get(&ns, key)
    {
        return replay(&ns, r, fp);
    }
    let (id, op) = input.into_op(&ns)?;
    let Op::Object(ObjectOp::Put { data, .. }) = &op else {
        return Err(ApiError::internal(&"into_op returned a non-put op"));
    };
    let data = data.clone();
    let (ns2, id2, data2, idem2) = (ns.clone(), id.clone(), data.clone(), idem.clone());
    let result = app
        .engine()
        .commit(move |state| {
            if let Some(f) = &fence {
                f.check(state, &ns2, now)?;
            }
            if let Some(expected) = expected {
                let actual = state.objects.get(&ns2, &id2).map_or(0, |o| o.seq);
                if actual != expected {
                    return Err(Rejection::SeqMismatch {
                        ns: ns2.clone(),
                        id: id2.to_string(),
                        expected,
                        actual,
                    });
                }
            }
            let mut ops = vec![op];
            if let Some((key, fp)) = idem2 {
                if state.idempotency.get(&ns2, &key).is_some() {
                    return Err(Rejection::Duplicate(format!(
                        "Idempotency-Key {key:?} was used already"
                    )));
                }
                ops.push(Op::Object(ObjectOp::Remember {
                    ns: ns2.as_str().into(),
                    key: key.into(),
                    request: fp,
                    id: id2,
                    data: data2,
                }));
            }
            Ok((ops, ()))
        })
        .await;
    match result {
        Ok((info, ())) => {
            Ok(Json(ObjectOut::new(&ns, &id, info.seq, info.ts, &data)).into_response())
        }
        // A concurrent request with the same key committed first: answer as it was answered.
        Err(StoreError::Rejected(Rejection::Duplicate(_))) => {
            let (key, fp) = idem
                .as_ref()
                .ok_or_else(|| ApiError::internal(&"duplicate without a key"))?;
            let view = app.engine().view();
            let r = view
                .idempotency
                .get(&ns, key)
                .ok_or_else(|| ApiError::internal(&"remembered answer vanished"))?;
            replay(&ns, r, fp)
        }
        Err(e) => Err(e.into()),
    }
}

/// The remembered answer of an idempotent request, or 409 if the key came with another request.
fn replay(ns: &str, r: &Remembered, fingerprint: &[u8; 32]) -> ApiResult<Response> {
    if &r.request != fingerprint {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_conflict",
            "this Idempotency-Key was used with a different request",
        ));
    }
    let mut resp = Json(ObjectOut::new(ns, &r.id, r.seq, r.ts, &r.data)).into_response();
    resp.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
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
    validate_ns(&ns)?;
    validate_id(&id)?;
    let view = app.engine().view();
    let not_found = || ApiError::not_found("object not found");
    let (ns_key, id_key, entry) = view.objects.entry(&ns, &id).ok_or_else(not_found)?;
    let version = match (q.at_seq, &q.at) {
        (Some(_), Some(_)) => return Err(ApiError::bad_request("give at or at_seq, not both")),
        (Some(seq), None) => entry.at_seq(seq),
        (None, Some(at)) => {
            let t = crate::time::parse_ts(at).map_err(|e| {
                ApiError::bad_request(format!("at={at:?} is not an RFC 3339 time: {e}"))
            })?;
            entry.at_time(t)
        }
        (None, None) => Ok(Some(&entry.current)),
    }
    .map_err(|e| ApiError::new(StatusCode::GONE, "history_unavailable", e.to_string()))?;
    let v = version.ok_or_else(not_found)?;
    let data = v.data.as_ref().ok_or_else(not_found)?;
    Ok(Json(ObjectOut::new(ns_key, id_key, v.seq, v.ts, data)))
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
    validate_ns(&ns)?;
    validate_id(&id)?;
    let expected = if_match(&headers)?;
    let fence = Fence::from_headers(&headers)?;
    let now = chrono::Utc::now().timestamp_millis();
    app.engine()
        .commit(move |state| {
            if let Some(f) = &fence {
                f.check(state, &ns, now)?;
            }
            let actual = state.objects.get(&ns, &id).map(|o| o.seq);
            let Some(actual) = actual else {
                return Err(Rejection::NotFound { ns, id });
            };
            if let Some(expected) = expected.filter(|e| *e != actual) {
                return Err(Rejection::SeqMismatch {
                    ns,
                    id,
                    expected,
                    actual,
                });
            }
            Ok((
                vec![Op::Object(ObjectOp::Delete {
                    ns: ns.into(),
                    id: id.into(),
                    reason: DeleteReason::Deleted,
                })],
                (),
            ))
        })
        .await?;
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

/// One page of objects.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct ListOut {
    /// Objects in id order.
    objects: Vec<ObjectOut>,
    /// The `after` of the next page, if there may be more.
    next_cursor: Option<String>,
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
    validate_ns(&ns)?;
    let limit = q.limit.unwrap_or(query::DEFAULT_LIMIT);
    if limit == 0 || limit > query::MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {}",
            query::MAX_LIMIT
        )));
    }
    let view = app.engine().view();
    let prefix = q.prefix.unwrap_or_default();
    // Start at the prefix, or after the cursor when that is later.
    let start = match &q.after {
        Some(a) if a.as_str() >= prefix.as_str() => Bound::Excluded(a.as_str()),
        _ => Bound::Included(prefix.as_str()),
    };
    let mut objects = Vec::new();
    let mut next_cursor = None;
    for o in view.objects.range(&ns, start) {
        if !o.id.starts_with(prefix.as_str()) {
            break;
        }
        if objects.len() == limit {
            next_cursor = objects.last().map(|x: &ObjectOut| x.id.clone());
            break;
        }
        objects.push(ObjectOut::from(o));
    }
    Ok(Json(ListOut {
        objects,
        next_cursor,
    }))
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
    validate_ns(&ns)?;
    let view = app.engine().view();
    let started = std::time::Instant::now();
    let page = query::run(&view, &ns, &q);
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
