//! State protection (issue 19 §3): checkpoints of a state directory, copies of a SQLite
//! database, and a lease, all kept in the object storage of [`crate::backup`].
//!
//! - [`checkpoint`]: `checkpoint` packs the `[state]` directory (never moved: a copy, with
//!   the processes paused or stopped around it) into `supervise/checkpoints/<id>.tar.zst` and
//!   writes its manifest (size, SHA-256) last; `restore ID` downloads, checks and unpacks the
//!   archive beside the directory first, then stops the processes, swaps the directories
//!   (the old one kept aside) and starts them. A missing or damaged checkpoint changes
//!   nothing.
//! - [`sqlite`]: the `db` stack copies the `[db]` file with SQLite's online backup API every
//!   `interval` and at every checkpoint, ships the copies with retention, and restores the
//!   newest one before the processes start when the file is missing.
//! - [`lease`]: the `leaser` stack takes the lease before the processes start, renews it,
//!   stops the processes when it cannot, and releases it at a clean shutdown. Every write to
//!   the bucket is fenced: it needs the lease held, and records its epoch.
//!
//! The supervisor holds its processes (see [`Supervisor::hold`]) while the lease is not held,
//! while the database is being restored and while a directory is swapped.

pub mod archive;
pub mod checkpoint;
pub mod lease;
mod ops;
pub mod spec;
pub mod sqlite;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

pub use checkpoint::{CheckpointManifest, RestoreReport};
pub use lease::{LeaseStatus, ReleaseReport};
pub use spec::{DbSpec, LeaserSpec, Quiesce, StateSpec};
pub use sqlite::{SqliteCopy, SqliteStatus};

use crate::backup::{BackupError, ErrorKind, Target, TargetConfig, TargetOptions};
use crate::supervisor::config::Config;
use crate::supervisor::manager::Supervisor;

