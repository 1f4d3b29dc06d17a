//! Encryption at rest: the [`EncryptionKey`], sealing of WAL record payloads and of snapshot
//! bodies with AES-256-GCM, and the check of a file's key id against the configured key.
//!
//! # What is sealed
//! - **WAL**: every record payload. A sealed payload is
//!   `format u8 = 2 | commit_seq u64 LE | ts_ms i64 LE | nonce (12) | ciphertext | tag (16)`,
//!   where the ciphertext is the postcard-encoded ops (the plaintext format 1 has the same
//!   17-byte prefix). The prefix stays readable, so the frame scan (torn tail vs corruption),
//!   seq continuity, `trim-wal` and `restore --to-time` work without decrypting; it is the AAD,
//!   so it cannot be altered, and since a seq is never issued twice a frame cannot be moved to
//!   another place of the log. The frame's CRC covers the sealed bytes: torn-tail detection and
//!   corruption reports are unchanged. The segment header's `key_id` names the key.
//! - **Snapshots**: the zstd stream (the body) is cut into chunks of at most
//!   [`chunks::CHUNK_LEN`] plaintext bytes, each stored as
//!   `len u32 LE (bit 31: final chunk) | nonce (12) | ciphertext | tag (16)` with the AAD
//!   `header (96 bytes) | chunk index u64 LE | final u8`. A chunk cannot move to another file or
//!   position, and a body cut after any chunk lacks its final chunk: truncation is detected even
//!   if the file's CRC were recomputed. The header's `key_id` names the key; the trailer CRC
//!   covers the bytes on disk. Memory stays at one chunk, whatever the snapshot size.
//!
//! Not sealed: file names, headers (seqs, times, object counts), frame and chunk lengths, and the
//! commit seq and time of each WAL record. Whole frames cut off the end of the log look like a
//! shorter log (as after a crash with durability `never`); frames removed elsewhere show as a seq
//! gap, and removed segments or snapshots as the gaps recovery already reports.
//!
//! # Nonces
//! A nonce is a random 64-bit prefix drawn from the OS when a [`record::RecordEncoder`] or a
//! snapshot writer is created, followed by a 32-bit counter; when the counter would wrap a new
//! prefix is drawn. A (key, nonce) pair thus repeats only if two of these draws collide
//! (probability about n²/2⁶⁵ for n writers), far below the usual bound for random nonces.
//!
//! # Key ids and mixed directories
//! A key's id is the first 4 bytes of `SHA-256("stmgr key id v1" | key)` (never 0); id 0 in a
//! header means plaintext. Files are read by their own header: plaintext files stay readable when
//! a key is configured (encryption can be enabled on an existing data directory), a sealed file
//! needs a configured key with its id ([`file_key`]), and a sealed file never holds a plaintext
//! record or the reverse. A [`Keyring`] holds the current key (sealing new files) and optionally a
//! previous one that only opens files: that is how a key is changed or encryption turned off
//! while files sealed with the old key remain. A wrong or missing key is [`StoreError::KeyMissing`] / [`StoreError::KeyMismatch`]
//! naming the file; a payload that fails to authenticate is [`StoreError::Corrupt`] with the file
//! and offset. Nothing here logs or prints key material; [`EncryptionKey`]'s `Debug` shows only
//! its id.

pub mod chunks;
mod key;
pub mod record;

use std::path::Path;

pub use key::{EncryptionKey, KeyError};

use crate::store::error::{Result, StoreError};

/// Bytes of an AES-GCM nonce.
pub const NONCE_LEN: usize = 12;
/// Bytes of an AES-GCM tag.
pub const TAG_LEN: usize = 16;

/// The keys of a data directory: the current one seals new files (none: they are written in
/// plaintext) and opens files sealed with it; a previous one only opens files (after a key
/// change, or after encryption was turned off, until no file needs it any more).
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    current: Option<EncryptionKey>,
    previous: Option<EncryptionKey>,
}

impl Keyring {
    /// A keyring with these keys.
    pub fn new(current: Option<EncryptionKey>, previous: Option<EncryptionKey>) -> Keyring {
        Keyring { current, previous }
    }

    /// Only `key` (or none), for reading and writing.
    pub fn single(key: Option<EncryptionKey>) -> Keyring {
        Keyring::new(key, None)
    }

    /// The key new files are sealed with.
    pub fn current(&self) -> Option<&EncryptionKey> {
        self.current.as_ref()
    }

    /// The id to write in a new file's header (0: plaintext).
    pub fn current_id(&self) -> u32 {
        self.current.as_ref().map_or(0, EncryptionKey::id)
    }

    /// The key with this id, if configured.
    pub fn find(&self, key_id: u32) -> Option<&EncryptionKey> {
        [&self.current, &self.previous]
            .into_iter()
            .flatten()
            .find(|k| k.id() == key_id)
    }

    /// The ids of the configured keys, current first.
    pub fn ids(&self) -> Vec<u32> {
        [&self.current, &self.previous]
            .into_iter()
            .flatten()
            .map(EncryptionKey::id)
            .collect()
    }
}

