//! Writing, reading and verifying one snapshot file (see the parent module for the layout).

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Item;
use crate::store::error::{Result, StoreError};
use crate::store::state::State;
use crate::store::wal::segment::fsync_dir;

const MAGIC: &[u8; 8] = b"STMGRSNP";
const TRAILER_MAGIC: &[u8; 8] = b"STMGREND";
const FORMAT: u16 = 1;
const HEADER_LEN: usize = 96;
const TRAILER_LEN: usize = 32;
const ZSTD_LEVEL: i32 = 1;

/// What a snapshot's header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotMeta {
    /// `snap-<ULID>`.
    pub id: String,
    /// The last commit the snapshot contains.
    pub commit_seq: u64,
    /// The first seq the log may use after it.
    pub next_seq: u64,
    /// When it was written (ms since the epoch).
    pub created_ms: i64,
    /// Time of the commit at `commit_seq`.
    pub state_ts: i64,
    /// Live objects.
    pub objects: u64,
    /// Items in the body (objects with history and tombstones).
    pub entries: u64,
    /// Encryption key id (0: plaintext).
    pub key_id: u32,
    /// File size in bytes.
    pub size: u64,
}

impl SnapshotMeta {
    fn encode_header(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(MAGIC);
        h[8..10].copy_from_slice(&FORMAT.to_le_bytes());
        h[12..16].copy_from_slice(&self.key_id.to_le_bytes());
        h[16..24].copy_from_slice(&self.commit_seq.to_le_bytes());
        h[24..32].copy_from_slice(&self.next_seq.to_le_bytes());
        h[32..40].copy_from_slice(&self.created_ms.to_le_bytes());
        h[40..48].copy_from_slice(&self.state_ts.to_le_bytes());
        h[48..56].copy_from_slice(&self.objects.to_le_bytes());
        h[56..64].copy_from_slice(&self.entries.to_le_bytes());
        let crc = crc32c::crc32c(&h[0..92]);
        h[92..96].copy_from_slice(&crc.to_le_bytes());
        h
    }

    fn decode_header(h: &[u8], path: &Path, id: String, size: u64) -> Result<SnapshotMeta> {
        let corrupt = |reason: &str| StoreError::Corrupt {
            path: path.to_path_buf(),
            offset: 0,
            reason: reason.to_string(),
        };
        if h.len() < HEADER_LEN || &h[0..8] != MAGIC {
            return Err(corrupt("not a stmgr snapshot (bad magic)"));
        }
        let u64_at = |i: usize| u64::from_le_bytes(h[i..i + 8].try_into().unwrap_or_default());
        let stored = u32::from_le_bytes(h[92..96].try_into().unwrap_or_default());
        if crc32c::crc32c(&h[0..92]) != stored {
            return Err(corrupt("snapshot header checksum mismatch"));
        }
        let format = u16::from_le_bytes([h[8], h[9]]);
        if format != FORMAT {
            return Err(corrupt(&format!("unsupported snapshot format {format}")));
        }
        Ok(SnapshotMeta {
            id,
            key_id: u32::from_le_bytes(h[12..16].try_into().unwrap_or_default()),
            commit_seq: u64_at(16),
            next_seq: u64_at(24),
            created_ms: u64_at(32) as i64,
            state_ts: u64_at(40) as i64,
            objects: u64_at(48),
            entries: u64_at(56),
            size,
        })
    }
}

/// A writer that checksums and counts what passes through it.
struct CrcWriter<W> {
    inner: W,
    crc: u32,
    written: u64,
}

