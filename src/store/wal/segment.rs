//! WAL segment files: naming (`<first_seq, 20 digits>.wal`), the 64-byte header, listing a
//! directory's segments in order, and directory fsync.
//!
//! Header layout: `magic "STMGRWAL" | format u16 | flags u16 | key_id u32 | first_seq u64 |
//! created_ms i64 | reserved (28 bytes, zero) | crc32c(bytes 0..60) u32`. `key_id` is 0 for a
//! plaintext segment, else the id of the key its records are sealed with
//! (`crate::store::crypto`).

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::store::error::{Result, StoreError};

/// Bytes of a segment header; frames start here.
pub const HEADER_LEN: usize = 64;
const MAGIC: &[u8; 8] = b"STMGRWAL";
const FORMAT: u16 = 1;

/// The decoded header of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentHeader {
    /// The seq of the first record this segment holds (or would hold).
    pub first_seq: u64,
    /// When the segment was created (ms since the epoch).
    pub created_ms: i64,
    /// Id of the encryption key sealing its payloads (0: plaintext).
    pub key_id: u32,
}

impl SegmentHeader {
    /// The 64 header bytes.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(MAGIC);
        h[8..10].copy_from_slice(&FORMAT.to_le_bytes());
        h[12..16].copy_from_slice(&self.key_id.to_le_bytes());
        h[16..24].copy_from_slice(&self.first_seq.to_le_bytes());
        h[24..32].copy_from_slice(&self.created_ms.to_le_bytes());
        let crc = crc32c::crc32c(&h[0..60]);
        h[60..64].copy_from_slice(&crc.to_le_bytes());
        h
    }

    /// Parses and checks a header.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] naming `path` when the magic, version or checksum is wrong.
    pub fn decode(buf: &[u8], path: &Path) -> Result<SegmentHeader> {
        let corrupt = |reason: &str| StoreError::Corrupt {
            path: path.to_path_buf(),
            offset: 0,
            reason: reason.to_string(),
        };
        if buf.len() < HEADER_LEN {
            return Err(corrupt("segment header is incomplete"));
        }
        if &buf[0..8] != MAGIC {
            return Err(corrupt("not a stmgr WAL segment (bad magic)"));
        }
        let stored = u32::from_le_bytes(buf[60..64].try_into().unwrap_or_default());
        if crc32c::crc32c(&buf[0..60]) != stored {
            return Err(corrupt("segment header checksum mismatch"));
        }
        let format = u16::from_le_bytes([buf[8], buf[9]]);
        if format != FORMAT {
            return Err(corrupt(&format!("unsupported segment format {format}")));
        }
        Ok(SegmentHeader {
            key_id: u32::from_le_bytes(buf[12..16].try_into().unwrap_or_default()),
            first_seq: u64::from_le_bytes(buf[16..24].try_into().unwrap_or_default()),
            created_ms: i64::from_le_bytes(buf[24..32].try_into().unwrap_or_default()),
        })
    }
}

/// A segment file found in the WAL directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentFile {
    /// First seq, from the file name.
    pub first_seq: u64,
    /// Full path.
    pub path: PathBuf,
}

/// The file name of the segment starting at `first_seq`.
pub fn segment_name(first_seq: u64) -> String {
    format!("{first_seq:020}.wal")
}

