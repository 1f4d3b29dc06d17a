//! Checkpoints of the `[state]` directory: `supervise/checkpoints/<id>.tar.zst` (see
//! [`super::archive`]) and its manifest `<id>.json`, written last with a conditional create:
//! a checkpoint exists only when its manifest does, and is never changed after.
//!
//! Create: (db stack) a SQLite copy first, shipped, and stored in the archive in place of the
//! live database file; the processes paused (SIGSTOP/SIGCONT to their groups) or stopped
//! around the packing per `quiesce`; then the upload. The directory is only read.
//!
//! Restore: the manifest is read, the archive downloaded and checked against its size and
//! SHA-256, unpacked into `.NAME.restore-<ULID>` beside the directory; only then the
//! processes are stopped, the two directories exchanged in one `renameat2(RENAME_EXCHANGE)`
//! (two renames where the file system cannot), the old one renamed to
//! `NAME.before-<id>-<time>` (kept), and the processes started again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use nix::sys::signal::Signal;
use serde::{Deserialize, Serialize};

use super::archive;
use super::{ProtectError, Protection, Quiesce, sqlite};
use crate::backup::BackupError;
use crate::supervisor::manager::Supervisor;
use crate::supervisor::state::State;

const FOLDER: &str = "supervise/checkpoints";

/// A checkpoint's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointManifest {
    /// Manifest format (1).
    pub format: u32,
    /// `ckpt-<ULID>`.
    pub checkpoint_id: String,
    /// When the directory was copied.
    pub created_at: DateTime<Utc>,
    /// The directory it copies.
    pub state_dir: PathBuf,
    /// Size of the archive object.
    pub size: u64,
    /// SHA-256 of the archive object, lowercase hex.
    pub sha256: String,
    /// Regular files in it.
    pub files: u64,
    /// Their bytes before compression.
    pub bytes: u64,
    /// What was done to the processes meanwhile.
    pub quiesce: Quiesce,
    /// The SQLite copy taken with it (db stack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqlite_copy: Option<String>,
    /// The lease epoch it was written under (leaser stack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_epoch: Option<u64>,
    /// Host name of the machine that took it.
    pub source_host: String,
    /// `stmgr <version>`.
    pub created_by: String,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreReport {
    /// The checkpoint now in place.
    pub checkpoint: CheckpointManifest,
    /// Where the directory it replaced was kept (none when there was no directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_aside: Option<PathBuf>,
}

