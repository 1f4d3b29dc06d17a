//! The leases domain: one holder per `(namespace, key)` at a time, acquired, renewed and
//! released by its owner, with a fencing token (the seq of the commit that granted it) that
//! only grows. Writes fenced with a token that is not the live holder's are refused by the
//! objects domain ([`crate::objects::Fence`]).
//!
//! [`Leases`] holds the rules; [`LeaseInput`] and [`LeaseOut`] are the wire shapes of
//! `POST /v1/{ns}/lease/{acquire,renew,release}`.

mod service;

use serde::{Deserialize, Serialize};

use crate::objects::{Invalid, validate_ns};

pub use service::Leases;

/// Longest lease, in seconds.
pub const MAX_TTL_S: u64 = 7 * 24 * 3600;

/// The body of every lease call.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaseInput {
    /// The lease's name in the namespace (1 to 256 printable characters).
    #[schema(min_length = 1, max_length = 256)]
    pub key: String,
    /// Who holds or wants it (1 to 256 printable characters).
    #[schema(min_length = 1, max_length = 256)]
    pub owner: String,
    /// Seconds (acquire and renew), at most 7 days.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 604_800)]
    pub ttl: Option<u64>,
    /// The token acquire returned (renew and release).
    #[serde(default)]
    pub token: Option<u64>,
}

/// A granted lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeaseOut {
    /// The fencing token: the seq of the commit that granted the lease.
    pub token: u64,
    /// When it lapses unless renewed, RFC 3339.
    pub expires_at: String,
    /// The holder.
    pub owner: String,
    /// The lease's name.
    pub key: String,
}

impl LeaseInput {
    /// Checks the input of a call on a lease of `ns`: names always, the ttl and the token when
    /// the call needs them.
    ///
    /// # Errors
    /// The first invalid field.
    fn check(&self, ns: &str, needs_ttl: bool, needs_token: bool) -> Result<(), Invalid> {
        validate_ns(ns)?;
        for (what, v) in [("key", &self.key), ("owner", &self.owner)] {
            if v.is_empty() || v.len() > 256 || v.chars().any(char::is_control) {
                return Err(Invalid(format!(
                    "{what} must be 1 to 256 printable characters"
                )));
            }
        }
        if needs_ttl && !matches!(self.ttl, Some(1..=MAX_TTL_S)) {
            return Err(Invalid(format!(
                "ttl must be between 1 and {MAX_TTL_S} seconds"
            )));
        }
        if needs_token && self.token.is_none() {
            return Err(Invalid("token is required".into()));
        }
        Ok(())
    }

    /// The ttl in ms (checked to be present where needed).
    fn ttl_ms(&self) -> u64 {
        self.ttl.unwrap_or(1) * 1000
    }
}
