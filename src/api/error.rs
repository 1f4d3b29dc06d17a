//! The API's error type: every error is a JSON body `{"error": code, "message": text,
//! "detail": text}` with a stable machine-readable code. Server-side failures are logged with
//! their cause and answered with a generic message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::objects::Invalid;
use crate::store::{Rejection, StoreError};

/// An error answered to a client.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code (`not_found`, `invalid_request`, ...).
    pub code: &'static str,
    /// Human message.
    pub message: String,
}

impl ApiError {
    /// Any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 `invalid_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500 with a generic message; the cause goes to the log.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }
}

impl ApiError {
    /// An admin operation on the engine's files failed: what a caller gets for a store error,
    /// except that a server-side failure (an I/O error, a snapshot that did not verify) carries
    /// its whole cause chain ("write …: No space left on device (os error 28)") instead of the
    /// generic message: admin callers are operators, and they need it. Logged at ERROR.
    pub fn storage(op: &str, e: StoreError) -> Self {
        match e {
            StoreError::Rejected(_)
            | StoreError::UnknownSnapshot(_)
            | StoreError::OutOfRange(_)
            | StoreError::Poisoned(_)
            | StoreError::Backend(_)
            | StoreError::BackendUnreachable(_)
            | StoreError::LogTrimmed { .. }
            | StoreError::OutcomeUnknown(_)
            | StoreError::Closed => ApiError::from(e),
            other => {
                let message = format!("{op} failed: {:#}", anyhow::Error::new(other));
                tracing::error!(error = %message, "admin operation failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage_error", message)
            }
        }
    }

    /// The JSON body: `{"error": code, "message": text, "detail": text}`.
    pub fn body(&self) -> serde_json::Value {
        json!({"error": self.code, "message": self.message, "detail": self.message})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        (self.status, Json(body)).into_response()
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::bad_request(e.0)
    }
}

impl From<crate::objects::Error> for ApiError {
    fn from(e: crate::objects::Error) -> Self {
        use crate::objects::Error;
        match e {
            Error::Invalid(e) => e.into(),
            Error::NotFound(m) => ApiError::not_found(m),
            Error::IdempotencyConflict => {
                ApiError::new(StatusCode::CONFLICT, "idempotency_conflict", e.to_string())
            }
            Error::HistoryUnavailable(m) => {
                ApiError::new(StatusCode::GONE, "history_unavailable", m)
            }
            Error::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rejected(Rejection::SeqMismatch { .. }) => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                e.to_string(),
            ),
            StoreError::Rejected(Rejection::NotFound { .. }) => ApiError::not_found(e.to_string()),
            StoreError::Rejected(Rejection::Missing(m)) => ApiError::not_found(m),
            StoreError::Rejected(Rejection::Unchanged) => {
                ApiError::new(StatusCode::CONFLICT, "unchanged", "nothing to change")
            }
            StoreError::Rejected(Rejection::Conflict(m)) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", m)
            }
            StoreError::Rejected(Rejection::Invalid(m)) => ApiError::bad_request(m),
            StoreError::Rejected(Rejection::Duplicate(m)) => {
                ApiError::new(StatusCode::CONFLICT, "duplicate", m)
            }
            StoreError::UnknownSnapshot(_) => ApiError::not_found(e.to_string()),
            StoreError::OutOfRange(m) => ApiError::new(StatusCode::GONE, "out_of_range", m),
            StoreError::Poisoned(_)
            | StoreError::Backend(_)
            | StoreError::BackendUnreachable(_)
            | StoreError::LogTrimmed { .. }
            | StoreError::OutcomeUnknown(_)
            | StoreError::Closed => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                e.to_string(),
            ),
            other => ApiError::internal(&other),
        }
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<crate::flow::FlowError> for ApiError {
    fn from(e: crate::flow::FlowError) -> Self {
        use crate::flow::FlowError;
        match e {
            FlowError::Manifest { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_manifest", e.to_string())
            }
            FlowError::Invalid(m) => ApiError::bad_request(m),
            FlowError::NotFound(_) | FlowError::NoReplica { .. } => {
                ApiError::not_found(e.to_string())
            }
            FlowError::Busy(_) => ApiError::new(StatusCode::CONFLICT, "busy", e.to_string()),
            FlowError::Closed => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                e.to_string(),
            ),
            FlowError::Store(e) => e.into(),
            FlowError::Supervisor(e) => ApiError::internal(&e),
            FlowError::Socket(crate::flow::socket::SocketError::Timeout { .. }) => {
                ApiError::new(StatusCode::GATEWAY_TIMEOUT, "socket_timeout", e.to_string())
            }
            FlowError::Socket(_) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "socket_error", e.to_string())
            }
        }
    }
}
