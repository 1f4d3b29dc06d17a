//! Linearizable requests on a shared log (the PostgreSQL backend): before a request is
//! handled, the engine catches up with the log's head as of now ([`Engine::sync`]), so every
//! request sees every write acknowledged by any server before it began. The request header
//! `Stmgr-Consistency: serializable` skips the wait (etcd's serializable reads): the answer
//! then comes from this server's replica, which may be behind others by the time a
//! notification takes. Not installed on the embedded engine, where it would be a no-op.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::store::Engine;

/// The header that opts out of the wait.
pub const CONSISTENCY_HEADER: &str = "stmgr-consistency";

/// The middleware.
pub async fn barrier(State(engine): State<Engine>, req: Request, next: Next) -> Response {
    let serializable = req
        .headers()
        .get(CONSISTENCY_HEADER)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"serializable"));
    if !serializable && let Err(e) = engine.sync().await {
        return ApiError::from(e).into_response();
    }
    next.run(req).await
}
