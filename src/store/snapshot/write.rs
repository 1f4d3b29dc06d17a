//! Writing one snapshot file: header, the zstd body (sealed in chunks when a key is given),
//! trailer; under a temporary name, synced, read back and verified, renamed.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::Item;
use super::meta::{HEADER_LEN, SnapshotMeta, SnapshotOrigin, TRAILER_LEN, TRAILER_MAGIC};
use super::read::read_snapshot;
use crate::store::crypto::chunks::SealWriter;
use crate::store::crypto::{EncryptionKey, Keyring};
use crate::store::error::{Result, StoreError};
use crate::store::state::State;
use crate::store::wal::segment::fsync_dir;

const ZSTD_LEVEL: i32 = 1;
/// Name prefix of a snapshot being written (`.tmp-snap-<ULID>`).
const TMP_PREFIX: &str = ".tmp-";

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
/// seq the log may use after it; `origin` says who asked for it. With `key` the body is sealed
/// and the header carries its id.
///
/// The file is written under a temporary name, synced, then read back and verified in full
/// (checksums, every item decoded, the counts of header and trailer) before it gets its name:
/// a snapshot that would not load is never visible as one. It never eats the last `reserve`
/// bytes of the file system (the WAL's room for its next segments): it does not start unless
/// the size of the newest snapshot plus the reserve is free, and it stops as soon as less than
/// the reserve is left.
///
/// # Errors
/// I/O errors naming the file, [`StoreError::NoSpace`], [`StoreError::SnapshotStopped`], and [`StoreError::SnapshotCheck`] when
/// the read-back fails; the temporary file is removed on failure.
pub fn write_snapshot(
    dir: &Path,
    state: &State,
    next_seq: u64,
    key: Option<&EncryptionKey>,
    origin: SnapshotOrigin,
    reserve: u64,
) -> Result<SnapshotMeta> {
    fs::create_dir_all(dir).map_err(|e| StoreError::io("create directory", dir, e))?;
    let space = Space::check(dir, reserve)?;
    let id = format!("snap-{}", ulid::Ulid::generate());
    let tmp = dir.join(format!("{TMP_PREFIX}{id}"));
    let path = dir.join(format!("{id}.snap"));
    let result = write_to(&tmp, &id, state, next_seq, key, origin, space)
        .and_then(|meta| check(&tmp, key, &meta).map(|()| meta))
        .and_then(|meta| {
            fs::rename(&tmp, &path).map_err(|e| StoreError::io("rename", &tmp, e))?;
            Ok(meta)
        });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    let meta = result.map_err(|e| space.explain(e))?;
    fsync_dir(dir)?;
    Ok(meta)
}

/// The room a snapshot may take: what was free when it started, and the reserve it must leave.
#[derive(Debug, Clone, Copy)]
struct Space {
    reserve: u64,
    free_at_start: u64,
}

/// The most a snapshot writes between two looks at the free space.
const SPACE_CHECK_EVERY: u64 = 8 << 20;
/// A snapshot stops when no more than this is left above the reserve.
const SPACE_MARGIN: u64 = 64 << 10;

impl Space {
    /// Refuses to start unless the newest snapshot's size (the best guess of this one's) plus
    /// the reserve is free.
    fn check(dir: &Path, reserve: u64) -> Result<Space> {
        let free = free_bytes(dir)?;
        let guess = super::list_snapshots(dir)?
            .iter()
            .rev()
            .find_map(|s| s.meta.as_ref().ok().map(|m| m.size))
            .unwrap_or(0);
        if free < guess.saturating_add(reserve) {
            return Err(StoreError::NoSpace {
                path: dir.to_path_buf(),
                free,
                needed: guess.saturating_add(reserve),
                reserve,
            });
        }
        Ok(Space {
            reserve,
            free_at_start: free,
        })
    }

    /// Turns the guard's stop into [`StoreError::NoSpace`].
    fn explain(&self, e: StoreError) -> StoreError {
        match &e {
            StoreError::Io { path, source, .. }
                if source.get_ref().is_some_and(|i| i.is::<ReserveReached>()) =>
            {
                StoreError::SnapshotStopped {
                    path: path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    free_at_start: self.free_at_start,
                    reserve: self.reserve,
                }
            }
            _ => e,
        }
    }
}

/// Bytes available to this process on the file system holding `dir`.
fn free_bytes(dir: &Path) -> Result<u64> {
    let st =
        rustix::fs::statvfs(dir).map_err(|e| StoreError::io("statvfs", dir, io::Error::from(e)))?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

/// The file system got down to the reserve while a snapshot was written.
#[derive(Debug, thiserror::Error)]
#[error("free space is down to the reserve kept for the WAL")]
struct ReserveReached;

/// A writer that stops (with [`ReserveReached`]) before the file system holding the file has
/// less than the reserve left. Between two looks at the free space it writes at most half of
/// what was left above the reserve (and at most [`SPACE_CHECK_EVERY`]), so it cannot overshoot.
struct SpaceGuard {
    inner: File,
    space: Space,
    /// Bytes it may still write before it looks again.
    budget: u64,
}

impl Write for SpaceGuard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            let st = rustix::fs::fstatvfs(&self.inner).map_err(io::Error::from)?;
            let free = st.f_bavail.saturating_mul(st.f_frsize);
            let room = free.saturating_sub(self.space.reserve);
            if room <= SPACE_MARGIN {
                return Err(io::Error::other(ReserveReached));
            }
            self.budget = (room / 2).min(SPACE_CHECK_EVERY);
        }
        let allowed = usize::try_from(self.budget)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.write(&buf[..allowed])?;
        self.budget -= n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads the temporary file back in full and compares what it holds with what was written.
