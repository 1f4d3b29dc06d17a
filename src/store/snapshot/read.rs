//! Reading and verifying one snapshot file: trailer and CRC checks, the zstd body (opened chunk
//! by chunk when sealed), and loading the items into a [`State`].

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::Item;
use super::meta::{HEADER_LEN, SnapshotMeta, TRAILER_LEN, TRAILER_MAGIC, read_meta};
use crate::store::crypto::chunks::{OpenReader, chunk_error_of, read_full};
use crate::store::crypto::{self, FileKey, Keyring};
use crate::store::error::{Result, StoreError};
use crate::store::state::State;

/// A reader that checksums what passes through it.
struct CrcReader<R> {
    inner: R,
    crc: u32,
}

impl<R: Read> Read for CrcReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc = crc32c::crc32c_append(self.crc, &buf[..n]);
        Ok(n)
    }
}

/// Where the compressed body comes from: straight from the file, or through the opener.
enum Body<R: Read> {
    Plain(R),
    Sealed(OpenReader<R>),
}

impl<R: Read> Read for Body<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Body::Plain(r) => r.read(buf),
            Body::Sealed(r) => r.read(buf),
        }
    }
}

/// Reads a snapshot, calling `visit` for each item, and checks its trailer and checksum; the
/// items must only be trusted once this returns `Ok`. A sealed snapshot needs the key of its id
/// in `keys`.
///
/// # Errors
/// I/O errors, a missing or wrong key ([`StoreError::KeyMissing`], [`StoreError::KeyMismatch`])
/// and [`StoreError::Corrupt`] with the file and offset (a checksum mismatch is reported as
/// such even when it also broke the body).
pub fn read_snapshot(
    path: &Path,
    keys: &Keyring,
    mut visit: impl FnMut(Item),
) -> Result<SnapshotMeta> {
    let corrupt = |offset: u64, reason: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        offset,
        reason,
    };
    let mut meta = read_meta(path)?;
    let fk = crypto::file_key(meta.key_id, keys, path)?;
    let min = (HEADER_LEN + TRAILER_LEN) as u64;
    if meta.size < min {
        return Err(corrupt(meta.size, "snapshot is truncated".into()));
    }
    let mut f = File::open(path).map_err(|e| StoreError::io("open", path, e))?;
    let trailer_at = meta.size - TRAILER_LEN as u64;
    let mut trailer = [0u8; TRAILER_LEN];
    f.seek(SeekFrom::Start(trailer_at))
        .and_then(|_| f.read_exact(&mut trailer))
        .map_err(|e| StoreError::io("read", path, e))?;
    let body_len = u64::from_le_bytes(trailer[8..16].try_into().unwrap_or_default());
    if &trailer[0..8] != TRAILER_MAGIC
        || (HEADER_LEN as u64).checked_add(body_len) != Some(trailer_at)
    {
        return Err(corrupt(
            trailer_at,
            "snapshot trailer is missing or damaged (truncated file?)".into(),
        ));
    }
    let items_expected = u64::from_le_bytes(trailer[16..24].try_into().unwrap_or_default());
    f.seek(SeekFrom::Start(0))
        .map_err(|e| StoreError::io("read", path, e))?;
    let mut reader = CrcReader {
        inner: BufReader::with_capacity(1 << 20, f).take(trailer_at),
        crc: 0,
    };
    let mut h = [0u8; HEADER_LEN];
    reader
        .read_exact(&mut h)
        .map_err(|e| StoreError::io("read", path, e))?;
    let mut workflow_items = 0u64;
    let body = read_body(&mut reader, fk, &h, &mut |item: Item| {
        workflow_items += u64::from(matches!(item, Item::Workflow(_)));
        visit(item);
    });
    // Consume whatever the decoder left unread so the checksum covers the whole body.
    io::copy(&mut reader, &mut io::sink()).map_err(|e| StoreError::io("read", path, e))?;
    let crc = crc32c::crc32c_append(reader.crc, &trailer[0..28]);
    let stored = u32::from_le_bytes(trailer[28..32].try_into().unwrap_or_default());
    if crc != stored {
        return Err(corrupt(
            trailer_at + 28,
            format!("snapshot checksum mismatch (stored {stored:08x}, computed {crc:08x})"),
        ));
    }
    let items = body.map_err(|(offset, reason)| corrupt(offset, reason))?;
    // Snapshots written by stmgr 0.1.0 left workflow items out of the header's count (and only there: the
    // trailer counted them, and both checksums cover what was written). Such a snapshot is
    // whole; its header's count is taken as the number of items read.
    if items == items_expected && meta.entries + workflow_items == items && workflow_items > 0 {
        meta.entries = items;
    }
    if items != items_expected || items != meta.entries {
        return Err(corrupt(
            trailer_at,
            format!(
                "snapshot holds {items} items; its trailer says {items_expected} and its header {}",
                meta.entries
            ),
        ));
    }
    Ok(meta)
}

