//! The layers around a whole app (tower-http's): request ids and the tracing span every log
//! line of a request is written in, and CORS for browser clients.
//!
//! Request ids: a request's `x-request-id` is kept when it is 1 to 128 visible ASCII characters
//! (anything else is replaced), a UUID is made up when it has none, and the id is echoed in the
//! response. The request runs in a `request` span with `request_id`, `method` and `path`, so
//! every event logged while handling it carries them, and its end is logged at INFO (`-v`)
//! with the status and latency. The span is at ERROR level, so that a filter showing only
//! warnings and errors (the default) still shows the id on the lines it lets through.
//!
//! CORS is off unless origins are configured ([`CorsOrigins`]): then preflight requests are
//! answered (before authentication: a preflight carries no credentials) and responses to the
//! listed origins allow the API's methods and headers. Credentials are not allowed (tokens go
//! in `Authorization`, which the browser sends when the page sets it; no cookies are used).

use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id kept as the client sent it.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// `router` with request ids (kept or made up, echoed) and a tracing span per request.
pub fn with_request_ids(router: Router) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::map_request(drop_unusable_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_request(())
                    .on_response(DefaultOnResponse::new().level(Level::INFO))
                    .on_failure(()),
            ),
    )
}

/// Removes an `x-request-id` that is empty, too long or not visible ASCII (it would end up in
/// every log line of the request), so that one is made up instead.
async fn drop_unusable_request_id(mut req: Request) -> Request {
    let usable = req.headers().get(&REQUEST_ID).is_none_or(|v| {
        let b = v.as_bytes();
        (1..=MAX_REQUEST_ID_LEN).contains(&b.len()) && b.iter().all(|c| c.is_ascii_graphic())
    });
    if !usable {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

fn request_span(req: &Request) -> tracing::Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::error_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
    )
}

/// The origins allowed to call the API from a browser (`--cors-origins`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// `*`: any origin.
    Any,
    /// These origins, exactly (`scheme://host[:port]`).
    List(Vec<HeaderValue>),
}

impl CorsOrigins {
    /// Parses a comma-separated list of origins, or `*`. An empty list is `None` (CORS off).
    ///
    /// # Errors
    /// An entry that is not an origin as a browser sends it (`https://app.example.com`, no
    /// path, no trailing slash, lowercase host), or `*` together with origins.
    pub fn parse(text: &str) -> Result<Option<CorsOrigins>, String> {
        let entries: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() {
            return Ok(None);
        }
        if entries.contains(&"*") {
            return if entries.len() == 1 {
                Ok(Some(CorsOrigins::Any))
            } else {
                Err("`*` allows every origin: give it alone".into())
            };
        }
        let mut origins = Vec::new();
        for entry in entries {
            let url = reqwest::Url::parse(entry)
                .map_err(|e| format!("{entry:?} is not an origin ({e})"))?;
            let origin = url.origin().ascii_serialization();
            if !matches!(url.scheme(), "http" | "https") || origin != entry {
                let hint = if matches!(url.scheme(), "http" | "https") {
                    format!("; did you mean {origin}?")
                } else {
                    String::new()
                };
                return Err(format!(
                    "{entry:?} is not an origin as browsers send it (scheme://host[:port], no \
                     path){hint}"
                ));
            }
            let value = HeaderValue::from_str(entry).map_err(|e| format!("{entry:?}: {e}"))?;
            if !origins.contains(&value) {
                origins.push(value);
            }
        }
        Ok(Some(CorsOrigins::List(origins)))
    }

    /// The CORS layer for these origins.
    pub fn layer(&self) -> CorsLayer {
        let allow = match self {
            CorsOrigins::Any => AllowOrigin::any(),
            CorsOrigins::List(list) => AllowOrigin::list(list.iter().cloned()),
        };
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                HeaderName::from_static("x-api-key"),
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("last-event-id"),
                REQUEST_ID,
            ])
            .expose_headers([
                REQUEST_ID,
                header::RETRY_AFTER,
                HeaderName::from_static("idempotent-replayed"),
            ])
            .max_age(PREFLIGHT_MAX_AGE)
    }

    /// What the server's start-up line says.
    pub fn describe(&self) -> String {
        match self {
            CorsOrigins::Any => "any origin (*)".into(),
            CorsOrigins::List(list) => list
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_as_browsers_send_them() {
        assert_eq!(CorsOrigins::parse(""), Ok(None));
        assert_eq!(CorsOrigins::parse(" , "), Ok(None));
        assert_eq!(CorsOrigins::parse("*"), Ok(Some(CorsOrigins::Any)));
        assert_eq!(
            CorsOrigins::parse(
                "https://a.example.com, http://localhost:3000,https://a.example.com"
            ),
            Ok(Some(CorsOrigins::List(vec![
                HeaderValue::from_static("https://a.example.com"),
                HeaderValue::from_static("http://localhost:3000"),
            ])))
        );
        for bad in [
            "https://a.example.com/",
            "https://a.example.com/app",
            "https://A.example.com",
            "a.example.com",
            "ftp://a.example.com",
            "*,https://a.example.com",
            "https://a.example.com:443",
        ] {
            assert!(CorsOrigins::parse(bad).is_err(), "{bad}");
        }
        let err = CorsOrigins::parse("https://a.example.com/").unwrap_err();
        assert!(err.contains("did you mean https://a.example.com?"), "{err}");
    }
}