/// Errors of state protection.
#[derive(Debug, thiserror::Error)]
pub enum ProtectError {
    /// The feature is not configured (no `[storage]`, `[state]`, `db` or `leaser`).
    #[error("{0} is not configured")]
    NotEnabled(&'static str),
    /// No checkpoint with this id.
    #[error("no checkpoint {0}")]
    NotFound(String),
    /// A malformed argument.
    #[error("{0}")]
    Invalid(String),
    /// The lease is needed and not held by this supervisor.
    #[error("the lease is not held by this supervisor: {0}")]
    LeaseNotHeld(String),
    /// Another checkpoint or restore runs.
    #[error("another checkpoint or restore is running")]
    Busy,
    /// The object storage.
    #[error(transparent)]
    Storage(#[from] BackupError),
    /// A local file.
    #[error("{op} {}: {source}", path.display())]
    Local {
        /// What was done.
        op: &'static str,
        /// To which path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// SQLite.
    #[error("SQLite {}: {message}", path.display())]
    Sqlite {
        /// The database.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl ProtectError {
    pub(crate) fn local(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_owned();
        move |source| ProtectError::Local { op, path, source }
    }

    /// Whether the object storage did not answer (worth retrying).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ProtectError::Storage(e) if e.kind() == ErrorKind::Unreachable)
    }
}

/// What `GET /` shows of state protection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtectStatus {
    /// The lease (leaser stack).
    pub lease: Option<LeaseStatus>,
    /// The last checkpoint made (or restored) by this supervisor.
    pub last_checkpoint: Option<CheckpointManifest>,
    /// The SQLite copies (db stack).
    pub sqlite: Option<SqliteStatus>,
}

/// The protection of one configuration: its bucket, its settings, its status and tasks.
pub struct Protection {
    pub(crate) target: Target,
    pub(crate) state: Option<StateSpec>,
    pub(crate) db: Option<DbSpec>,
    pub(crate) leaser: Option<LeaserSpec>,
    /// Temporary files (`STATE_DIR/protect`).
    pub(crate) work_dir: PathBuf,
    pub(crate) holder: String,
    pub(crate) status: Mutex<ProtectStatus>,
    /// One checkpoint, restore or SQLite copy at a time.
    pub(crate) op: tokio::sync::Mutex<()>,
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) lease_cmds: Mutex<Option<mpsc::Sender<lease::LeaseCmd>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Protection {
    /// The protection `config` asks for, `None` without `[storage]`.
    ///
    /// # Errors
    /// A storage table that does not resolve.
    pub fn from_config(
        config: &Config,
        state_dir: &Path,
    ) -> Result<Option<Arc<Protection>>, ProtectError> {
        let Some(storage) = &config.storage else {
            return Ok(None);
        };
        let (location, credentials) = storage.resolve()?;
        let target = Target::open(TargetConfig {
            location,
            credentials,
            options: TargetOptions::default(),
        })?;
        let lease_on = config.stacks.iter().any(|s| s == "leaser");
        let leaser = lease_on.then(|| config.leaser.clone().unwrap_or_default());
        let holder = leaser
            .as_ref()
            .and_then(|l| l.holder.clone())
            .unwrap_or_else(|| format!("{}-{}", crate::backup::host_name(), std::process::id()));
        let work_dir = state_dir.join("protect");
        std::fs::create_dir_all(&work_dir).map_err(ProtectError::local("create", &work_dir))?;
        // What a killed supervisor left half written.
        if let Ok(entries) = std::fs::read_dir(&work_dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(".tmp-") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(Some(Arc::new(Protection {
            target,
            state: config.state.clone(),
            db: config.db.clone(),
            leaser,
            work_dir,
            holder,
            status: Mutex::default(),
            op: tokio::sync::Mutex::new(()),
            stop: watch::channel(false).0,
            lease_cmds: Mutex::new(None),
            tasks: Mutex::default(),
        })))
    }

    /// Whether processes must wait for it before they start (a lease, or a database to restore).
    pub fn gates_start(&self) -> bool {
        self.leaser.is_some() || self.db.is_some()
    }

    /// What it shows now.
    pub fn status(&self) -> ProtectStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn update(&self, f: impl FnOnce(&mut ProtectStatus)) {
        f(&mut self.status.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// The lease's epoch when this supervisor may write: `Ok(None)` without a lease, the epoch
    /// while the lease is held and not expired.
    ///
    /// # Errors
    /// [`ProtectError::LeaseNotHeld`].
    pub fn fence(&self) -> Result<Option<u64>, ProtectError> {
        if self.leaser.is_none() {
            return Ok(None);
        }
        let s = self.status();
        match s.lease {
            Some(l) if l.state == lease::LeaseState::Held && l.is_unexpired() => Ok(l.epoch),
            Some(l) => Err(ProtectError::LeaseNotHeld(l.describe())),
            None => Err(ProtectError::LeaseNotHeld("not taken yet".into())),
        }
    }

    /// Starts its tasks: the lease keeper (which restores the database and releases the
    /// processes once it holds the lease), or without a lease the database restore, then the
    /// periodic SQLite copies.
    pub(crate) fn spawn(self: &Arc<Self>, sup: &Supervisor) {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        if self.leaser.is_some() {
            let (tx, rx) = mpsc::channel(8);
            *self
                .lease_cmds
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(tx);
            tasks.push(tokio::spawn(lease::keeper(self.clone(), sup.clone(), rx)));
        } else if self.db.is_some() {
            let (p, sup) = (self.clone(), sup.clone());
            tasks.push(tokio::spawn(async move {
                if p.prepare_db().await {
                    sup.unhold().await;
                }
            }));
        }
        if self.db.is_some() {
            tasks.push(tokio::spawn(sqlite::copier(self.clone())));
        }
        if self.state.is_some() {
            let p = self.clone();
            tasks.push(tokio::spawn(async move {
                if let Ok(list) = checkpoint::list(&p).await
                    && let Some(last) = list.into_iter().last()
                {
                    p.update(|s| {
                        s.last_checkpoint.get_or_insert(last);
                    });
                }
            }));
        }
    }

    /// Restores the database if it is missing, retrying while the bucket is unreachable;
    /// false when asked to stop first.
    pub(crate) async fn prepare_db(&self) -> bool {
        let Some(db) = &self.db else { return true };
        let mut stop = self.stop.subscribe();
        loop {
            match sqlite::restore_if_missing(self, db).await {
                Ok(_) => return true,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot restore the SQLite database yet; retrying");
                    self.update(|s| {
                        if let Some(q) = &mut s.sqlite {
                            q.last_error = Some(format!("restore: {e}"));
                        }
                    });
                }
            }
            tokio::select! {
                () = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
                _ = stop.wait_for(|s| *s) => return false,
            }
        }
    }

    /// Ends its tasks after the processes stopped: a last SQLite copy (when this supervisor
    /// may still write), then the lease is released.
    pub(crate) async fn shutdown(&self) {
        if let Some(db) = &self.db
            && self.fence().is_ok()
            && let Err(e) = sqlite::copy_and_ship(self, db).await
        {
            tracing::warn!(error = %e, "last SQLite copy failed");
        }
        let _ = self.stop.send(true);
        let tasks: Vec<_> =
            std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        for t in tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(30), t).await;
        }
    }

    /// A fresh temporary path in the work directory.
    pub(crate) fn temp(&self, what: &str) -> PathBuf {
        self.work_dir
            .join(format!(".tmp-{what}-{}", ulid::Ulid::generate()))
    }
}