/// Lists the segments of `wal_dir` ordered by first seq. A missing directory has none.
///
/// # Errors
/// When the directory cannot be read.
pub fn list_segments(wal_dir: &Path) -> Result<Vec<SegmentFile>> {
    let entries = match fs::read_dir(wal_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io("read directory", wal_dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io("read directory", wal_dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(stem) = name.strip_suffix(".wal") else {
            continue;
        };
        if stem.len() != 20 {
            continue;
        }
        if let Ok(first_seq) = stem.parse::<u64>() {
            out.push(SegmentFile {
                first_seq,
                path: entry.path(),
            });
        }
    }
    out.sort_by_key(|s| s.first_seq);
    Ok(out)
}

/// Reads a whole segment into `buf` (replacing what it held: reusing one buffer for every
/// segment spares the page faults of a fresh 64 MiB each time) and checks its header against
/// its name.
///
/// # Errors
/// I/O errors and a bad header.
pub fn read_segment(seg: &SegmentFile, buf: &mut Vec<u8>) -> Result<SegmentHeader> {
    buf.clear();
    File::open(&seg.path)
        .and_then(|mut f| f.read_to_end(buf))
        .map_err(|e| StoreError::io("read", &seg.path, e))?;
    let header = SegmentHeader::decode(buf, &seg.path)?;
    if header.first_seq != seg.first_seq {
        return Err(StoreError::Corrupt {
            path: seg.path.clone(),
            offset: 16,
            reason: format!(
                "header says first seq {} but the file name says {}",
                header.first_seq, seg.first_seq
            ),
        });
    }
    Ok(header)
}

/// Creates a segment file with its header, synced, and syncs the directory. With `replace`, an
/// existing file of that name is atomically replaced (the caller knows it holds no record).
///
/// # Errors
/// I/O errors, naming the file.
pub fn create_segment(
    wal_dir: &Path,
    header: SegmentHeader,
    replace: bool,
) -> Result<(File, PathBuf)> {
    use std::io::Write;
    let path = wal_dir.join(segment_name(header.first_seq));
    if !replace && path.exists() {
        return Err(StoreError::io(
            "create",
            &path,
            io::Error::from(io::ErrorKind::AlreadyExists),
        ));
    }
    // Header written and synced under a temporary name, then renamed: a crash never leaves a
    // segment with a partial header.
    let tmp = wal_dir.join(format!(".{}.tmp", segment_name(header.first_seq)));
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| StoreError::io("create", &tmp, e))?;
    file.write_all(&header.encode())
        .map_err(|e| StoreError::io("write", &tmp, e))?;
    file.sync_all()
        .map_err(|e| StoreError::io("fsync", &tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| StoreError::io("rename", &tmp, e))?;
    fsync_dir(wal_dir)?;
    Ok((file, path))
}

/// Cuts the segment file `path` after its record `last_seq`: the records above it (another
/// line of history, after a branch) are removed, the file truncated and synced. A segment whose
/// records all lie at or below `last_seq` is left as it is.
///
/// # Errors
/// I/O errors, a bad header, a damaged frame before the cut.
pub fn keep_through(path: &Path, last_seq: u64) -> Result<()> {
    use super::frame::{FrameAt, frame_at};
    let mut buf = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut buf))
        .map_err(|e| StoreError::io("read", path, e))?;
    SegmentHeader::decode(&buf, path)?;
    let mut pos = HEADER_LEN;
    loop {
        match frame_at(&buf, pos) {
            FrameAt::Ok { payload, next } => {
                let (seq, _) = crate::store::command::Record::peek(payload).map_err(|reason| {
                    StoreError::Corrupt {
                        path: path.to_path_buf(),
                        offset: pos as u64,
                        reason,
                    }
                })?;
                if seq > last_seq {
                    break;
                }
                pos = next;
            }
            _ => return Ok(()),
        }
    }
    let f = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| StoreError::io("open", path, e))?;
    f.set_len(pos as u64)
        .and_then(|()| f.sync_all())
        .map_err(|e| StoreError::io("truncate", path, e))
}

/// Syncs a directory so that creations, renames and deletions in it are durable.
///
/// # Errors
/// I/O errors, naming the directory.
pub fn fsync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io("fsync directory", dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_damage() {
        let h = SegmentHeader {
            first_seq: 77,
            created_ms: 123,
            key_id: 0,
        };
        let bytes = h.encode();
        let p = Path::new("x.wal");
        assert_eq!(SegmentHeader::decode(&bytes, p).unwrap(), h);
        let mut bad = bytes;
        bad[17] ^= 1;
        assert!(SegmentHeader::decode(&bad, p).is_err());
        assert!(SegmentHeader::decode(&bytes[..10], p).is_err());
    }

    #[test]
    fn names_sort_numerically() {
        assert_eq!(segment_name(5), "00000000000000000005.wal");
        let dir = tempfile::tempdir().unwrap();
        for s in [100u64, 5, 20] {
            create_segment(
                dir.path(),
                SegmentHeader {
                    first_seq: s,
                    created_ms: 0,
                    key_id: 0,
                },
                false,
            )
            .unwrap();
        }
        fs::write(dir.path().join("junk.txt"), b"x").unwrap();
        let seqs: Vec<u64> = list_segments(dir.path())
            .unwrap()
            .iter()
            .map(|s| s.first_seq)
            .collect();
        assert_eq!(seqs, vec![5, 20, 100]);
    }
}
