//! A snapshot's header ([`SnapshotMeta`], with its [`SnapshotOrigin`]), its trailer constants,
//! and reading the header alone.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::store::error::{Result, StoreError};

const MAGIC: &[u8; 8] = b"STMGRSNP";
pub(super) const TRAILER_MAGIC: &[u8; 8] = b"STMGREND";
const FORMAT: u16 = 1;
pub(super) const HEADER_LEN: usize = 96;
pub(super) const TRAILER_LEN: usize = 32;

/// Who took a snapshot: bits 0-1 of the header's flags. Values are append-only; files written
/// before the field existed read as [`SnapshotOrigin::Manual`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotOrigin {
    /// An operator or a script (`stmgr snapshot`, `POST /admin/snapshot`). Automatic
    /// retention never removes these.
    #[default]
    Manual = 0,
    /// The server's automatic snapshots (`--snapshot-every…`); retention keeps the newest.
    Automatic = 1,
    /// The base written by `stmgr restore` or `stmgr admin verify --repair`.
    Restore = 2,
}

impl SnapshotOrigin {
    const MASK: u16 = 0b11;

    fn from_flags(flags: u16) -> Option<SnapshotOrigin> {
        match flags & Self::MASK {
            0 => Some(SnapshotOrigin::Manual),
            1 => Some(SnapshotOrigin::Automatic),
            2 => Some(SnapshotOrigin::Restore),
            _ => None,
        }
    }

    /// The name shown in lists and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotOrigin::Manual => "manual",
            SnapshotOrigin::Automatic => "automatic",
            SnapshotOrigin::Restore => "restore",
        }
    }
}

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
    /// Who took it.
    pub origin: SnapshotOrigin,
    /// File size in bytes.
    pub size: u64,
}

impl SnapshotMeta {
    pub(super) fn encode_header(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(MAGIC);
        h[8..10].copy_from_slice(&FORMAT.to_le_bytes());
        h[10..12].copy_from_slice(&(self.origin as u16).to_le_bytes());
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

    pub(super) fn decode_header(
        h: &[u8],
        path: &Path,
        id: String,
        size: u64,
    ) -> Result<SnapshotMeta> {
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
        let flags = u16::from_le_bytes([h[10], h[11]]);
        let origin = SnapshotOrigin::from_flags(flags)
            .ok_or_else(|| corrupt(&format!("unknown snapshot flags {flags:#06x}")))?;
        Ok(SnapshotMeta {
            id,
            origin,
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

pub(super) fn snapshot_id_of(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// Reads only the header of a snapshot (cheap; does not verify the body and needs no key).
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

/// Reads a snapshot's header from its first bytes (at least [`header_len`] of them), for a
/// snapshot stored elsewhere than in a file (a database's rows): `id` and `size` as stored
/// beside it, `place` named in errors.
///
/// # Errors
/// A short or bad header.
pub fn meta_of_header(h: &[u8], place: &Path, id: &str, size: u64) -> Result<SnapshotMeta> {
    SnapshotMeta::decode_header(h, place, id.to_owned(), size)
}

/// Bytes of a snapshot's header.
pub const fn header_len() -> usize {
    HEADER_LEN
}

/// Path of the snapshot `id` in `dir`.
pub fn snapshot_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.snap"))
}
