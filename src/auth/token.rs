//! The capability token format: [`parse`], [`verify`] and [`issue`], and [`TokenError`] with
//! its stable machine codes (the HTTP layer answers them as 401 bodies).
//!
//! A token is `kid.B64(claims JSON).B64(HMAC-SHA256(key, claims JSON))`, where `B64` is
//! URL-safe base64 without padding and the MAC covers the claims bytes exactly as sent (they
//! are never re-serialized before checking). This is AgentState's format: its tokens verify
//! here and ours there, given the same key (see `keys` for how keys are configured).
//!
//! Verification order: shape (at most [`MAX_TOKEN_LEN`] bytes, three parts, base64, a
//! 32-byte MAC), key id, MAC (constant-time, `hmac`'s `verify_slice`), claims, then time:
//! expired when `exp <= now - leeway`, not yet valid when `nbf > now + leeway`.
//! [`DEFAULT_LEEWAY`] (30 s) absorbs clock skew between the issuer and the server.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::claims::{Claims, ClaimsError};
use super::keys::{Key, KeyRing, KeySlot, validate_kid};

/// Longest token accepted (bytes). Longer input is refused before any decoding.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Clock-skew allowance for `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// Length of an HMAC-SHA256 tag.
const MAC_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// What is wrong with the shape of a token (all answer `token_malformed`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// Longer than [`MAX_TOKEN_LEN`].
    #[error("the token is {len} bytes long; the limit is 8192")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Not three parts separated by `.`.
    #[error("expected three parts separated by '.' (kid.claims.signature)")]
    Parts,
    /// The key id is empty or holds characters a key id cannot have.
    #[error("the key id is not valid")]
    Kid,
    /// The claims part is not URL-safe base64 without padding.
    #[error("the claims part is not URL-safe base64 without padding")]
    ClaimsEncoding,
    /// The signature part is not URL-safe base64 without padding.
    #[error("the signature part is not URL-safe base64 without padding")]
    SignatureEncoding,
    /// The signature is not 32 bytes (HMAC-SHA256).
    #[error("the signature is {len} bytes long; HMAC-SHA256 gives 32")]
    SignatureLength {
        /// Its length.
        len: usize,
    },
}

/// Why a token is refused (HTTP 401). [`TokenError::code`] gives the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No token at all (empty).
    #[error("no capability token was given")]
    Missing,
    /// The token is not `kid.claims.signature` in the right encoding.
    #[error("malformed token: {0}")]
    Malformed(Malformed),
    /// The signature checked, but the claims cannot be used.
    #[error("invalid token claims: {0}")]
    InvalidClaims(ClaimsError),
    /// No configured key has this id (never issued here, or its key was retired).
    #[error("unknown key id {kid:?}")]
    UnknownKid {
        /// The key id of the token.
        kid: String,
    },
    /// The signature does not match the claims under the key named by the token.
    #[error("bad signature")]
    BadSignature,
    /// `exp` has passed.
    #[error("the token expired at {exp} (unix seconds)")]
    Expired {
        /// The `exp` claim.
        exp: i64,
    },
    /// `nbf` is still ahead.
    #[error("the token is not valid before {nbf} (unix seconds)")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: i64,
    },
}

impl TokenError {
    /// The stable machine code for error bodies: `token_missing`, `token_malformed`,
    /// `token_invalid_claims`, `token_unknown_kid`, `token_bad_signature`, `token_expired` or
    /// `token_not_yet_valid`.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Missing => "token_missing",
            TokenError::Malformed(_) => "token_malformed",
            TokenError::InvalidClaims(_) => "token_invalid_claims",
            TokenError::UnknownKid { .. } => "token_unknown_kid",
            TokenError::BadSignature => "token_bad_signature",
            TokenError::Expired { .. } => "token_expired",
            TokenError::NotYetValid { .. } => "token_not_yet_valid",
        }
    }
}

impl From<Malformed> for TokenError {
    fn from(m: Malformed) -> Self {
        TokenError::Malformed(m)
    }
}

/// A token taken apart and its claims parsed, signature not checked (for `token inspect`).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedToken {
    kid: String,
    claims: Claims,
}

impl ParsedToken {
    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The claims, unverified.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

/// The three parts of a token, decoded.
struct Parts<'a> {
    kid: &'a str,
    claims_json: Vec<u8>,
    mac: Vec<u8>,
}