impl<W: Write> Write for CrcWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc = crc32c::crc32c_append(self.crc, &buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

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

fn snapshot_id_of(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// Writes `state` as a new snapshot in `dir` and returns its metadata. `next_seq` is the first
/// seq the log may use after it.
///
/// # Errors
/// I/O errors naming the file; the temporary file is removed on failure.
pub fn write_snapshot(dir: &Path, state: &State, next_seq: u64) -> Result<SnapshotMeta> {
    fs::create_dir_all(dir).map_err(|e| StoreError::io("create directory", dir, e))?;
    let id = format!("snap-{}", ulid::Ulid::new());
    let tmp = dir.join(format!(".tmp-{id}"));
    let path = dir.join(format!("{id}.snap"));
    let result = write_to(&tmp, &path, &id, state, next_seq);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    let meta = result?;
    fsync_dir(dir)?;
    Ok(meta)
}

fn write_to(
    tmp: &Path,
    path: &Path,
    id: &str,
    state: &State,
    next_seq: u64,
) -> Result<SnapshotMeta> {
    let io_err = |op: &'static str, p: &Path| {
        let p = p.to_path_buf();
        move |e: io::Error| StoreError::io(op, p, e)
    };
    let file = File::create(tmp).map_err(io_err("create", tmp))?;
    let mut meta = SnapshotMeta {
        id: id.to_string(),
        commit_seq: state.seq,
        next_seq,
        created_ms: chrono::Utc::now().timestamp_millis(),
        state_ts: state.ts,
        objects: state.objects.live_count(),
        entries: (state.objects.entries().count()
            + state.idempotency.iter().count()
            + state.leases.iter().count()
            + state.checkpoints.iter().count()) as u64,
        key_id: 0,
        size: 0,
    };
    let mut out = CrcWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        crc: 0,
        written: 0,
    };
    out.write_all(&meta.encode_header())
        .map_err(io_err("write", tmp))?;
    let body_start = out.written;
    let mut items = 0u64;
    {
        let mut z = zstd::Encoder::new(&mut out, ZSTD_LEVEL).map_err(io_err("compress", tmp))?;
        // Compression runs on a zstd worker thread while this one encodes items.
        z.multithread(1).map_err(io_err("compress", tmp))?;
        let mut scratch = Vec::with_capacity(4096);
        let objects = state.objects.entries().map(|(ns, id, entry)| Item::Object {
            ns: ns.clone(),
            id: id.clone(),
            entry: entry.clone(),
        });
        let answers = state
            .idempotency
            .iter()
            .map(|((ns, key), answer)| Item::Idempotency {
                ns: ns.clone(),
                key: key.clone(),
                answer: answer.clone(),
            });
        let leases = state.leases.iter().map(|((ns, key), lease)| Item::Lease {
            ns: ns.clone(),
            key: key.clone(),
            lease: lease.clone(),
        });
        let checkpoints = state
            .checkpoints
            .iter()
            .map(|((ns, id), list)| Item::Checkpoints {
                ns: ns.clone(),
                id: id.clone(),
                list: list.as_ref().clone(),
            });
        let workflows = state
            .workflows
            .items()
            .map(|item| Item::Workflow(Box::new(item)));
        for item in objects
            .chain(answers)
            .chain(leases)
            .chain(checkpoints)
            .chain(workflows)
        {
            scratch.clear();
            scratch.extend_from_slice(&[0u8; 4]);
            postcard::to_io(&item, &mut scratch)
                .map_err(|e| StoreError::Encoding(e.to_string()))?;
            let len = (scratch.len() - 4) as u32;
            scratch[0..4].copy_from_slice(&len.to_le_bytes());
            z.write_all(&scratch).map_err(io_err("write", tmp))?;
            items += 1;
        }
        z.finish().map_err(io_err("write", tmp))?;
    }
    let body_len = out.written - body_start;
    let mut trailer = [0u8; TRAILER_LEN];
    trailer[0..8].copy_from_slice(TRAILER_MAGIC);
    trailer[8..16].copy_from_slice(&body_len.to_le_bytes());
    trailer[16..24].copy_from_slice(&items.to_le_bytes());
    let crc = crc32c::crc32c_append(out.crc, &trailer[0..28]);
    trailer[28..32].copy_from_slice(&crc.to_le_bytes());
    out.write_all(&trailer).map_err(io_err("write", tmp))?;
    let file = out
        .inner
        .into_inner()
        .map_err(|e| StoreError::io("write", tmp, e.into_error()))?;
    file.sync_all().map_err(io_err("fsync", tmp))?;
    meta.size = body_start + body_len + TRAILER_LEN as u64;
    fs::rename(tmp, path).map_err(io_err("rename", tmp))?;
    Ok(meta)
}

