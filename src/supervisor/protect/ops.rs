//! State protection as [`Supervisor`] operations: what the control interface calls.

use super::checkpoint::{self, CheckpointManifest, RestoreReport};
use super::lease::{self, LeaseState, ReleaseReport};
use super::{ProtectError, ProtectStatus, Protection};
use crate::supervisor::manager::Supervisor;
use crate::supervisor::state::Overview;

impl Protection {
    /// Lets the processes start again after a hold of its own (a restore, a stopped
    /// checkpoint), unless the lease is needed and not held.
    pub(crate) async fn resume(&self, sup: &Supervisor) {
        let lease_ok = self.leaser.is_none()
            || self
                .status()
                .lease
                .is_some_and(|l| l.state == LeaseState::Held);
        if lease_ok {
            sup.unhold().await;
        }
    }
}

impl Supervisor {
    fn protect(&self, what: &'static str) -> Result<std::sync::Arc<Protection>, ProtectError> {
        self.protection().ok_or(ProtectError::NotEnabled(what))
    }

    /// Copies the state directory into a new checkpoint.
    ///
    /// # Errors
    /// See [`checkpoint::create`].
    pub async fn checkpoint(&self) -> Result<CheckpointManifest, ProtectError> {
        let p = self.protect("[storage] with [state]")?;
        checkpoint::create(&p, self).await
    }

    /// Every checkpoint in the bucket, oldest first.
    ///
    /// # Errors
    /// See [`checkpoint::list`].
    pub async fn checkpoints(&self) -> Result<Vec<CheckpointManifest>, ProtectError> {
        let p = self.protect("[storage] with [state]")?;
        checkpoint::list(&p).await
    }

    /// Puts checkpoint `id` in place of the state directory.
    ///
    /// # Errors
    /// See [`checkpoint::restore`].
    pub async fn restore(&self, id: &str) -> Result<RestoreReport, ProtectError> {
        let p = self.protect("[storage] with [state]")?;
        checkpoint::restore(&p, self, id).await
    }

    /// Releases this supervisor's lease (its processes stop first), or with `force` breaks
    /// whoever holds it.
    ///
    /// # Errors
    /// See [`lease::release`].
    pub async fn release_lease(&self, force: bool) -> Result<ReleaseReport, ProtectError> {
        let p = self.protect("the leaser stack")?;
        lease::release(&p, force).await
    }

    /// State protection's status (all `None` without it).
    pub fn protect_status(&self) -> ProtectStatus {
        let mut s = self.protection().map(|p| p.status()).unwrap_or_default();
        s.sqlite = s.sqlite.map(super::SqliteStatus::now);
        s
    }

    /// What `GET /` answers.
    pub fn overview(&self) -> Overview {
        let protect = self.protect_status();
        Overview {
            configured: self.is_configured(),
            processes: self.status(),
            sqlite_lag_ms: protect
                .sqlite
                .as_ref()
                .map(|q| (q.lag_seconds * 1000.0) as u64),
            lease: protect.lease,
            last_checkpoint: protect.last_checkpoint,
            sqlite: protect.sqlite,
            held: self.held(),
        }
    }
}
