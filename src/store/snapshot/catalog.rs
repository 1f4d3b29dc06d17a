//! The snapshots of a data directory: listing them in commit order and finding one by id.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::meta::{SnapshotMeta, read_meta, snapshot_path};
use crate::store::error::{Result, StoreError};

/// A snapshot file and what its header says (or why it could not be read).
#[derive(Debug)]
pub struct SnapshotInfo {
    /// The file.
    pub path: PathBuf,
    /// `snap-<ULID>`, from the file name.
    pub id: String,
    /// The header, or the error reading it.
    pub meta: Result<SnapshotMeta>,
}

/// Lists `dir`'s snapshots, readable ones ordered by `(commit_seq, id)` first, unreadable ones
/// after. A missing directory has none.
///
/// # Errors
/// When the directory cannot be read.
pub fn list_snapshots(dir: &Path) -> Result<Vec<SnapshotInfo>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io("read directory", dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io("read directory", dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(id) = name.strip_suffix(".snap") else {
            continue;
        };
        if !id.starts_with("snap-") {
            continue;
        }
        let path = entry.path();
        out.push(SnapshotInfo {
            id: id.to_string(),
            meta: read_meta(&path),
            path,
        });
    }
    out.sort_by(|a, b| match (&a.meta, &b.meta) {
        (Ok(x), Ok(y)) => (x.commit_seq, &x.id).cmp(&(y.commit_seq, &y.id)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.id.cmp(&b.id),
    });
    Ok(out)
}

/// Finds the snapshot `id` in `dir`.
///
/// # Errors
/// [`StoreError::UnknownSnapshot`] when there is no such file.
pub fn find_snapshot(dir: &Path, id: &str) -> Result<PathBuf> {
    let valid = id.starts_with("snap-")
        && id.len() > 5
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let path = snapshot_path(dir, id);
    if valid && path.is_file() {
        Ok(path)
    } else {
        Err(StoreError::UnknownSnapshot(id.to_string()))
    }
}
