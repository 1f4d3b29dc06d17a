//! What the v1 domains (objects, checkpoints, leases, garbage collection) refuse with: invalid
//! input, a missing object, an idempotency key reused for another request, a point before the
//! history window, or the engine's own refusal or failure. The API maps each to its status.

use crate::objects::Invalid;
use crate::store::StoreError;

/// An error of a v1 domain service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input fails validation (400).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Nothing there (404); the message says what.
    #[error("{0}")]
    NotFound(String),
    /// An `Idempotency-Key` already answered another request (409).
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyConflict,
    /// A version before the history window (410).
    #[error("{0}")]
    HistoryUnavailable(String),
    /// The engine refused the transaction or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::store::Rejection> for Error {
    fn from(r: crate::store::Rejection) -> Self {
        Error::Store(r.into())
    }
}

/// Results of the v1 domain services.
pub type Result<T, E = Error> = std::result::Result<T, E>;
