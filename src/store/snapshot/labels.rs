//! A snapshot's tags: `snapshots/<snap-ULID>.tags`, a JSON array of names beside the file.
//!
//! The snapshot file itself never changes once written (its header has no room for free-form
//! labels, and its checksums cover every byte), so tags live in this small side file: written
//! atomically after the snapshot (a crash in between leaves a snapshot without tags, never a
//! tag file without its snapshot being complete), removed with the snapshot, moved aside with
//! the `snapshots/` directory by a restore. A missing or unreadable side file reads as no tags.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::store::error::{Result, StoreError};
use crate::store::wal::segment::fsync_dir;

/// Path of the tags of snapshot `id` in the snapshot directory `dir`.
pub fn tags_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.tags"))
}

/// True for a tag: 1 to 64 letters, digits, `-`, `_`, `.`, `:` or `=`.
pub fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 64
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '='))
}

/// The tags of snapshot `id` (empty when it has none).
pub fn read_tags(dir: &Path, id: &str) -> BTreeSet<String> {
    fs::read(tags_path(dir, id))
        .ok()
        .and_then(|b| serde_json::from_slice::<BTreeSet<String>>(&b).ok())
        .unwrap_or_default()
}

/// Writes the tags of snapshot `id` (atomically, synced); nothing when `tags` is empty.
///
/// # Errors
/// I/O errors naming the file.
pub fn write_tags(dir: &Path, id: &str, tags: &BTreeSet<String>) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let path = tags_path(dir, id);
    let tmp = dir.join(format!(".tmp-{id}.tags"));
    let body = serde_json::to_vec(tags).unwrap_or_default();
    fs::write(&tmp, body)
        .and_then(|()| fs::File::open(&tmp)?.sync_all())
        .map_err(|e| StoreError::io("write", &tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| StoreError::io("rename", &tmp, e))?;
    fsync_dir(dir)
}

/// Removes the tags of snapshot `id`, if any.
///
/// # Errors
/// I/O errors other than the file being absent.
pub fn remove_tags(dir: &Path, id: &str) -> Result<()> {
    let path = tags_path(dir, id);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io("remove", &path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_read_and_removed() {
        let d = tempfile::tempdir().unwrap();
        assert!(read_tags(d.path(), "snap-01A").is_empty());
        let tags: BTreeSet<String> = ["nightly".to_string(), "v1.2".to_string()].into();
        write_tags(d.path(), "snap-01A", &tags).unwrap();
        assert_eq!(read_tags(d.path(), "snap-01A"), tags);
        remove_tags(d.path(), "snap-01A").unwrap();
        remove_tags(d.path(), "snap-01A").unwrap();
        assert!(read_tags(d.path(), "snap-01A").is_empty());
        assert!(valid_tag("env=prod") && !valid_tag("a b") && !valid_tag(""));
    }
}
