//! The one primitive a lease needs: compare-and-swap on one small object.
//!
//! - S3: `PUT` with `If-None-Match: *` to create, `If-Match: <ETag>` to replace
//!   (`PutMode::Create` / `PutMode::Update`). S3's ETag of a single-part object is the MD5 of
//!   its bytes, so two writes of the same bytes would have the same ETag: every lease document
//!   carries a fresh `write_id`, so no write repeats an earlier one (no ABA).
//! - A local directory: `object_store`'s `LocalFileSystem` creates atomically (a hard link
//!   that fails if the name exists) but has no conditional replace (`PutMode::Update` answers
//!   "not implemented"). Here the compare and the replace run under an exclusive `flock` on
//!   `leases/<name>.lock`, held only for that step; the version is the SHA-256 of the bytes;
//!   the new bytes go to a temporary file, synced, renamed over the old, and the directory is
//!   synced. Correct between processes of one machine on a local file system (not on NFS,
//!   where `flock` may not be shared between hosts).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use object_store::{PutMode, PutOptions, PutPayload, UpdateVersion};
use sha2::{Digest, Sha256};

use super::error::{BackupError, Result};
use super::target::Target;
use super::transfer::hex;

/// The version of a stored lease document: compared on replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Version {
    /// S3's ETag (and version id when the bucket is versioned).
    S3(UpdateVersion),
    /// SHA-256 of the file's bytes.
    Local(String),
}

/// The outcome of a conditional write: written (with the new version) or someone else wrote
/// first.
pub(crate) enum Cas {
    Written(Version),
    Conflict,
}

/// One lease object, by key.
pub(crate) struct CasObject {
    target: Target,
    key: String,
    local: Option<(PathBuf, PathBuf)>,
}

impl CasObject {
    pub(crate) fn new(target: &Target, key: String, lock_key: String) -> CasObject {
        let local = target.local_path(&key).zip(target.local_path(&lock_key));
        CasObject {
            target: target.clone(),
            key,
            local,
        }
    }

    pub(crate) fn url(&self) -> String {
        self.target.url(&self.key)
    }

    /// The current bytes and version, `None` when there is no object.
    pub(crate) async fn read(&self) -> Result<Option<(Bytes, Version)>> {
        if let Some((path, _)) = &self.local {
            let path = path.clone();
            return blocking(move || match fs::read(&path) {
                Ok(b) => Ok(Some((
                    Bytes::from(b.clone()),
                    Version::Local(hex(&Sha256::digest(&b))),
                ))),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(BackupError::local("read", path, e)),
            })
            .await;
        }
        match self.target.get_bytes(&self.key).await {
            Ok((b, meta)) => Ok(Some((
                b,
                Version::S3(UpdateVersion {
                    e_tag: meta.e_tag,
                    version: meta.version,
                }),
            ))),
            Err(BackupError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes `bytes` if there is no object (`expected` is `None`) or if the object is still at
    /// `expected`.
    pub(crate) async fn write(&self, expected: Option<&Version>, bytes: Bytes) -> Result<Cas> {
        if let Some((path, lock)) = &self.local {
            let (path, lock) = (path.clone(), lock.clone());
            let expected = expected.cloned();
            return blocking(move || local_cas(&path, &lock, expected.as_ref(), &bytes)).await;
        }
        let creating = expected.is_none();
        let mode = match expected {
            None => PutMode::Create,
            Some(Version::S3(v)) => PutMode::Update(v.clone()),
            Some(Version::Local(_)) => return Ok(Cas::Conflict),
        };
        let opts = PutOptions {
            mode,
            ..PutOptions::default()
        };
        let path = self.target.path(&self.key);
        match self
            .target
            .store()
            .put_opts(&path, PutPayload::from_bytes(bytes), opts)
            .await
        {
            Ok(r) => Ok(Cas::Written(Version::S3(UpdateVersion {
                e_tag: r.e_tag,
                version: r.version,
            }))),
            // A create answered 404 is a missing bucket, not a lost race; an update answered
            // 404 is a lease file removed since it was read.
            Err(object_store::Error::NotFound { .. }) if !creating => Ok(Cas::Conflict),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. }
                | object_store::Error::NotModified { .. },
            ) => Ok(Cas::Conflict),
            Err(e) => Err(self.target.err("put", &self.key, e)),
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(BackupError::local("lease", "", io::Error::other(e))))
}

fn local_cas(path: &Path, lock: &Path, expected: Option<&Version>, bytes: &[u8]) -> Result<Cas> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    fs::create_dir_all(dir).map_err(|e| BackupError::local("create directory", dir, e))?;
    let lock_file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock)
        .map_err(|e| BackupError::local("open", lock, e))?;
    lock_file
        .lock()
        .map_err(|e| BackupError::local("lock", lock, e))?;
    let current = match fs::read(path) {
        Ok(b) => Some(hex(&Sha256::digest(&b))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(BackupError::local("read", path, e)),
    };
    let matches = match (expected, &current) {
        (None, None) => true,
        (Some(Version::Local(want)), Some(have)) => want == have,
        _ => false,
    };
    if !matches {
        return Ok(Cas::Conflict);
    }
    let tmp = dir.join(format!(".tmp-lease-{}", ulid::Ulid::generate()));
    let write = || -> io::Result<()> {
        let mut f = File::create_new(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(BackupError::local("write", path, e));
    }
    drop(lock_file);
    Ok(Cas::Written(Version::Local(hex(&Sha256::digest(bytes)))))
}
