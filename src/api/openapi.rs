//! The OpenAPI 3.1 document and the Swagger UI.
//!
//! Routes are registered through `utoipa_axum::routes!` from their handlers' `#[utoipa::path]`
//! annotations, so a route and its documentation come from one place and cannot drift apart.
//! This module holds what is shared: the document's info and tags, the error body, the common
//! parameters, and the routes serving `/openapi.json` and the vendored Swagger UI at `/docs`.

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::OpenApi as Doc;
use utoipa::{OpenApi, ToSchema};

use super::AppState;

/// Where the Swagger UI is served.
pub const DOCS_PATH: &str = "/docs";
/// Where the document is served.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// The document's fixed parts; paths are added by the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "stmgr",
        description = "State manager for agent and workflow systems. Every error is a JSON body \
                       `{\"error\": code, \"message\": text, \"detail\": text}`.",
        license(name = "MIT OR Apache-2.0"),
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "objects", description = "Namespaced JSON objects (AgentState-compatible v1)"),
        (name = "watch", description = "Server-sent event streams of commits"),
        (name = "leases", description = "Leases with fencing tokens"),
        (name = "checkpoints", description = "Named checkpoints and per-object history"),
        (name = "flows", description = "Flows of supervised workers: deploy, status, start, stop, scale"),
        (name = "admin", description = "Snapshots, WAL trim, manifest, dump, garbage collection"),
        (name = "ops", description = "Health, metrics and this document"),
    )
)]
pub struct ApiDoc;

/// Every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code (`not_found`, `invalid_request`, `precondition_failed`, ...).
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
    /// The message again, for clients that read FastAPI-style `detail`.
    pub detail: String,
}

/// `/openapi.json` and the Swagger UI at `/docs`, over a finished document.
pub fn routes(doc: Doc) -> Router<AppState> {
    let doc = Arc::new(doc);
    let json = {
        let doc = doc.clone();
        get(move || {
            let doc = doc.clone();
            async move { axum::Json(doc) }
        })
    };
    Router::new().route(OPENAPI_PATH, json).merge(
        utoipa_swagger_ui::SwaggerUi::new(DOCS_PATH)
            .config(utoipa_swagger_ui::Config::from(OPENAPI_PATH).try_it_out_enabled(true)),
    )
}

/// Path parameters `{ns}` (documentation only; handlers extract a plain `String`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct NsPath {
    /// Namespace, e.g. `agent://demo` (URL-encoded in the path); at most 256 bytes.
    #[param(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f]+$"
    )]
    ns: String,
}

/// Path parameters `{ns}/…/{id}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ObjectPath {
    /// Namespace, e.g. `agent://demo` (URL-encoded in the path); at most 256 bytes.
    #[param(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f]+$"
    )]
    ns: String,
    /// Object id; at most 256 bytes, no `/`.
    #[param(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^/\x00-\x1f\x7f-\x9f]+$"
    )]
    id: String,
}

/// Path parameters `{ns}/objects/{id}/checkpoints/{name}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct CheckpointPath {
    /// Namespace, e.g. `agent://demo` (URL-encoded in the path); at most 256 bytes.
    #[param(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f]+$"
    )]
    ns: String,
    /// Object id; at most 256 bytes, no `/`.
    #[param(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^/\x00-\x1f\x7f-\x9f]+$"
    )]
    id: String,
    /// Checkpoint name; at most 256 bytes, no `/`.
    #[param(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^/\x00-\x1f\x7f-\x9f]+$"
    )]
    name: String,
}

/// Headers of writes that may be conditional or fenced.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct WriteHeaders {
    /// Write only if the object's current `commit_seq` is this (`0`: it must not exist); 412
    /// otherwise.
    #[param(rename = "If-Match")]
    if_match: Option<u64>,
    /// The key of a lease of this namespace the writer must hold; goes with `If-Fence`.
    #[param(rename = "If-Resource")]
    if_resource: Option<String>,
    /// The fencing token of that lease; 409 `conflict` when it is not the live holder's.
    #[param(rename = "If-Fence")]
    if_fence: Option<u64>,
}

/// Adds what every route shares to a finished document: 400 for bad path parameters or
/// bodies, 415 for a body that is not JSON and, on a `guarded` server, the security schemes
/// (bearer capability token, `x-api-key`), each guarded operation's requirement, and the
/// answers the guard may give before the handler runs (401, 403, 413, 429, 451).
pub fn add_security(doc: &mut Doc, guarded: bool) {
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
    };
    use utoipa::openapi::{RefOr, Response};

    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("stmgr capability token")
                .build(),
        ),
    );
    components.add_security_scheme(
        "api_key",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
    );
    let error = |description: &str| -> RefOr<Response> {
        Response::builder()
            .description(description)
            .content(
                "application/json",
                utoipa::openapi::Content::new(Some(RefOr::Ref(
                    utoipa::openapi::Ref::from_schema_name("ErrorBody"),
                ))),
            )
            .build()
            .into()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            (axum::http::Method::GET, &mut item.get),
            (axum::http::Method::PUT, &mut item.put),
            (axum::http::Method::POST, &mut item.post),
            (axum::http::Method::DELETE, &mut item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            // Every route with path parameters or a body checks them (400), and a JSON body
            // needs its content type (415).
            if path.contains('{') || op.request_body.is_some() {
                op.responses
                    .responses
                    .entry("400".to_string())
                    .or_insert_with(|| error("Invalid path parameters or body"));
            }
            if op.request_body.is_some() {
                op.responses
                    .responses
                    .entry("415".to_string())
                    .or_insert_with(|| error("The body is not `application/json`"));
            }
            // An open server (no keys, loopback only) documents no security.
            if !guarded {
                continue;
            }
            if path.starts_with("/v0/") {
                op.security = Some(vec![
                    SecurityRequirement::new("api_key", Vec::<String>::new()),
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                ]);
                op.responses
                    .responses
                    .entry("401".to_string())
                    .or_insert_with(|| error("Missing or wrong x-api-key (or token)"));
                continue;
            }
            if super::guard::required_verb(&method, path, false).is_none() {
                continue;
            }
            op.security = Some(vec![
                SecurityRequirement::new("bearer", Vec::<String>::new()),
                SecurityRequirement::new("api_key", Vec::<String>::new()),
            ]);
            let responses = &mut op.responses.responses;
            for (status, what) in [
                (
                    "401",
                    "Missing, malformed, expired or unknown token, or a wrong API key",
                ),
                ("403", "The token does not grant this verb or namespace"),
                ("413", "Body over the server's or the token's limit"),
                (
                    "429",
                    "Over the token's or the namespace's rate; see Retry-After",
                ),
                ("451", "The token is pinned to another region"),
            ] {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(what));
            }
        }
    }
}
