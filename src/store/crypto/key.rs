//! [`EncryptionKey`]: 32 bytes parsed from a configuration value, its id, and a `Debug` that
//! never shows it.

use std::fmt;
use std::sync::Arc;

use aes_gcm::aead::KeyInit;
use aes_gcm::{Aes256Gcm, Key};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// Bytes of a key.
pub const KEY_LEN: usize = 32;
const ID_CONTEXT: &[u8] = b"stmgr key id v1";

/// An AES-256-GCM key with its id. Cheap to clone; the key bytes are not kept (only the
/// expanded cipher, zeroed on drop), and neither `Debug` nor any error shows them.
#[derive(Clone)]
pub struct EncryptionKey(Arc<Inner>);

struct Inner {
    cipher: Aes256Gcm,
    id: u32,
}

/// Why a configuration value is not a key. Never contains the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

impl EncryptionKey {
    /// The key made of these bytes.
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> EncryptionKey {
        let digest = Sha256::new()
            .chain_update(ID_CONTEXT)
            .chain_update(bytes)
            .finalize();
        let id = u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]).max(1);
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(*bytes));
        EncryptionKey(Arc::new(Inner { cipher, id }))
    }

    /// Parses a configured value: a `base64:` prefix followed by base64; exactly 32 raw bytes;
    /// or base64 (standard or URL-safe alphabet, padded or not) of 32 bytes. Whitespace around
    /// a base64 value (a trailing newline in a key file) is ignored.
    ///
    /// # Errors
    /// [`KeyError`] saying what was expected (never repeating the value).
    pub fn parse(value: &[u8]) -> Result<EncryptionKey, KeyError> {
        const EXPECTED: &str = "expected 32 raw bytes or the base64 encoding of 32 bytes \
                                (generate one with `head -c 32 /dev/urandom | base64`)";
        let (text, prefixed) = match value.strip_prefix(b"base64:") {
            Some(rest) => (rest, true),
            None if value.len() == KEY_LEN => {
                let mut bytes = [0u8; KEY_LEN];
                bytes.copy_from_slice(value);
                let key = EncryptionKey::from_bytes(&bytes);
                bytes.zeroize();
                return Ok(key);
            }
            None => (value, false),
        };
        let text = text.trim_ascii();
        if text.is_empty() {
            return Err(KeyError(format!("the value is empty; {EXPECTED}")));
        }
        let engine = if text.iter().any(|b| *b == b'-' || *b == b'_') {
            &URL_SAFE_PAD_INDIFFERENT
        } else {
            &STANDARD_PAD_INDIFFERENT
        };
        let mut decoded = match engine.decode(text) {
            Ok(d) => d,
            Err(_) if prefixed => {
                return Err(KeyError(format!(
                    "the text after `base64:` is not valid base64; {EXPECTED}"
                )));
            }
            Err(_) => {
                return Err(KeyError(format!(
                    "the value has {} bytes and is not valid base64; {EXPECTED}",
                    value.len()
                )));
            }
        };
        if decoded.len() != KEY_LEN {
            let n = decoded.len();
            decoded.zeroize();
            return Err(KeyError(format!(
                "the value decodes from base64 to {n} bytes; {EXPECTED}"
            )));
        }
        let mut bytes = [0u8; KEY_LEN];
        bytes.copy_from_slice(&decoded);
        decoded.zeroize();
        let key = EncryptionKey::from_bytes(&bytes);
        bytes.zeroize();
        Ok(key)
    }

    /// The key's id, as written in file headers (never 0).
    pub fn id(&self) -> u32 {
        self.0.id
    }

    /// The cipher.
    pub(crate) fn cipher(&self) -> &Aes256Gcm {
        &self.0.cipher
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EncryptionKey {{ id: {:08x}, .. }}", self.0.id)
    }
}

impl PartialEq for EncryptionKey {
    /// Keys are equal when their ids are (4 bytes of a hash of the key).
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: [u8; 32] = *b"0123456789abcdef0123456789ABCDEF";

    #[test]
    fn raw_and_every_base64_form_give_the_same_key() {
        let id = EncryptionKey::from_bytes(&RAW).id();
        assert_ne!(id, 0);
        let std = base64::engine::general_purpose::STANDARD.encode(RAW);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(RAW);
        for v in [
            RAW.to_vec(),
            std.clone().into_bytes(),
            std.trim_end_matches('=').as_bytes().to_vec(),
            format!("{std}\n").into_bytes(),
            url.into_bytes(),
            format!("base64:{std}").into_bytes(),
        ] {
            assert_eq!(EncryptionKey::parse(&v).unwrap().id(), id);
        }
        // Binary keys with bytes that are not UTF-8.
        let bin = [0xffu8; 32];
        assert_eq!(
            EncryptionKey::parse(&bin).unwrap().id(),
            EncryptionKey::from_bytes(&bin).id()
        );
    }

    #[test]
    fn url_safe_alphabet_is_recognised() {
        let bytes = [0xfbu8; 32]; // encodes with '+' / '-' and '/' / '_'
        let url = base64::engine::general_purpose::URL_SAFE.encode(bytes);
        assert!(url.contains('-') || url.contains('_'));
        assert_eq!(
            EncryptionKey::parse(url.as_bytes()).unwrap().id(),
            EncryptionKey::from_bytes(&bytes).id()
        );
    }

    #[test]
    fn wrong_lengths_and_garbage_are_refused_without_echoing_the_value() {
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
        for v in [
            b"too short".to_vec(),
            short.clone().into_bytes(),
            b"base64:!!!".to_vec(),
            b"".to_vec(),
            b"secret-secret-secret-secret-secret-secret!".to_vec(),
        ] {
            let e = EncryptionKey::parse(&v).unwrap_err().to_string();
            assert!(e.contains("expected 32 raw bytes"), "{e}");
            assert!(!e.contains("secret") && !e.contains(&short), "{e}");
        }
        assert!(
            EncryptionKey::parse(short.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("16 bytes")
        );
    }

    #[test]
    fn debug_shows_only_the_id() {
        let k = EncryptionKey::from_bytes(&RAW);
        let d = format!("{k:?}");
        assert_eq!(d, format!("EncryptionKey {{ id: {:08x}, .. }}", k.id()));
        assert!(!d.contains("0123"));
        assert_ne!(k, EncryptionKey::from_bytes(&[0u8; 32]));
    }
}
