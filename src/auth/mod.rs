//! Capability tokens and the limits they carry (ARCHITECTURE §6): signing keys and rotation
//! (`keys`), the claims and what they grant (`claims`), the token format (`token`), token-bucket
//! rate limiting (`rate`) and secret values that never print (`secret`).
//!
//! This module is pure: it never prints, reads no environment and no clock except through
//! [`unix_now`]. Settings resolution builds the [`KeyRing`] (`crate::config`); the CLI mints and
//! inspects tokens offline; the HTTP layer verifies them and maps [`TokenError::code`] to 401
//! bodies, [`Denied::code`] to 403, [`Claims::region_allows`] to 451, `max_bytes` to 413 and
//! [`RateLimiter`] to 429.

mod claims;
mod keys;
mod rate;
mod secret;
mod token;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod token_tests;

pub use self::claims::{Claims, ClaimsError, Denied, Verb, ns_matches};
pub use self::keys::{
    BASE64_PREFIX, Key, KeyError, KeyRing, KeySlot, MAX_KID_LEN, generate_key, key_bytes,
    validate_kid,
};
pub use self::rate::{DEFAULT_MAX_KEYS, RateLimiter};
pub use self::secret::{SecretBytes, SecretString};
pub use self::token::{
    DEFAULT_LEEWAY, IssueError, MAX_TOKEN_LEN, Malformed, ParsedToken, TokenError, issue, parse,
    sign, unix_now, verify,
};
