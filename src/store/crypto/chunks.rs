//! Sealed snapshot bodies: a [`SealWriter`] that cuts a byte stream into sealed chunks and an
//! [`OpenReader`] that authenticates and opens them in order (layout in the parent module).
//!
//! Errors of the reader are `io::Error`s of kind `InvalidData` wrapping a [`ChunkError`] (they
//! travel through the zstd decoder), which carries the offset of the bad chunk in the file.

use std::io::{self, Read, Write};

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Nonce, Tag};

use super::{EncryptionKey, NONCE_LEN, NonceSeq, TAG_LEN};
use crate::store::error::Result;

/// Plaintext bytes per chunk (the last one may be shorter, even empty).
pub const CHUNK_LEN: usize = 1 << 20;
const FINAL: u32 = 1 << 31;
const CHUNK_HEADER_LEN: usize = 4 + NONCE_LEN;

/// A chunk that is missing, malformed or does not authenticate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ChunkError {
    /// Offset of the chunk in the file.
    pub offset: u64,
    /// What is wrong.
    pub reason: String,
}

fn chunk_error(offset: u64, reason: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, ChunkError { offset, reason })
}

/// The [`ChunkError`] inside an I/O error, if it is one.
pub fn chunk_error_of(e: &io::Error) -> Option<&ChunkError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<ChunkError>())
}

fn aad(header: &[u8], index: u64, last: bool) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + 9);
    aad.extend_from_slice(header);
    aad.extend_from_slice(&index.to_le_bytes());
    aad.push(u8::from(last));
    aad
}

/// Seals what is written to it into chunks written to `inner`; call [`SealWriter::finish`].
pub struct SealWriter<W: Write> {
    inner: W,
    key: EncryptionKey,
    header: Vec<u8>,
    nonces: NonceSeq,
    buf: Vec<u8>,
    index: u64,
}

impl<W: Write> SealWriter<W> {
    /// A writer whose chunks are bound to the file `header` (written before the body).
    ///
    /// # Errors
    /// [`crate::store::StoreError::Encryption`] when no random nonce prefix can be drawn.
    pub fn new(inner: W, key: &EncryptionKey, header: &[u8]) -> Result<SealWriter<W>> {
        Ok(SealWriter {
            inner,
            key: key.clone(),
            header: header.to_vec(),
            nonces: NonceSeq::new()?,
            buf: Vec::with_capacity(CHUNK_LEN + TAG_LEN),
            index: 0,
        })
    }

    fn seal(&mut self, last: bool) -> io::Result<()> {
        let nonce = self.nonces.next_nonce().map_err(io::Error::other)?;
        let len = self.buf.len() as u32;
        let tag = self
            .key
            .cipher()
            .encrypt_inout_detached(
                &Nonce::from(nonce),
                &aad(&self.header, self.index, last),
                self.buf.as_mut_slice().into(),
            )
            .map_err(|_| io::Error::other("chunk too large to encrypt"))?;
        let flags = if last { len | FINAL } else { len };
        self.inner.write_all(&flags.to_le_bytes())?;
        self.inner.write_all(&nonce)?;
        self.buf.extend_from_slice(&tag);
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.index += 1;
        Ok(())
    }