fn split(token: &str) -> Result<Parts<'_>, TokenError> {
    if token.is_empty() {
        return Err(TokenError::Missing);
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(Malformed::TooLong { len: token.len() }.into());
    }
    let mut it = token.split('.');
    let (Some(kid), Some(claims), Some(mac), None) = (it.next(), it.next(), it.next(), it.next())
    else {
        return Err(Malformed::Parts.into());
    };
    validate_kid(kid).map_err(|_| Malformed::Kid)?;
    let claims_json = URL_SAFE_NO_PAD
        .decode(claims)
        .map_err(|_| Malformed::ClaimsEncoding)?;
    let mac = URL_SAFE_NO_PAD
        .decode(mac)
        .map_err(|_| Malformed::SignatureEncoding)?;
    if mac.len() != MAC_LEN {
        return Err(Malformed::SignatureLength { len: mac.len() }.into());
    }
    Ok(Parts {
        kid,
        claims_json,
        mac,
    })
}

/// Takes a token apart and parses its claims without checking the signature or the time.
/// Never panics, whatever the input.
///
/// # Errors
/// [`TokenError::Missing`], [`TokenError::Malformed`] or [`TokenError::InvalidClaims`].
pub fn parse(token: &str) -> Result<ParsedToken, TokenError> {
    let parts = split(token)?;
    let claims = Claims::from_json(&parts.claims_json).map_err(TokenError::InvalidClaims)?;
    Ok(ParsedToken {
        kid: parts.kid.to_owned(),
        claims,
    })
}

/// Verifies a token against `keys` at `now` (unix seconds) and returns its claims.
///
/// # Errors
/// Any [`TokenError`], in the order given in the module documentation.
pub fn verify(
    keys: &KeyRing,
    token: &str,
    now: i64,
    leeway: Duration,
) -> Result<Claims, TokenError> {
    let parts = split(token)?;
    let Some((_, key)) = keys.find(parts.kid) else {
        return Err(TokenError::UnknownKid {
            kid: parts.kid.to_owned(),
        });
    };
    mac_for(key, &parts.claims_json)
        .verify_slice(&parts.mac)
        .map_err(|_| TokenError::BadSignature)?;
    let claims = Claims::from_json(&parts.claims_json).map_err(TokenError::InvalidClaims)?;
    let leeway = i64::try_from(leeway.as_secs()).unwrap_or(i64::MAX);
    if claims.exp <= now.saturating_sub(leeway) {
        return Err(TokenError::Expired { exp: claims.exp });
    }
    if let Some(nbf) = claims.nbf
        && nbf > now.saturating_add(leeway)
    {
        return Err(TokenError::NotYetValid { nbf });
    }
    Ok(claims)
}

/// Why a token cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// The key ring has no key in this slot (no next key staged).
    #[error("no {} key is configured", slot_name(*.0))]
    NoKey(KeySlot),
    /// The claims would not verify (`max_qps` not a positive number).
    #[error(transparent)]
    InvalidClaims(#[from] ClaimsError),
    /// The token would be longer than [`MAX_TOKEN_LEN`].
    #[error("the token would be {0} bytes long; the limit is 8192 (fewer or shorter namespaces)")]
    TooLong(usize),
}

fn slot_name(slot: KeySlot) -> &'static str {
    match slot {
        KeySlot::Active => "active",
        KeySlot::Next => "next",
    }
}

/// Mints a token for `claims`, signed with the key in slot `which`.
///
/// # Errors
/// [`IssueError`]: no key in that slot, claims that would not verify, a token too long.
pub fn issue(keys: &KeyRing, which: KeySlot, claims: &Claims) -> Result<String, IssueError> {
    let key = keys.slot(which).ok_or(IssueError::NoKey(which))?;
    if let Some(qps) = claims.max_qps
        && !(qps.is_finite() && qps > 0.0)
    {
        return Err(ClaimsError::MaxQps.into());
    }
    let token = sign(key, claims);
    if token.len() > MAX_TOKEN_LEN {
        return Err(IssueError::TooLong(token.len()));
    }
    Ok(token)
}

/// The token for `claims` signed with `key`, without any check.
pub fn sign(key: &Key, claims: &Claims) -> String {
    let json = claims.to_json();
    let tag = mac_for(key, &json).finalize().into_bytes();
    format!(
        "{}.{}.{}",
        key.id(),
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

fn mac_for(key: &Key, message: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length: new_from_slice cannot fail.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key.secret().expose())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(message);
    mac
}

/// The current time in unix seconds (0 before 1970).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
