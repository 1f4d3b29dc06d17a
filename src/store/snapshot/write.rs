//! Writing one snapshot file: header, the zstd body (sealed in chunks when a key is given),
//! trailer; under a temporary name, synced, renamed.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::Item;
use super::meta::{HEADER_LEN, SnapshotMeta, TRAILER_LEN, TRAILER_MAGIC};
use crate::store::crypto::EncryptionKey;
use crate::store::crypto::chunks::SealWriter;
use crate::store::error::{Result, StoreError};
use crate::store::state::State;
use crate::store::wal::segment::fsync_dir;

const ZSTD_LEVEL: i32 = 1;

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

/// Where the compressed body goes: straight to the file, or through the sealer.
enum Body<W: Write> {
    Plain(W),
    Sealed(SealWriter<W>),
}

impl<W: Write> Write for Body<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Body::Plain(w) => w.write(buf),
            Body::Sealed(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Body::Plain(w) => w.flush(),
            Body::Sealed(w) => w.flush(),
        }
    }
}

impl<W: Write> Body<W> {
    fn finish(self) -> io::Result<W> {
        match self {
            Body::Plain(w) => Ok(w),
            Body::Sealed(w) => w.finish(),
        }
    }
}

/// Writes `state` as a new snapshot in `dir` and returns its metadata. `next_seq` is the first
/// seq the log may use after it. With `key` the body is sealed and the header carries its id.
///
/// # Errors
/// I/O errors naming the file; the temporary file is removed on failure.
pub fn write_snapshot(
    dir: &Path,
    state: &State,
    next_seq: u64,
    key: Option<&EncryptionKey>,
) -> Result<SnapshotMeta> {
    fs::create_dir_all(dir).map_err(|e| StoreError::io("create directory", dir, e))?;
    let id = format!("snap-{}", ulid::Ulid::new());
    let tmp = dir.join(format!(".tmp-{id}"));
    let path = dir.join(format!("{id}.snap"));
    let result = write_to(&tmp, &path, &id, state, next_seq, key);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    let meta = result?;
    fsync_dir(dir)?;
    Ok(meta)
}

fn items(state: &State) -> impl Iterator<Item = Item> + '_ {
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
    objects
        .chain(answers)
        .chain(leases)
        .chain(checkpoints)
        .chain(workflows)
}

fn write_to(
    tmp: &Path,
    path: &Path,
    id: &str,
    state: &State,
    next_seq: u64,
    key: Option<&EncryptionKey>,
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
        entries: (state.objects.entry_count()
            + state.idempotency.iter().count()
            + state.leases.iter().count()
            + state.checkpoints.iter().count()) as u64,
        key_id: key.map_or(0, EncryptionKey::id),
        size: 0,
    };
    let mut out = CrcWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        crc: 0,
        written: 0,
    };
    let header = meta.encode_header();
    out.write_all(&header).map_err(io_err("write", tmp))?;
    let body_start = out.written;
    debug_assert_eq!(body_start, HEADER_LEN as u64);
    let mut items_written = 0u64;
    {
        let body = match key {
            Some(k) => Body::Sealed(SealWriter::new(&mut out, k, &header)?),
            None => Body::Plain(&mut out),
        };
        let mut z = zstd::Encoder::new(body, ZSTD_LEVEL).map_err(io_err("compress", tmp))?;
        // Compression runs on a zstd worker thread while this one encodes items.
        z.multithread(1).map_err(io_err("compress", tmp))?;
        let mut scratch = Vec::with_capacity(4096);
        for item in items(state) {
            scratch.clear();
            scratch.extend_from_slice(&[0u8; 4]);
            scratch = postcard::to_extend(&item, std::mem::take(&mut scratch))
                .map_err(|e| StoreError::Encoding(e.to_string()))?;
            let len = (scratch.len() - 4) as u32;
            scratch[0..4].copy_from_slice(&len.to_le_bytes());
            z.write_all(&scratch).map_err(io_err("write", tmp))?;
            items_written += 1;
        }
        z.finish()
            .and_then(Body::finish)
            .map_err(io_err("write", tmp))?;
    }
    let body_len = out.written - body_start;
    let mut trailer = [0u8; TRAILER_LEN];
    trailer[0..8].copy_from_slice(TRAILER_MAGIC);
    trailer[8..16].copy_from_slice(&body_len.to_le_bytes());
    trailer[16..24].copy_from_slice(&items_written.to_le_bytes());
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