fn check(tmp: &Path, key: Option<&EncryptionKey>, written: &SnapshotMeta) -> Result<()> {
    let keys = Keyring::single(key.cloned());
    let failed = |reason: String| StoreError::SnapshotCheck {
        path: tmp.to_path_buf(),
        reason,
    };
    let mut read = read_snapshot(tmp, &keys, |_| {}).map_err(|e| failed(e.to_string()))?;
    // The id comes from the file name, which is still the temporary one.
    read.id.clone_from(&written.id);
    if read != *written {
        return Err(failed(format!(
            "the header read back ({read:?}) is not the one written ({written:?})"
        )));
    }
    Ok(())
}

/// Removes the temporary files that a snapshot killed half-way left in `dir` (they never got a
/// snapshot's name, so nothing refers to them). Returns how many went.
///
/// # Errors
/// When the directory cannot be read or a file cannot be removed.
pub fn remove_leftovers(dir: &Path) -> Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(StoreError::io("read directory", dir, e)),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io("read directory", dir, e))?;
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TMP_PREFIX))
        {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| StoreError::io("remove", &path, e))?;
            removed += 1;
        }
    }
    if removed > 0 {
        fsync_dir(dir)?;
    }
    Ok(removed)
}

/// Every item of `state`, domain by domain. [`item_count`] must count exactly these: both
/// destructure [`State`] without `..`, so a new domain does not compile until both cover it.
fn items(state: &State) -> impl Iterator<Item = Item> + '_ {
    let State {
        seq: _,
        ts: _,
        objects,
        idempotency,
        leases,
        checkpoints,
        workflows,
        flows,
    } = state;
    let objects = objects.entries().map(|(ns, id, entry)| Item::Object {
        ns: ns.clone(),
        id: id.clone(),
        entry: entry.clone(),
    });
    let answers = idempotency
        .iter()
        .map(|((ns, key), answer)| Item::Idempotency {
            ns: ns.clone(),
            key: key.clone(),
            answer: answer.clone(),
        });
    let leases = leases.iter().map(|((ns, key), lease)| Item::Lease {
        ns: ns.clone(),
        key: key.clone(),
        lease: lease.clone(),
    });
    let checkpoints = checkpoints
        .iter()
        .map(|((ns, id), list)| Item::Checkpoints {
            ns: ns.clone(),
            id: id.clone(),
            list: list.as_ref().clone(),
        });
    let workflows = workflows.items().map(|item| Item::Workflow(Box::new(item)));
    let flow_events = flows.events_after(0).cloned().map(Item::FlowEvent);
    let flows = flows.iter().map(|(name, flow)| Item::Flow {
        name: name.clone(),
        flow: flow.clone(),
    });
    objects
        .chain(answers)
        .chain(leases)
        .chain(checkpoints)
        .chain(workflows)
        .chain(flows)
        .chain(flow_events)
}

/// How many items [`items`] yields, without walking them (every count is O(1)).
fn item_count(state: &State) -> u64 {
    let State {
        seq: _,
        ts: _,
        objects,
        idempotency,
        leases,
        checkpoints,
        workflows,
        flows,
    } = state;
    (objects.entry_count()
        + idempotency.len()
        + leases.len()
        + checkpoints.len()
        + flows.len()
        + flows.event_count()) as u64
        + workflows.item_count()
}

/// Writes and syncs the temporary file.
fn write_to(
    tmp: &Path,
    id: &str,
    state: &State,
    next_seq: u64,
    key: Option<&EncryptionKey>,
    origin: SnapshotOrigin,
    space: Space,
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
        entries: item_count(state),
        key_id: key.map_or(0, EncryptionKey::id),
        origin,
        size: 0,
    };
    let mut out = CrcWriter {
        inner: BufWriter::with_capacity(
            1 << 20,
            SpaceGuard {
                inner: file,
                space,
                budget: 0,
            },
        ),
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
    if items_written != meta.entries {
        return Err(StoreError::Encoding(format!(
            "snapshot of commit_seq {} wrote {items_written} items but counted {} for its header",
            meta.commit_seq, meta.entries
        )));
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
        .map_err(|e| StoreError::io("write", tmp, e.into_error()))?
        .inner;
    file.sync_all().map_err(io_err("fsync", tmp))?;
    meta.size = body_start + body_len + TRAILER_LEN as u64;
    Ok(meta)
}
