//! Signing keys for capability tokens: [`Key`] (an id and secret bytes), [`KeyRing`] (the active
//! key and an optional next key, for rotation), and how a configured key string becomes bytes.
//!
//! A configured value is used as its raw UTF-8 bytes, exactly as AgentState does
//! (`CAP_KEY_ACTIVE=dev-secret` signs with the 10 bytes `dev-secret`). A value starting with
//! `base64:` is decoded instead, so binary keys can be configured: the rest may use the
//! standard or the URL-safe alphabet, with or without padding. `stmgr keys generate` prints
//! keys in that form. An empty key (or one that decodes to nothing) is refused.
//!
//! Key ids are 1 to [`MAX_KID_LEN`] printable ASCII characters other than `.` (the token
//! separator). Keys never appear in `Debug` output or in errors.

use base64::Engine as _;
use base64::engine::general_purpose::{
    STANDARD_NO_PAD_INDIFFERENT, STANDARD_PAD_INDIFFERENT, URL_SAFE_NO_PAD_INDIFFERENT,
    URL_SAFE_PAD_INDIFFERENT,
};

use super::secret::SecretBytes;

/// Prefix of a configured key that is base64-encoded binary rather than raw text.
pub const BASE64_PREFIX: &str = "base64:";

/// Longest key id accepted (bytes).
pub const MAX_KID_LEN: usize = 128;

/// Why a configured key or key id is refused. Never contains the key itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is empty, or `base64:` followed by nothing.
    #[error("the key is empty")]
    Empty,
    /// The text after `base64:` is not base64.
    #[error("the text after \"base64:\" is not valid base64 (standard or URL-safe alphabet)")]
    Base64,
    /// The key id is empty, too long, or holds `.`, whitespace or non-ASCII characters.
    #[error(
        "invalid key id {0:?}: expected 1 to 128 printable ASCII characters without '.' or spaces"
    )]
    BadId(String),
    /// The active and the next key have the same id.
    #[error("the active and the next key both have the id {0:?}; give the next key a new id")]
    DuplicateId(String),
}

/// Checks a key id: 1 to [`MAX_KID_LEN`] printable ASCII characters, no `.`.
///
/// # Errors
/// [`KeyError::BadId`].
pub fn validate_kid(kid: &str) -> Result<(), KeyError> {
    let ok = !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid.bytes().all(|b| b.is_ascii_graphic() && b != b'.');
    if ok {
        Ok(())
    } else {
        Err(KeyError::BadId(kid.chars().take(MAX_KID_LEN).collect()))
    }
}

/// The bytes of a configured key: raw UTF-8, or base64-decoded after a `base64:` prefix.
///
/// # Errors
/// [`KeyError::Empty`] or [`KeyError::Base64`].
pub fn key_bytes(value: &str) -> Result<SecretBytes, KeyError> {
    let bytes = match value.strip_prefix(BASE64_PREFIX) {
        Some(encoded) => decode_any_base64(encoded.trim())?,
        None => value.as_bytes().to_vec(),
    };
    if bytes.is_empty() {
        return Err(KeyError::Empty);
    }
    Ok(SecretBytes::new(bytes))
}

fn decode_any_base64(encoded: &str) -> Result<Vec<u8>, KeyError> {
    [
        &STANDARD_PAD_INDIFFERENT,
        &URL_SAFE_PAD_INDIFFERENT,
        &STANDARD_NO_PAD_INDIFFERENT,
        &URL_SAFE_NO_PAD_INDIFFERENT,
    ]
    .iter()
    .find_map(|engine| engine.decode(encoded).ok())
    .ok_or(KeyError::Base64)
}

/// `n` random bytes from the operating system, as a configured key string
/// (`base64:` + standard base64 with padding).
///
/// # Errors
/// The operating system's random source failed.
pub fn generate_key(n: usize) -> Result<String, getrandom::Error> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)?;
    Ok(format!(
        "{BASE64_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    ))
}

/// One signing key: the id written at the front of tokens, and the secret bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    id: String,
    secret: SecretBytes,
}

impl Key {
    /// A key from an id and secret bytes.
    ///
    /// # Errors
    /// [`KeyError::BadId`] or [`KeyError::Empty`].
    pub fn new(id: impl Into<String>, secret: SecretBytes) -> Result<Key, KeyError> {
        let id = id.into();
        validate_kid(&id)?;
        if secret.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Key { id, secret })
    }

    /// A key from an id and a configured value (raw text or `base64:...`).
    ///
    /// # Errors
    /// As [`Key::new`] and [`key_bytes`].
    pub fn from_config(id: &str, value: &str) -> Result<Key, KeyError> {
        Key::new(id, key_bytes(value)?)
    }

    /// The key id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret bytes.
    pub fn secret(&self) -> &SecretBytes {
        &self.secret
    }
}