/// Reads only the header of a snapshot (cheap; does not verify the body).
///
/// # Errors
/// I/O errors and a bad header.
pub fn read_meta(path: &Path) -> Result<SnapshotMeta> {
    let mut f = File::open(path).map_err(|e| StoreError::io("open", path, e))?;
    let size = f
        .metadata()
        .map_err(|e| StoreError::io("stat", path, e))?
        .len();
    let mut h = [0u8; HEADER_LEN];
    f.read_exact(&mut h).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => StoreError::Corrupt {
            path: path.to_path_buf(),
            offset: 0,
            reason: "snapshot header is incomplete".into(),
        },
        _ => StoreError::io("read", path, e),
    })?;
    SnapshotMeta::decode_header(&h, path, snapshot_id_of(path), size)
}

/// Reads a snapshot, calling `visit` for each item, and checks its trailer and checksum; the
/// items must only be trusted once this returns `Ok`.
///
/// # Errors
/// I/O errors and [`StoreError::Corrupt`] with the file and offset.
pub fn read_snapshot(path: &Path, mut visit: impl FnMut(Item)) -> Result<SnapshotMeta> {
    let corrupt = |offset: u64, reason: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        offset,
        reason,
    };
    let meta = read_meta(path)?;
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
    let mut items = 0u64;
    {
        let mut z = zstd::Decoder::new(&mut reader)
            .map_err(|e| corrupt(HEADER_LEN as u64, format!("bad compressed body: {e}")))?;
        let mut scratch = Vec::new();
        loop {
            let mut len = [0u8; 4];
            match read_full(&mut z, &mut len) {
                Ok(0) => break,
                Ok(4) => {}
                Ok(_) => {
                    return Err(corrupt(
                        HEADER_LEN as u64,
                        format!("body ends inside item {items}"),
                    ));
                }
                Err(e) => {
                    return Err(corrupt(
                        HEADER_LEN as u64,
                        format!("bad compressed body: {e}"),
                    ));
                }
            }
            let len = u32::from_le_bytes(len) as usize;
            scratch.resize(len, 0);
            z.read_exact(&mut scratch).map_err(|e| {
                corrupt(
                    HEADER_LEN as u64,
                    format!("bad compressed body in item {items}: {e}"),
                )
            })?;
            let item: Item = postcard::from_bytes(&scratch).map_err(|e| {
                corrupt(HEADER_LEN as u64, format!("undecodable item {items}: {e}"))
            })?;
            visit(item);
            items += 1;
        }
    }
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
    if items != items_expected || items != meta.entries {
        return Err(corrupt(
            trailer_at,
            format!("snapshot holds {items} items, trailer says {items_expected}"),
        ));
    }
    Ok(meta)
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Reads a snapshot fully without keeping its items.
///
/// # Errors
/// As [`read_snapshot`].
pub fn verify_snapshot(path: &Path) -> Result<SnapshotMeta> {
    read_snapshot(path, |_| {})
}

/// Loads a snapshot into a fresh [`State`].
///
/// # Errors
/// As [`read_snapshot`].
pub fn load_snapshot(path: &Path) -> Result<(State, SnapshotMeta)> {
    let mut state = State::default();
    let meta = read_snapshot(path, |item| match item {
        Item::Object { ns, id, entry } => state.objects.restore_entry(ns, id, entry),
        Item::Idempotency { ns, key, answer } => state.idempotency.remember(ns, key, answer),
        Item::Lease { ns, key, lease } => state.leases.restore(ns, key, lease),
        Item::Checkpoints { ns, id, list } => state.checkpoints.restore(ns, id, list),
        Item::Workflow(item) => state.workflows.restore(*item),
    })?;
    state.seq = meta.commit_seq;
    state.ts = meta.state_ts;
    Ok((state, meta))
}

/// Path of the snapshot `id` in `dir`.
pub fn snapshot_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.snap"))
}
