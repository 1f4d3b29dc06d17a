//! Secret values (signing keys, API keys) that never show up in `Debug` output or errors.
//!
//! Owns [`SecretBytes`] and [`SecretString`]. Their `Debug` prints `<redacted>`; they have no
//! `Display`; comparing a candidate with [`SecretString::matches`] takes the same time wherever
//! the first difference is.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Secret bytes: an HMAC key once decoded.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Wraps `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretBytes(bytes)
    }

    /// The bytes themselves: use them, never print them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A secret text value: the Exosphere API key (`STATE_MANAGER_SECRET`).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The text itself: use it, never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when `candidate` equals the secret. Both sides are hashed with SHA-256 first and the
    /// digests compared in constant time, so neither the content nor the length of the secret
    /// leaks through timing.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        let want = Sha256::digest(self.0.as_bytes());
        let got = Sha256::digest(candidate);
        want.as_slice().ct_eq(got.as_slice()).into()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let bytes = SecretBytes::new(b"hunter2-bytes".to_vec());
        let text = SecretString::new("hunter2-text");
        let shown = format!("{bytes:?} {text:?} {:?}", Some(&text));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn matches_compares_the_whole_value() {
        let key = SecretString::new("s3cret");
        assert!(key.matches(b"s3cret"));
        assert!(!key.matches(b"s3cre"));
        assert!(!key.matches(b"s3cret "));
        assert!(!key.matches(b""));
    }
}
