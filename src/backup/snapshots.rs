//! Snapshots in a backup location: upload a local snapshot file with its manifest, list them
//! (from manifests; data without a manifest is an orphan), download one verified, delete one.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use futures_util::{StreamExt, stream};
use object_store::PutMode;
use serde::{Deserialize, Serialize};

use super::error::{BackupError, Result};
use super::layout::{MANIFEST_FORMAT, created_by, keys, valid_snapshot_id};
use super::target::Target;
use super::transfer::{self, Expected};
use crate::store::snapshot::{SnapshotOrigin, read_meta};

/// `snapshots/<id>.json`: what a snapshot in the bucket is. Written after its data, with a
/// conditional create: it is the snapshot's commit point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotManifest {
    /// Manifest format ([`MANIFEST_FORMAT`]).
    pub format: u32,
    /// `snap-<ULID>`, the local file's name without `.snap`.
    pub snapshot_id: String,
    /// The last commit the snapshot contains.
    pub commit_seq: u64,
    /// The first seq the log may use after it.
    pub next_seq: u64,
    /// When the snapshot was written (from its header).
    pub created_at: DateTime<Utc>,
    /// When it was uploaded.
    pub uploaded_at: DateTime<Utc>,
    /// Size of the `.snap` object in bytes.
    pub size: u64,
    /// SHA-256 of the `.snap` object, lowercase hex.
    pub sha256: String,
    /// The snapshot file's own format version (from its header).
    pub snapshot_format: u16,
    /// Id of the key the body is sealed with; absent for a plaintext snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<u32>,
    /// Who took it: `manual`, `automatic` or `restore`.
    pub origin: String,
    /// Tags (`stmgr snapshot --tag`), sorted.
    #[serde(default)]
    pub tags: BTreeSet<String>,
    /// Time of the commit at `commit_seq` (from its header): what `restore --to-time` compares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_at: Option<DateTime<Utc>>,
    /// The generation the snapshot belongs to, when WAL is replicated beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    /// Host name of the machine that uploaded it.
    pub source_host: String,
    /// `stmgr <version>` that uploaded it.
    pub created_by: String,
}

/// What an upload adds to what the file's header says.
#[derive(Debug, Clone, Default)]
pub struct UploadInfo {
    /// Tags.
    pub tags: BTreeSet<String>,
    /// Generation, if any.
    pub generation: Option<String>,
    /// Host name; `None`: this machine's ([`host_name`]).
    pub source_host: Option<String>,
}

/// An object under `snapshots/` that is not part of a complete snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    /// Key relative to the location's prefix.
    pub key: String,
    /// Its URL.
    pub url: String,
    /// Bytes.
    pub size: u64,
    /// Last modified.
    pub last_modified: DateTime<Utc>,
    /// Why it is an orphan.
    pub reason: String,
}

/// The snapshots of a location.
#[derive(Debug, Clone, Default)]
pub struct SnapshotListing {
    /// Complete snapshots, ordered by `(commit_seq, snapshot_id)`.
    pub snapshots: Vec<SnapshotManifest>,
    /// Data without a manifest (an interrupted upload), manifests without data, unreadable
    /// manifests, and anything else in the folder.
    pub orphans: Vec<Orphan>,
}

/// This machine's host name (`/proc/sys/kernel/hostname`, then `HOSTNAME`), or `unknown`.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

fn ms_time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