/// Decodes the body from `reader` (just after the header); returns the number of items, or
/// the offset and reason of the first problem.
fn read_body(
    reader: &mut impl Read,
    fk: FileKey<'_>,
    header: &[u8],
    visit: &mut impl FnMut(Item),
) -> Result<u64, (u64, String)> {
    let at = HEADER_LEN as u64;
    let bad = |e: io::Error, what: &str| match chunk_error_of(&e) {
        Some(c) => (c.offset, c.reason.clone()),
        None => (at, format!("{what}: {e}")),
    };
    let mut body = match fk {
        FileKey::Plain => Body::Plain(reader),
        FileKey::Sealed(key) => Body::Sealed(OpenReader::new(reader, key, header, at)),
    };
    let mut items = 0u64;
    {
        let mut z = zstd::Decoder::new(&mut body).map_err(|e| bad(e, "bad compressed body"))?;
        let mut scratch = Vec::new();
        loop {
            let mut len = [0u8; 4];
            match read_full(&mut z, &mut len) {
                Ok(0) => break,
                Ok(4) => {}
                Ok(_) => return Err((at, format!("body ends inside item {items}"))),
                Err(e) => return Err(bad(e, "bad compressed body")),
            }
            let len = u32::from_le_bytes(len) as usize;
            // A damaged length must not make the reader allocate gigabytes: no item is larger
            // than the largest WAL frame it could have been written from.
            if len > crate::store::wal::frame::MAX_FRAME_LEN {
                return Err((at, format!("item {items} claims {len} bytes")));
            }
            scratch.resize(len, 0);
            z.read_exact(&mut scratch)
                .map_err(|e| bad(e, &format!("bad compressed body in item {items}")))?;
            let item: Item = postcard::from_bytes(&scratch)
                .map_err(|e| (at, format!("undecodable item {items}: {e}")))?;
            visit(item);
            items += 1;
        }
    }
    if let Body::Sealed(r) = body {
        r.finish().map_err(|e| bad(e, "bad encrypted body"))?;
    }
    Ok(items)
}

/// Reads a snapshot fully without keeping its items.
///
/// # Errors
/// As [`read_snapshot`].
pub fn verify_snapshot(path: &Path, keys: &Keyring) -> Result<SnapshotMeta> {
    read_snapshot(path, keys, |_| {})
}

/// Loads a snapshot into a fresh [`State`].
///
/// # Errors
/// As [`read_snapshot`].
pub fn load_snapshot(path: &Path, keys: &Keyring) -> Result<(State, SnapshotMeta)> {
    let mut state = State::default();
    let meta = read_snapshot(path, keys, |item| match item {
        Item::Object { ns, id, entry } => state.objects.restore_entry(ns, id, entry),
        Item::Idempotency { ns, key, answer } => state.idempotency.remember(ns, key, answer),
        Item::Lease { ns, key, lease } => state.leases.restore(ns, key, lease),
        Item::Checkpoints { ns, id, list } => state.checkpoints.restore(ns, id, list),
        Item::Workflow(item) => state.workflows.restore(*item),
        Item::Flow { name, flow } => state.flows.restore(name, flow),
        Item::FlowEvent(event) => state.flows.restore_event(event),
    })?;
    state.seq = meta.commit_seq;
    state.ts = meta.state_ts;
    Ok((state, meta))
}