fn valid_id(id: &str) -> bool {
    id.strip_prefix("ckpt-")
        .is_some_and(|u| u.len() == 26 && u.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn data_key(id: &str) -> String {
    format!("{FOLDER}/{id}.tar.zst")
}

fn manifest_key(id: &str) -> String {
    format!("{FOLDER}/{id}.json")
}

/// Every checkpoint (by manifest), oldest first.
///
/// # Errors
/// [`ProtectError::NotEnabled`] without `[state]`; the bucket's.
pub async fn list(p: &Protection) -> Result<Vec<CheckpointManifest>, ProtectError> {
    if p.state.is_none() {
        return Err(ProtectError::NotEnabled("[state] (a state directory)"));
    }
    let mut out = Vec::new();
    for key in p.target.list_keys(FOLDER).await? {
        let Some(id) = key
            .strip_prefix(FOLDER)
            .and_then(|k| k.strip_prefix('/'))
            .and_then(|k| k.strip_suffix(".json"))
        else {
            continue;
        };
        if valid_id(id) {
            out.push(p.target.read_manifest_at(&key).await?);
        }
    }
    Ok(out)
}

/// Makes a checkpoint; see the module doc.
///
/// # Errors
/// [`ProtectError::NotEnabled`], [`ProtectError::LeaseNotHeld`], [`ProtectError::Busy`], the
/// copy, the upload.
pub async fn create(p: &Protection, sup: &Supervisor) -> Result<CheckpointManifest, ProtectError> {
    let spec = p
        .state
        .clone()
        .ok_or(ProtectError::NotEnabled("[state] (a state directory)"))?;
    let epoch = p.fence()?;
    let _op = p.op.try_lock().map_err(|_| ProtectError::Busy)?;
    if !spec.dir.is_dir() {
        return Err(ProtectError::local("read", &spec.dir)(
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let id = format!("ckpt-{}", ulid::Ulid::generate());
    // The database first: a consistent copy needs no pause.
    let mut replace = BTreeMap::new();
    let mut skip = Vec::new();
    let mut sqlite_copy = None;
    let mut raw_copy = None;
    if let Some(db) = &p.db {
        let (copy, raw) = sqlite::copy_ship_keep(p, db).await?;
        sqlite_copy = Some(copy.copy_id);
        if let Ok(rel) = db.path.strip_prefix(&spec.dir) {
            replace.insert(rel.to_owned(), raw.clone());
            for suffix in ["-wal", "-shm", "-journal"] {
                let mut name = rel.as_os_str().to_owned();
                name.push(suffix);
                skip.push(PathBuf::from(name));
            }
        }
        raw_copy = Some(raw);
    }
    let out = p.temp("checkpoint");
    let created_at = Utc::now();
    let quiet = Quiet::begin(sup, spec.quiesce).await;
    let (dir, file) = (spec.dir.clone(), out.clone());
    let packed = tokio::task::spawn_blocking(move || archive::pack(&dir, &file, &replace, &skip))
        .await
        .map_err(|e| ProtectError::local("pack", &out)(std::io::Error::other(e)));
    quiet.end(p, sup).await;
    if let Some(raw) = raw_copy {
        let _ = std::fs::remove_file(raw);
    }
    let result = async {
        let packed = packed?.map_err(ProtectError::local("pack", &spec.dir))?;
        let up = p.target.upload_blob(&data_key(&id), &out).await?;
        let manifest = CheckpointManifest {
            format: 1,
            checkpoint_id: id.clone(),
            created_at,
            state_dir: spec.dir.clone(),
            size: up.size,
            sha256: up.sha256,
            files: packed.files,
            bytes: packed.bytes,
            quiesce: spec.quiesce,
            sqlite_copy,
            lease_epoch: epoch,
            source_host: crate::backup::host_name(),
            created_by: format!("stmgr {}", env!("CARGO_PKG_VERSION")),
        };
        p.fence()?;
        p.target
            .create_manifest(&manifest_key(&id), &manifest)
            .await?;
        Ok(manifest)
    }
    .await;
    let _ = std::fs::remove_file(&out);
    if let Ok(m) = &result {
        tracing::info!(checkpoint = %m.checkpoint_id, size = m.size, "checkpoint made");
        p.update(|s| s.last_checkpoint = Some(m.clone()));
    }
    result
}

/// Restores checkpoint `id`; see the module doc.
///
/// # Errors
/// [`ProtectError::NotFound`], a damaged archive ([`BackupError::Corrupt`]): in both cases
/// nothing changed; the lease, the swap.
pub async fn restore(
    p: &Protection,
    sup: &Supervisor,
    id: &str,
) -> Result<RestoreReport, ProtectError> {
    let spec = p
        .state
        .clone()
        .ok_or(ProtectError::NotEnabled("[state] (a state directory)"))?;
    if !valid_id(id) {
        return Err(ProtectError::Invalid(format!(
            "{id:?} is not a checkpoint id (ckpt-<ULID>; `stmgr supervise checkpoints` lists them)"
        )));
    }
    p.fence()?;
    let _op = p.op.try_lock().map_err(|_| ProtectError::Busy)?;
    let manifest: CheckpointManifest = match p.target.read_manifest_at(&manifest_key(id)).await {
        Ok(m) => m,
        Err(BackupError::NotFound { .. }) => return Err(ProtectError::NotFound(id.to_owned())),
        Err(e) => return Err(e.into()),
    };
    let download = p.temp("restore");
    let fetched = p
        .target
        .download_blob(&data_key(id), &download, manifest.size, &manifest.sha256)
        .await;
    if let Err(e) = fetched {
        return Err(match e {
            BackupError::NotFound { .. } => ProtectError::Invalid(format!(
                "checkpoint {id} has a manifest but no archive: {e}"
            )),
            e => e.into(),
        });
    }
    let target = spec.dir.clone();
    let parent = target.parent().unwrap_or(Path::new("/")).to_owned();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let staged = parent.join(format!(".{name}.restore-{}", ulid::Ulid::generate()));
    let (file, into) = (download.clone(), staged.clone());
    let unpacked = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(into.parent().unwrap_or(Path::new("/")))?;
        archive::unpack(&file, &into)
    })
    .await
    .map_err(|e| ProtectError::local("unpack", &staged)(std::io::Error::other(e)));
    let _ = std::fs::remove_file(&download);
    let unpacked = unpacked.and_then(|r| r.map_err(ProtectError::local("unpack", &staged)));
    if let Err(e) = unpacked {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    // Verified and staged: now the processes stop and the directories change places.
    sup.hold(&format!("restoring checkpoint {id}")).await;
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = parent.join(format!("{name}.before-{id}-{stamp}"));
    let swapped = swap(&staged, &target, &aside);
    if swapped.is_err() {
        let _ = std::fs::remove_dir_all(&staged);
    }
    p.resume(sup).await;
    let kept_aside = swapped?;
    tracing::info!(checkpoint = id, kept_aside = ?kept_aside, "checkpoint restored");
    p.update(|s| s.last_checkpoint = Some(manifest.clone()));
    Ok(RestoreReport {
        checkpoint: manifest,
        kept_aside,
    })
}

/// Puts `staged` at `target`, the old `target` (if any) at `aside`.
fn swap(staged: &Path, target: &Path, aside: &Path) -> Result<Option<PathBuf>, ProtectError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    let parent = target.parent().unwrap_or(Path::new("/"));
    let kept = if target.exists() {
        match renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => {
                std::fs::rename(staged, aside).map_err(ProtectError::local("rename", staged))?
            }
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
                std::fs::rename(target, aside).map_err(ProtectError::local("rename", target))?;
                std::fs::rename(staged, target).map_err(ProtectError::local("rename", staged))?;
            }
            Err(e) => return Err(ProtectError::local("exchange", target)(e.into())),
        }
        Some(aside.to_owned())
    } else {
        std::fs::rename(staged, target).map_err(ProtectError::local("rename", staged))?;
        None
    };
    std::fs::File::open(parent)
        .and_then(|d| d.sync_all())
        .map_err(ProtectError::local("sync", parent))?;
    Ok(kept)
}

/// The processes made quiet for a copy, and set going again after.
struct Quiet {
    mode: Quiesce,
    paused: Vec<String>,
}

impl Quiet {
    async fn begin(sup: &Supervisor, mode: Quiesce) -> Quiet {
        let mut paused = Vec::new();
        match mode {
            Quiesce::None => {}
            Quiesce::Stop => sup.hold("stopped for a checkpoint").await,
            Quiesce::Pause => {
                for s in sup.status() {
                    if s.state == State::Running
                        && sup.signal_process(&s.name, Signal::SIGSTOP).await.is_ok()
                    {
                        paused.push(s.name);
                    }
                }
            }
        }
        Quiet { mode, paused }
    }

    async fn end(self, p: &Protection, sup: &Supervisor) {
        match self.mode {
            Quiesce::None => {}
            Quiesce::Stop => p.resume(sup).await,
            Quiesce::Pause => {
                for name in self.paused {
                    if let Err(e) = sup.signal_process(&name, Signal::SIGCONT).await {
                        tracing::warn!(instance = %name, error = %e, "SIGCONT after the checkpoint failed");
                    }
                }
            }
        }
    }
}