impl Target {
    /// Uploads the snapshot file `path` (`…/snap-<ULID>.snap`, sealed or not, as it is on disk)
    /// and then its manifest. Its header is read (and its checksum checked) first; the body is
    /// not decrypted or verified here: upload a snapshot the engine wrote and verified.
    ///
    /// # Errors
    /// [`BackupError::AlreadyExists`] when the location has a snapshot with that id already;
    /// [`BackupError::Local`] when the file cannot be read or its header is bad; the target's
    /// errors.
    pub async fn upload_snapshot(&self, path: &Path, info: UploadInfo) -> Result<SnapshotManifest> {
        let meta = read_meta(path).map_err(|e| {
            BackupError::local("read snapshot header of", path, std::io::Error::other(e))
        })?;
        if !valid_snapshot_id(&meta.id) {
            return Err(BackupError::local(
                "upload",
                path,
                std::io::Error::other("the file name is not snap-<id>.snap"),
            ));
        }
        let snapshot_format = read_format(path)?;
        self.ensure_layout().await?;
        let manifest_key = keys::snapshot_manifest(&meta.id);
        if self.head(&manifest_key).await?.is_some() {
            return Err(BackupError::AlreadyExists {
                url: self.url(&manifest_key),
            });
        }
        let data_key = keys::snapshot_data(&meta.id);
        let up = transfer::upload_file(self, &data_key, path).await?;
        if up.size != meta.size {
            return Err(BackupError::local(
                "upload",
                path,
                std::io::Error::other(format!(
                    "the file changed while it was read ({} bytes, then {})",
                    meta.size, up.size
                )),
            ));
        }
        let manifest = SnapshotManifest {
            format: MANIFEST_FORMAT,
            snapshot_id: meta.id.clone(),
            commit_seq: meta.commit_seq,
            next_seq: meta.next_seq,
            created_at: ms_time(meta.created_ms),
            uploaded_at: Utc::now(),
            size: up.size,
            sha256: up.sha256,
            snapshot_format,
            key_id: (meta.key_id != 0).then_some(meta.key_id),
            origin: meta.origin.as_str().to_owned(),
            tags: info.tags,
            state_at: Some(ms_time(meta.state_ts)),
            generation: info.generation,
            source_host: info.source_host.unwrap_or_else(host_name),
            created_by: created_by(),
        };
        let body = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| BackupError::corrupt(self.url(&manifest_key), e.to_string()))?;
        self.put_bytes(&manifest_key, Bytes::from(body), PutMode::Create)
            .await?;
        tracing::info!(url = %self.url(&data_key), size = manifest.size, "snapshot uploaded");
        Ok(manifest)
    }

    /// The snapshots, from their manifests; see [`SnapshotListing`].
    ///
    /// # Errors
    /// The target's errors; [`BackupError::Unsupported`] for a newer layout.
    pub async fn list_snapshots(&self) -> Result<SnapshotListing> {
        self.check_layout().await?;
        let objects = self.list(keys::SNAPSHOTS).await?;
        let mut data = BTreeMap::new();
        let mut manifests = Vec::new();
        let mut out = SnapshotListing::default();
        for o in objects {
            let key = self.rel(&o.location).to_owned();
            let name = key.strip_prefix("snapshots/").unwrap_or(&key);
            match (name.strip_suffix(".snap"), name.strip_suffix(".json")) {
                (Some(id), _) if valid_snapshot_id(id) => {
                    data.insert(id.to_owned(), o);
                }
                (_, Some(id)) if valid_snapshot_id(id) => manifests.push((id.to_owned(), o)),
                _ => out
                    .orphans
                    .push(self.orphan(&key, &o, "not a snapshot file")),
            }
        }
        let read: Vec<(String, object_store::ObjectMeta, Result<SnapshotManifest>)> =
            stream::iter(manifests)
                .map(|(id, o)| async move {
                    let m = self.read_manifest(&id).await;
                    (id, o, m)
                })
                .buffered(8)
                .collect()
                .await;
        for (id, o, m) in read {
            let key = keys::snapshot_manifest(&id);
            match m {
                Ok(m) if data.remove(&id).is_some() => out.snapshots.push(m),
                Ok(_) => out
                    .orphans
                    .push(self.orphan(&key, &o, "manifest without its .snap data")),
                Err(e @ (BackupError::Corrupt { .. } | BackupError::Unsupported { .. })) => {
                    out.orphans.push(self.orphan(&key, &o, &e.to_string()));
                }
                Err(BackupError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        for (id, o) in data {
            let key = keys::snapshot_data(&id);
            out.orphans.push(self.orphan(
                &key,
                &o,
                "data without a manifest (an interrupted upload)",
            ));
        }
        out.snapshots
            .sort_by(|a, b| (a.commit_seq, &a.snapshot_id).cmp(&(b.commit_seq, &b.snapshot_id)));
        Ok(out)
    }

    fn orphan(&self, key: &str, o: &object_store::ObjectMeta, reason: &str) -> Orphan {
        Orphan {
            key: key.to_owned(),
            url: self.url(key),
            size: o.size,
            last_modified: o.last_modified,
            reason: reason.to_owned(),
        }
    }

    /// The manifest of the snapshot `id`.
    ///
    /// # Errors
    /// [`BackupError::NotFound`] when there is none, [`BackupError::Corrupt`] when it does not
    /// parse or does not describe `id`.
    pub async fn read_manifest(&self, id: &str) -> Result<SnapshotManifest> {
        let key = keys::snapshot_manifest(id);
        if !valid_snapshot_id(id) {
            return Err(BackupError::NotFound {
                url: self.url(&key),
            });
        }
        let (bytes, _) = self.get_bytes(&key).await?;
        let url = self.url(&key);
        let m: SnapshotManifest = serde_json::from_slice(&bytes)
            .map_err(|e| BackupError::corrupt(&url, format!("manifest does not parse: {e}")))?;
        if m.format != MANIFEST_FORMAT {
            return Err(BackupError::Unsupported {
                url,
                reason: format!(
                    "manifest format {}; this stmgr reads {MANIFEST_FORMAT}",
                    m.format
                ),
            });
        }
        if m.snapshot_id != id {
            return Err(BackupError::corrupt(
                url,
                format!("manifest describes {}", m.snapshot_id),
            ));
        }
        Ok(m)
    }

    /// Downloads the snapshot `id` to the file `dest` (which must not exist): size and SHA-256
    /// are checked against the manifest, and the header against the manifest, before the file
    /// is renamed into place; on failure nothing is left behind.
    ///
    /// # Errors
    /// [`BackupError::NotFound`] (no such snapshot), [`BackupError::Corrupt`] naming the object
    /// that does not match, [`BackupError::Local`] for the destination.
    pub async fn download_snapshot(&self, id: &str, dest: &Path) -> Result<SnapshotManifest> {
        self.check_layout().await?;
        let m = self.read_manifest(id).await?;
        let data_key = keys::snapshot_data(id);
        let url = self.url(&data_key);
        let expected = Expected {
            size: m.size,
            sha256: &m.sha256,
        };
        transfer::download_verified(self, &data_key, dest, expected, |tmp| {
            let h = read_meta(tmp).map_err(|e| BackupError::corrupt(&url, e.to_string()))?;
            if h.commit_seq != m.commit_seq || h.key_id != m.key_id.unwrap_or(0) {
                return Err(BackupError::corrupt(
                    &url,
                    format!(
                        "header says commit_seq {} key_id {}, its manifest {} {}",
                        h.commit_seq,
                        h.key_id,
                        m.commit_seq,
                        m.key_id.unwrap_or(0)
                    ),
                ));
            }
            Ok(())
        })
        .await?;
        tracing::info!(%url, dest = %dest.display(), "snapshot downloaded and verified");
        Ok(m)
    }

    /// Deletes the snapshot `id`: its manifest first (so it stops being listed at once), then
    /// its data. An orphan's data (no manifest) is deleted too.
    ///
    /// # Errors
    /// [`BackupError::NotFound`] when neither exists; the target's errors.
    pub async fn delete_snapshot(&self, id: &str) -> Result<()> {
        let manifest = keys::snapshot_manifest(id);
        let data = keys::snapshot_data(id);
        if !valid_snapshot_id(id) {
            return Err(BackupError::NotFound {
                url: self.url(&manifest),
            });
        }
        self.check_layout().await?;
        let had_manifest = self.head(&manifest).await?.is_some();
        let had_data = self.head(&data).await?.is_some();
        if !had_manifest && !had_data {
            return Err(BackupError::NotFound {
                url: self.url(&manifest),
            });
        }
        if had_manifest {
            self.delete(&manifest).await?;
        }
        if had_data {
            self.delete(&data).await?;
        }
        Ok(())
    }

    /// Deletes an orphan listed by [`Target::list_snapshots`] (or [`Target::list_wal`]).
    ///
    /// # Errors
    /// The target's errors.
    pub async fn delete_orphan(&self, orphan: &Orphan) -> Result<()> {
        self.delete(&orphan.key).await.map(|_| ())
    }
}

/// The snapshot format version: bytes 8..10 of the header `read_meta` has just checked.
fn read_format(path: &Path) -> Result<u16> {
    let mut h = [0u8; 10];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut h))
        .map_err(|e| BackupError::local("read", path, e))?;
    Ok(u16::from_le_bytes([h[8], h[9]]))
}

/// For callers that want the origin as the engine's type.
pub fn origin_of(m: &SnapshotManifest) -> Option<SnapshotOrigin> {
    [
        SnapshotOrigin::Manual,
        SnapshotOrigin::Automatic,
        SnapshotOrigin::Restore,
    ]
    .into_iter()
    .find(|o| o.as_str() == m.origin)
}