/// Which configured key signs a new token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeySlot {
    /// The active key (`CAP_KEY_ACTIVE`).
    Active,
    /// The next key (`CAP_KEY_NEXT`), staged for rotation.
    Next,
}

/// The keys a server accepts: the active one and, during a rotation, the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRing {
    active: Key,
    next: Option<Key>,
}

impl KeyRing {
    /// A ring of the active key and an optional next key.
    ///
    /// # Errors
    /// [`KeyError::DuplicateId`] when both keys have the same id.
    pub fn new(active: Key, next: Option<Key>) -> Result<KeyRing, KeyError> {
        if let Some(next) = &next
            && next.id == active.id
        {
            return Err(KeyError::DuplicateId(next.id.clone()));
        }
        Ok(KeyRing { active, next })
    }

    /// The active key.
    pub fn active(&self) -> &Key {
        &self.active
    }

    /// The next key, if one is staged.
    pub fn next(&self) -> Option<&Key> {
        self.next.as_ref()
    }

    /// The key in `slot`, if configured.
    pub fn slot(&self, slot: KeySlot) -> Option<&Key> {
        match slot {
            KeySlot::Active => Some(&self.active),
            KeySlot::Next => self.next.as_ref(),
        }
    }

    /// The key whose id is `kid`, and which slot holds it.
    pub fn find(&self, kid: &str) -> Option<(KeySlot, &Key)> {
        if self.active.id == kid {
            return Some((KeySlot::Active, &self.active));
        }
        self.next
            .as_ref()
            .filter(|next| next.id == kid)
            .map(|next| (KeySlot::Next, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_are_their_utf8_bytes() {
        assert_eq!(key_bytes("dev-secret").unwrap().expose(), b"dev-secret");
        // Not base64-decoded without the prefix, even when it looks like base64.
        assert_eq!(key_bytes("AAAA").unwrap().expose(), b"AAAA");
    }

    #[test]
    fn base64_prefix_accepts_both_alphabets_with_or_without_padding() {
        let want = [0xfbu8, 0xff, 0xbf, 0x01];
        for encoded in ["+/+/AQ==", "+/+/AQ", "-_-_AQ==", "-_-_AQ", " +/+/AQ== "] {
            let got = key_bytes(&format!("base64:{encoded}")).unwrap();
            assert_eq!(got.expose(), want, "{encoded}");
        }
    }

    #[test]
    fn empty_and_bad_keys_are_refused_without_showing_them() {
        assert_eq!(key_bytes(""), Err(KeyError::Empty));
        assert_eq!(key_bytes("base64:"), Err(KeyError::Empty));
        let err = key_bytes("base64:not base64 at all!").unwrap_err();
        assert_eq!(err, KeyError::Base64);
        assert!(!err.to_string().contains("not base64 at all"));
    }

    #[test]
    fn kids_are_printable_ascii_without_dots() {
        for good in ["active", "k-2024_01", "next:2", "A"] {
            validate_kid(good).unwrap();
        }
        for bad in ["", "a.b", "with space", "é", &"x".repeat(129)] {
            assert!(validate_kid(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_keys_decode_to_the_requested_length() {
        let key = generate_key(32).unwrap();
        assert!(key.starts_with("base64:"), "{key}");
        assert_eq!(key_bytes(&key).unwrap().len(), 32);
        assert_ne!(key, generate_key(32).unwrap());
    }

    #[test]
    fn ring_finds_keys_by_id_and_refuses_duplicate_ids() {
        let a = Key::from_config("k1", "one").unwrap();
        let b = Key::from_config("k2", "two").unwrap();
        let ring = KeyRing::new(a.clone(), Some(b.clone())).unwrap();
        assert_eq!(ring.find("k1"), Some((KeySlot::Active, &a)));
        assert_eq!(ring.find("k2"), Some((KeySlot::Next, &b)));
        assert_eq!(ring.find("k3"), None);
        assert_eq!(ring.slot(KeySlot::Next), Some(&b));
        let dup = Key::from_config("k1", "other").unwrap();
        assert_eq!(
            KeyRing::new(a, Some(dup)),
            Err(KeyError::DuplicateId("k1".into()))
        );
    }

    #[test]
    fn debug_of_a_ring_hides_the_keys() {
        let ring = KeyRing::new(Key::from_config("k1", "topsecret-value").unwrap(), None).unwrap();
        let shown = format!("{ring:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("k1"), "{shown}");
    }
}
