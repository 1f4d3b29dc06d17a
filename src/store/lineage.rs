//! The lineage of a data directory: which line of history its log continues.
//!
//! `LINEAGE` (JSON, at the data directory's root) names the line with an id (`lin-<ULID>`) and,
//! when the line branched off another one, that one's id and the last seq of it the new line
//! includes. It is created the first time something needs it (a replicating server) and
//! replaced by every `restore`: a restored directory continues an *earlier point* of its
//! history, so what it commits next must never be appended to the line it branched from. A
//! replicator compares it with the lineage its backup location recorded, and starts a new
//! generation when they differ (see [`crate::backup`]).
//!
//! `restore` writes the new file into its staging directory and the swap moves it into place
//! with `wal/` and `snapshots/` (see [`crate::store::offline::restore`]): a restored log is
//! never seen with the old lineage, even after a crash in the middle of the swap.

use std::fs;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::wal::segment::fsync_dir;

/// The file's name, at the data directory's root.
pub const FILE: &str = "LINEAGE";

/// Where a line of history branched from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageParent {
    /// The line it branched from.
    pub lineage: String,
    /// The last seq of that line this one includes (the point restored to).
    pub seq: u64,
}

/// The contents of `LINEAGE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    /// `lin-<ULID>`.
    pub lineage: String,
    /// When this line started.
    pub created_at: DateTime<Utc>,
    /// The line it branched from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<LineageParent>,
    /// Why it started (`new data directory`, `restore to seq N`).
    pub reason: String,
}

impl Lineage {
    /// A new line, branching from `parent` if given.
    pub fn new(parent: Option<LineageParent>, reason: impl Into<String>) -> Lineage {
        Lineage {
            lineage: format!("lin-{}", ulid::Ulid::generate()),
            created_at: Utc::now(),
            parent,
            reason: reason.into(),
        }
    }
}

/// Reads `LINEAGE` from the directory `root` (`None`: there is none).
///
/// # Errors
/// I/O errors, [`StoreError::Corrupt`] when it does not parse.
pub fn read(root: &Path) -> Result<Option<Lineage>> {
    let path = root.join(FILE);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                path,
                offset: 0,
                reason: format!("lineage file does not parse: {e}"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io("read", &path, e)),
    }
}

/// Writes `lineage` as `LINEAGE` in the directory `root`, atomically and synced.
///
/// # Errors
/// I/O errors naming the file.
pub fn write(root: &Path, lineage: &Lineage) -> Result<()> {
    let path = root.join(FILE);
    let tmp = root.join(format!(".{FILE}.tmp"));
    let body = serde_json::to_vec_pretty(lineage).unwrap_or_default();
    fs::write(&tmp, body)
        .and_then(|()| fs::File::open(&tmp)?.sync_all())
        .map_err(|e| StoreError::io("write", &tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| StoreError::io("rename", &tmp, e))?;
    fsync_dir(root)
}

/// The lineage of `dir`, created (as a new line) when it has none. The caller holds the
/// directory's lock (a running engine does).
///
/// # Errors
/// As [`read`] and [`write`].
pub fn ensure(dir: &DataDir) -> Result<Lineage> {
    if let Some(l) = read(dir.root())? {
        return Ok(l);
    }
    let l = Lineage::new(None, "new data directory");
    write(dir.root(), &l)?;
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        assert_eq!(read(tmp.path()).unwrap(), None);
        let a = ensure(&dir).unwrap();
        assert!(a.lineage.starts_with("lin-") && a.parent.is_none());
        assert_eq!(ensure(&dir).unwrap(), a, "kept");
        let b = Lineage::new(
            Some(LineageParent {
                lineage: a.lineage.clone(),
                seq: 7,
            }),
            "restore to seq 7",
        );
        write(tmp.path(), &b).unwrap();
        assert_eq!(read(tmp.path()).unwrap(), Some(b));
        fs::write(tmp.path().join(FILE), b"{").unwrap();
        assert!(read(tmp.path()).is_err());
    }
}
