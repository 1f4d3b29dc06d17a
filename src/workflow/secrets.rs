//! Graph secrets at rest: AES-256-GCM under `SECRETS_ENCRYPTION_KEY` (32 bytes, URL-safe
//! base64, as upstream), each value stored as `urlsafe_b64(nonce ‖ ciphertext ‖ tag)` with a
//! random 96-bit nonce. Values are decrypted only to answer `GET state/{id}/secrets`.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};

const NONCE_LEN: usize = 12;

/// Why secrets cannot be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// The configured key is not 32 bytes of URL-safe base64.
    #[error("SECRETS_ENCRYPTION_KEY must be 32 bytes in URL-safe base64 (44 characters): {0}")]
    BadKey(String),
    /// A stored value does not decrypt under the configured key.
    #[error("secret {0:?} does not decrypt with the configured SECRETS_ENCRYPTION_KEY")]
    Undecryptable(String),
}

/// The key that seals graph secrets. `Debug` never shows it.
#[derive(Clone)]
pub struct SecretsKey(Aes256Gcm);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(<redacted>)")
    }
}

impl SecretsKey {
    /// Parses the configured value (URL-safe base64, padded or not; standard alphabet too).
    ///
    /// # Errors
    /// [`SecretsError::BadKey`] without the value.
    pub fn parse(value: &str) -> Result<SecretsKey, SecretsError> {
        let v = value.trim();
        let bytes = URL_SAFE
            .decode(v)
            .or_else(|_| URL_SAFE_NO_PAD.decode(v))
            .or_else(|_| base64::engine::general_purpose::STANDARD.decode(v))
            .map_err(|e| SecretsError::BadKey(e.to_string()))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| SecretsError::BadKey(format!("{} bytes", b.len())))?;
        Ok(SecretsKey(Aes256Gcm::new(&Key::<Aes256Gcm>::from(bytes))))
    }

    /// Seals one value.
    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        // The OS random source does not fail on Linux; a zero nonce would only repeat if it did.
        let _ = getrandom::fill(&mut nonce);
        let mut out = nonce.to_vec();
        match self.0.encrypt(&Nonce::from(nonce), plaintext.as_bytes()) {
            Ok(ct) => out.extend(ct),
            Err(_) => return String::new(),
        }
        URL_SAFE.encode(out)
    }

    /// Opens a value sealed by [`SecretsKey::seal`] (or by upstream with the same key).
    ///
    /// # Errors
    /// [`SecretsError::Undecryptable`] naming the secret.
    pub fn open(&self, name: &str, sealed: &str) -> Result<String, SecretsError> {
        let bad = || SecretsError::Undecryptable(name.to_string());
        let raw = URL_SAFE.decode(sealed).map_err(|_| bad())?;
        if raw.len() < NONCE_LEN + 16 {
            return Err(bad());
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| bad())?;
        let pt = self.0.decrypt(&nonce, ct).map_err(|_| bad())?;
        String::from_utf8(pt).map_err(|_| bad())
    }

    /// A new random key in the configured form.
    pub fn generate() -> String {
        let mut k = [0u8; 32];
        let _ = getrandom::fill(&mut k);
        URL_SAFE.encode(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_wrong_key() {
        let k = SecretsKey::parse(&SecretsKey::generate()).unwrap();
        let sealed = k.seal("s3cr3t");
        assert!(!sealed.contains("s3cr3t"));
        assert_eq!(k.open("t", &sealed).unwrap(), "s3cr3t");
        assert_ne!(k.seal("s3cr3t"), sealed, "a fresh nonce each time");
        let other = SecretsKey::parse(&SecretsKey::generate()).unwrap();
        assert_eq!(
            other.open("t", &sealed),
            Err(SecretsError::Undecryptable("t".into()))
        );
        assert!(SecretsKey::parse("c2hvcnQ=").is_err());
        assert!(!format!("{k:?}").contains(&sealed));
    }
}