    /// Seals the final chunk (possibly empty) and returns the inner writer.
    ///
    /// # Errors
    /// Write errors of the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.seal(true)?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is sealed only once more data follows, so the final one is always
        // the one `finish` seals.
        if self.buf.len() == CHUNK_LEN {
            self.seal(false)?;
        }
        let n = data.len().min(CHUNK_LEN - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads the chunks of a sealed body from `inner` (positioned at the body, which starts at
/// file offset `body_offset`) and yields the plaintext.
pub struct OpenReader<R: Read> {
    inner: R,
    key: EncryptionKey,
    header: Vec<u8>,
    buf: Vec<u8>,
    pos: usize,
    index: u64,
    offset: u64,
    done: bool,
}

impl<R: Read> OpenReader<R> {
    /// A reader for the body of the file with `header`.
    pub fn new(inner: R, key: &EncryptionKey, header: &[u8], body_offset: u64) -> OpenReader<R> {
        OpenReader {
            inner,
            key: key.clone(),
            header: header.to_vec(),
            buf: Vec::new(),
            pos: 0,
            index: 0,
            offset: body_offset,
            done: false,
        }
    }

    /// Reads and opens the next chunk into `buf`.
    fn next_chunk(&mut self) -> io::Result<()> {
        let at = self.offset;
        let mut head = [0u8; CHUNK_HEADER_LEN];
        let got = read_full(&mut self.inner, &mut head)?;
        if got < head.len() {
            return Err(chunk_error(
                at,
                format!(
                    "the encrypted body ends after {} chunks without its final chunk (truncated)",
                    self.index
                ),
            ));
        }
        let flags = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let last = flags & FINAL != 0;
        let len = (flags & !FINAL) as usize;
        if len > CHUNK_LEN {
            return Err(chunk_error(
                at,
                format!("encrypted chunk {} claims {len} bytes", self.index),
            ));
        }
        self.buf.resize(len + TAG_LEN, 0);
        if read_full(&mut self.inner, &mut self.buf)? < len + TAG_LEN {
            return Err(chunk_error(
                at,
                format!("encrypted chunk {} is incomplete (truncated)", self.index),
            ));
        }
        let tag = Tag::try_from(&self.buf[len..]).map_err(|_| chunk_error(at, "bad tag".into()))?;
        let nonce = Nonce::try_from(&head[4..]).map_err(|_| chunk_error(at, "bad nonce".into()))?;
        self.buf.truncate(len);
        self.key
            .cipher()
            .decrypt_inout_detached(
                &nonce,
                &aad(&self.header, self.index, last),
                self.buf.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| {
                chunk_error(
                    at,
                    format!(
                        "encrypted chunk {} does not decrypt: it was altered, moved or cut, or sealed with another key of the same id",
                        self.index
                    ),
                )
            })?;
        self.offset += (CHUNK_HEADER_LEN + len + TAG_LEN) as u64;
        self.pos = 0;
        self.index += 1;
        self.done = last;
        Ok(())
    }

    /// Checks that the whole body was read: the final chunk was seen and nothing follows it.
    /// Returns the inner reader.
    ///
    /// # Errors
    /// A [`ChunkError`] for a missing final chunk or bytes after it.
    pub fn finish(mut self) -> io::Result<R> {
        while !self.done {
            self.next_chunk()?;
        }
        let mut extra = [0u8; 1];
        if read_full(&mut self.inner, &mut extra)? != 0 {
            return Err(chunk_error(
                self.offset,
                "bytes follow the final encrypted chunk".into(),
            ));
        }
        Ok(self.inner)
    }
}

impl<R: Read> Read for OpenReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done || out.is_empty() {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] = b"a file header";

    fn key(b: u8) -> EncryptionKey {
        EncryptionKey::from_bytes(&[b; 32])
    }

    fn seal(data: &[u8], write_sizes: usize) -> Vec<u8> {
        let mut w = SealWriter::new(Vec::new(), &key(1), HEADER).unwrap();
        for part in data.chunks(write_sizes.max(1)) {
            w.write_all(part).unwrap();
        }
        w.finish().unwrap()
    }

    fn open(sealed: &[u8], k: &EncryptionKey, header: &[u8]) -> io::Result<Vec<u8>> {
        let mut r = OpenReader::new(sealed, k, header, 100);
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        r.finish()?;
        Ok(out)
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn round_trips_at_chunk_boundaries() {
        for n in [
            0,
            1,
            CHUNK_LEN - 1,
            CHUNK_LEN,
            CHUNK_LEN + 1,
            2 * CHUNK_LEN + 5,
        ] {
            let d = data(n);
            let sealed = seal(&d, 300_000);
            let chunks = n.div_ceil(CHUNK_LEN).max(1);
            assert_eq!(
                sealed.len(),
                n + chunks * (CHUNK_HEADER_LEN + TAG_LEN),
                "n={n}"
            );
            assert_eq!(open(&sealed, &key(1), HEADER).unwrap(), d, "n={n}");
        }
    }

    #[test]
    fn wrong_key_or_header_fails_with_the_chunk_offset() {
        let sealed = seal(&data(5000), 5000);
        for (k, h) in [(key(2), HEADER), (key(1), &b"another header"[..])] {
            let e = open(&sealed, &k, h).unwrap_err();
            let c = chunk_error_of(&e).unwrap();
            assert_eq!(c.offset, 100);
            assert!(c.reason.contains("does not decrypt"), "{c:?}");
        }
    }

    #[test]
    fn truncation_at_a_chunk_boundary_is_detected() {
        let d = data(2 * CHUNK_LEN + 10);
        let sealed = seal(&d, CHUNK_LEN);
        let two = 2 * (CHUNK_HEADER_LEN + CHUNK_LEN + TAG_LEN);
        let e = open(&sealed[..two], &key(1), HEADER).unwrap_err();
        let c = chunk_error_of(&e).unwrap();
        assert!(c.reason.contains("without its final chunk"), "{c:?}");
        assert_eq!(c.offset, 100 + two as u64);
        // Cut inside a chunk.
        let e = open(&sealed[..two - 7], &key(1), HEADER).unwrap_err();
        assert!(chunk_error_of(&e).unwrap().reason.contains("incomplete"));
        // Marking a middle chunk final (dropping the rest) does not authenticate.
        let mut bad = sealed[..two].to_vec();
        let at = CHUNK_HEADER_LEN + CHUNK_LEN + TAG_LEN;
        bad[at + 3] |= 0x80;
        assert!(open(&bad, &key(1), HEADER).is_err());
        // Bytes after the final chunk.
        let mut extra = sealed.clone();
        extra.push(0);
        assert!(open(&extra, &key(1), HEADER).is_err());
    }

    #[test]
    fn every_altered_byte_is_refused() {
        let sealed = seal(&data(64), 64);
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x40;
            assert!(open(&bad, &key(1), HEADER).is_err(), "flip at {i}");
        }
    }
}