/// How the payloads of one file are to be read, from its header's key id.
#[derive(Debug, Clone, Copy)]
pub enum FileKey<'a> {
    /// The file is plaintext (key id 0).
    Plain,
    /// The file is sealed with this key.
    Sealed(&'a EncryptionKey),
}

/// Matches a file's header `key_id` with the configured keys.
///
/// # Errors
/// [`StoreError::KeyMissing`] or [`StoreError::KeyMismatch`] naming `path`.
pub fn file_key<'a>(key_id: u32, keys: &'a Keyring, path: &Path) -> Result<FileKey<'a>> {
    if key_id == 0 {
        return Ok(FileKey::Plain);
    }
    if let Some(k) = keys.find(key_id) {
        return Ok(FileKey::Sealed(k));
    }
    let configured = keys.ids();
    if configured.is_empty() {
        Err(StoreError::KeyMissing {
            path: path.to_path_buf(),
            key_id,
        })
    } else {
        Err(StoreError::KeyMismatch {
            path: path.to_path_buf(),
            key_id,
            configured,
        })
    }
}

/// A fresh nonce source: a random 64-bit prefix and a 32-bit counter (see the module docs).
#[derive(Debug)]
pub struct NonceSeq {
    prefix: [u8; 8],
    counter: u32,
}

impl NonceSeq {
    /// Draws a prefix from the OS random source.
    ///
    /// # Errors
    /// [`StoreError::Encryption`] when the OS has no randomness to give.
    pub fn new() -> Result<NonceSeq> {
        Ok(NonceSeq {
            prefix: random_prefix()?,
            counter: 0,
        })
    }

    /// The next nonce, never the same twice for this source.
    ///
    /// # Errors
    /// As [`NonceSeq::new`], when the counter wraps and a new prefix is drawn.
    pub fn next_nonce(&mut self) -> Result<[u8; NONCE_LEN]> {
        if self.counter == u32::MAX {
            self.prefix = random_prefix()?;
            self.counter = 0;
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..8].copy_from_slice(&self.prefix);
        nonce[8..].copy_from_slice(&self.counter.to_be_bytes());
        self.counter += 1;
        Ok(nonce)
    }
}

fn random_prefix() -> Result<[u8; 8]> {
    use aes_gcm::aead::Generate;
    <[u8; 8]>::try_generate()
        .map_err(|e| StoreError::Encryption(format!("the OS random source failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_do_not_repeat_and_wrap_to_a_new_prefix() {
        let mut n = NonceSeq::new().unwrap();
        let a = n.next_nonce().unwrap();
        let b = n.next_nonce().unwrap();
        assert_ne!(a, b);
        assert_eq!(a[..8], b[..8]);
        n.counter = u32::MAX;
        let c = n.next_nonce().unwrap();
        assert_ne!(c[..8], a[..8]);
        assert_eq!(c[8..], [0, 0, 0, 0]);
        assert_ne!(NonceSeq::new().unwrap().prefix, a[..8]);
    }

    #[test]
    fn file_key_names_the_file_and_both_ids() {
        let k = EncryptionKey::from_bytes(&[7u8; 32]);
        let other = EncryptionKey::from_bytes(&[8u8; 32]);
        let none = Keyring::default();
        let mine = Keyring::single(Some(k.clone()));
        let p = Path::new("wal/00000000000000000001.wal");
        assert!(matches!(file_key(0, &none, p), Ok(FileKey::Plain)));
        assert!(matches!(file_key(0, &mine, p), Ok(FileKey::Plain)));
        assert!(matches!(file_key(k.id(), &mine, p), Ok(FileKey::Sealed(_))));
        let missing = file_key(k.id(), &none, p).unwrap_err().to_string();
        assert!(missing.contains("00000000000000000001.wal"), "{missing}");
        assert!(missing.contains(&format!("{:08x}", k.id())), "{missing}");
        let wrong = file_key(k.id(), &Keyring::single(Some(other.clone())), p)
            .unwrap_err()
            .to_string();
        assert!(
            wrong.contains(&format!(
                "configured encryption key has id {:08x}",
                other.id()
            )),
            "{wrong}"
        );
        assert!(wrong.contains(&format!("key id {:08x}", k.id())), "{wrong}");
        // A previous key opens files but does not seal new ones.
        let rotated = Keyring::new(Some(other.clone()), Some(k.clone()));
        assert!(matches!(file_key(k.id(), &rotated, p), Ok(FileKey::Sealed(x)) if *x == k));
        assert_eq!(rotated.current_id(), other.id());
        let off = Keyring::new(None, Some(k.clone()));
        assert_eq!(off.current_id(), 0);
        assert!(matches!(file_key(k.id(), &off, p), Ok(FileKey::Sealed(_))));
        let third = EncryptionKey::from_bytes(&[9u8; 32]);
        let both = file_key(third.id(), &rotated, p).unwrap_err().to_string();
        assert!(
            both.contains(&format!(
                "configured encryption keys have ids {:08x}, {:08x}",
                other.id(),
                k.id()
            )),
            "{both}"
        );
    }
}
