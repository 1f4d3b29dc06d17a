//! Fenced writes: an object write that names a lease of its namespace and that lease's token
//! goes through only while the token is the live holder's, so a writer that lost its lease
//! (released, lapsed or taken over) cannot overwrite its successor's work.

use crate::store::Rejection;
use crate::store::state::State;

/// The fencing condition of a write: a lease of the namespace and its token (the seq of the
/// commit that granted it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    key: String,
    token: u64,
}

impl Fence {
    /// The condition "lease `key` is held with `token`".
    pub fn new(key: impl Into<String>, token: u64) -> Self {
        Fence {
            key: key.into(),
            token,
        }
    }

    /// Refuses the write unless the lease is live at `now` and its token is this one.
    ///
    /// # Errors
    /// A conflict naming the lease: a stale token, or a lease not held.
    pub fn check(&self, s: &State, ns: &str, now: i64) -> Result<(), Rejection> {
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
