//! Files with a JSON manifest, for layers above the engine's snapshots: the supervisor's
//! checkpoints and SQLite copies (`crate::supervisor::protect`). The same rules as snapshots:
//! the data goes up first, the manifest last with a conditional create (the commit point: an
//! object without its manifest is not listed), a download checks size and SHA-256 before the
//! file is renamed into place, a delete removes the manifest first.

use std::path::Path;

use bytes::Bytes;
use object_store::PutMode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{BackupError, Result};
use super::target::Target;
use super::transfer::{self, Expected};

/// What an upload of a file moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    /// Bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

impl Target {
    /// Uploads the local file `path` to `rel` (a key under the location's prefix), streaming
    /// and hashing it; multipart for a large file. The location's layout file is checked
    /// (or created) first.
    ///
    /// # Errors
    /// The target's errors; [`BackupError::Local`] when the file cannot be read.
    pub async fn upload_blob(&self, rel: &str, path: &Path) -> Result<BlobInfo> {
        self.ensure_layout().await?;
        let up = transfer::upload_file(self, rel, path).await?;
        Ok(BlobInfo {
            size: up.size,
            sha256: up.sha256,
        })
    }

    /// Writes `manifest` as pretty JSON to `rel` only if nothing is there yet.
    ///
    /// # Errors
    /// [`BackupError::AlreadyExists`], the target's errors.
    pub async fn create_manifest<T: Serialize>(&self, rel: &str, manifest: &T) -> Result<()> {
        let body = serde_json::to_vec_pretty(manifest)
            .map_err(|e| BackupError::corrupt(self.url(rel), e.to_string()))?;
        self.put_bytes(rel, Bytes::from(body), PutMode::Create)
            .await
            .map(|_| ())
    }

    /// Reads and parses the manifest at `rel`.
    ///
    /// # Errors
    /// [`BackupError::NotFound`], [`BackupError::Corrupt`] when it does not parse, the
    /// target's errors.
    pub async fn read_manifest_at<T: DeserializeOwned>(&self, rel: &str) -> Result<T> {
        let (bytes, _) = self.get_bytes(rel).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| BackupError::corrupt(self.url(rel), format!("does not parse: {e}")))
    }

    /// The keys (relative to the prefix) of every object under the folder `rel_dir`, sorted.
    ///
    /// # Errors
    /// The target's errors.
    pub async fn list_keys(&self, rel_dir: &str) -> Result<Vec<String>> {
        let mut keys: Vec<String> = self
            .list(rel_dir)
            .await?
            .iter()
            .map(|o| self.rel(&o.location).to_owned())
            .collect();
        keys.sort();
        Ok(keys)
    }

    /// Downloads `rel` to the new file `dest` (which must not exist), checked against `size`
    /// and `sha256` before it is renamed into place.
    ///
    /// # Errors
    /// [`BackupError::NotFound`], [`BackupError::Corrupt`] on a size or hash mismatch, the
    /// target's errors, local file errors.
    pub async fn download_blob(
        &self,
        rel: &str,
        dest: &Path,
        size: u64,
        sha256: &str,
    ) -> Result<()> {
        transfer::download_verified(self, rel, dest, Expected { size, sha256 }, |_| Ok(())).await
    }

    /// Deletes `rel` (nothing happens when it does not exist).
    ///
    /// # Errors
    /// The target's errors.
    pub async fn delete_key(&self, rel: &str) -> Result<()> {
        self.delete(rel).await.map(|_| ())
    }
}
