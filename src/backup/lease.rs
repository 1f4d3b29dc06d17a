//! A lease with fencing in a backup location: at most one holder at a time for one name, for
//! `supervise`, flows and replication (`leases/<name>.json`).
//!
//! The object holds a [`LeaseState`]: holder, **epoch**, expiry. Every change is a
//! compare-and-swap on the object (see `lease_cas`), so of two contenders exactly one
//! write lands:
//! - **acquire**: no object → conditional create with epoch 1; an object that is released or
//!   expired → conditional replace of that version with epoch + 1; a live one → [`LeaseHeld`].
//! - **renew**: the holder replaces its own version with a later expiry, same epoch; if the
//!   version changed (taken after expiry, broken) → [`LeaseLost`], and the holder must stop.
//! - **release**: the holder marks its own version released; never anyone else's.
//! - **force-break**: an operator marks whatever version is there released, keeping its epoch
//!   (`broken_by` says who); the old holder's next renew fails.
//!
//! The epoch only grows (the object is never deleted: deleting it by hand would start epochs
//! at 1 again), so it is the fencing token: whoever acts under a lease passes its epoch along,
//! and whatever it writes to can refuse an epoch lower than one it has seen. Expiry compares
//! the writer's clock with `expires_at`: clocks of contenders must agree to well within the
//! TTL. Renew at a fraction (a third) of the TTL.
//!
//! [`LeaseHeld`]: BackupError::LeaseHeld
//! [`LeaseLost`]: BackupError::LeaseLost

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{BackupError, Result};
use super::layout::{MANIFEST_FORMAT, keys, valid_lease_name};
use super::lease_cas::{Cas, CasObject, Version};
use super::target::Target;

/// The lease object's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseState {
    /// Document format.
    pub format: u32,
    /// Lease name.
    pub name: String,
    /// Who holds (or last held) it.
    pub holder: String,
    /// The fencing token: grows by one with every acquisition.
    pub epoch: u64,
    /// When this epoch was acquired.
    pub acquired_at: DateTime<Utc>,
    /// Last renewal.
    pub renewed_at: DateTime<Utc>,
    /// It is free after this, unless renewed.
    pub expires_at: DateTime<Utc>,
    /// Released by its holder or broken: free now.
    pub released: bool,
    /// Who broke it, when it was broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_by: Option<String>,
    /// Unique per write, so no two writes have the same bytes (and ETag).
    pub write_id: String,
}

impl LeaseState {
    /// Held by someone at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        !self.released && self.expires_at > now
    }
}

/// A held lease: what its holder keeps to renew or release it.
#[derive(Debug, Clone)]
pub struct LeaseGrant {
    /// The state as this holder last wrote it.
    pub state: LeaseState,
    version: Version,
}

impl LeaseGrant {
    /// The fencing token.
    pub fn epoch(&self) -> u64 {
        self.state.epoch
    }
}

/// One named lease in a location.
pub struct Lease {
    name: String,
    object: CasObject,
}

fn ttl_delta(ttl: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(ttl).unwrap_or(chrono::TimeDelta::MAX)
}

const ATTEMPTS: usize = 5;

impl Target {
    /// The lease `name` (1 to 64 letters, digits, `-`, `_`, `.`).
    ///
    /// # Errors
    /// [`BackupError::InvalidLocation`] for a bad name.
    pub fn lease(&self, name: &str) -> Result<Lease> {
        if !valid_lease_name(name) {
            return Err(BackupError::InvalidLocation {
                url: self.url(&keys::lease(name)),
                reason: "a lease name is 1 to 64 letters, digits, '-', '_' or '.'".into(),
            });
        }
        Ok(Lease {
            name: name.to_owned(),
            object: CasObject::new(
                self,
                keys::lease(name),
                format!("{}/{name}.lock", keys::LEASES),
            ),
        })
    }
}

impl Target {
    /// Checks that the target honours conditional writes, which leases rely on: creating an
    /// existing object and replacing an object whose version changed must both be refused. A
    /// server that ignores `If-None-Match`/`If-Match` would let two holders in; call this once
    /// before trusting a new endpoint with leases. Leaves nothing behind.
    ///
    /// # Errors
    /// [`BackupError::Unsupported`] naming what the server accepted, the target's errors.
    pub async fn check_conditional_writes(&self) -> Result<()> {
        let key = format!("{}/probe-{}.json", keys::LEASES, ulid::Ulid::generate());
        let lock = format!("{key}.lock");
        let probe = CasObject::new(self, key.clone(), lock.clone());
        let unsupported = |what: &str| BackupError::Unsupported {
            url: probe.url(),
            reason: format!("the target {what}: leases need conditional writes"),
        };
        let result = async {
            let Cas::Written(v1) = probe
                .write(None, Bytes::from_static(b"{\"probe\":1}"))
                .await?
            else {
                return Err(unsupported("refused to create a new object conditionally"));
            };
            if let Cas::Written(_) = probe
                .write(None, Bytes::from_static(b"{\"probe\":2}"))
                .await?
            {
                return Err(unsupported(
                    "let a conditional create replace an existing object",
                ));
            }
            let Cas::Written(_) = probe
                .write(Some(&v1), Bytes::from_static(b"{\"probe\":3}"))
                .await?
            else {
                return Err(unsupported("refused a replace of the current version"));
            };
            if let Cas::Written(_) = probe
                .write(Some(&v1), Bytes::from_static(b"{\"probe\":4}"))
                .await?
            {
                return Err(unsupported("let a replace of an old version through"));
            }
            Ok(())
        }
        .await;
        self.delete(&key).await?;
        if self.local_root().is_some() {
            self.delete(&lock).await?;
        }
        result
    }
}

impl Lease {
    /// The lease object's URL.
    pub fn url(&self) -> String {
        self.object.url()
    }

    /// The stored state, `None` when the lease was never taken.
    ///
    /// # Errors
    /// [`BackupError::Corrupt`] when it does not parse, the target's errors.
    pub async fn state(&self) -> Result<Option<LeaseState>> {
        Ok(self.read().await?.map(|(s, _)| s))
    }

    async fn read(&self) -> Result<Option<(LeaseState, Version)>> {
        let Some((bytes, version)) = self.object.read().await? else {
            return Ok(None);
        };
        let state: LeaseState = serde_json::from_slice(&bytes)
            .map_err(|e| BackupError::corrupt(self.url(), format!("lease does not parse: {e}")))?;
        Ok(Some((state, version)))
    }

    async fn write(&self, expected: Option<&Version>, state: &LeaseState) -> Result<Cas> {
        let body = serde_json::to_vec_pretty(state)
            .map_err(|e| BackupError::corrupt(self.url(), e.to_string()))?;
        self.object.write(expected, Bytes::from(body)).await
    }

    fn held(&self, s: &LeaseState) -> BackupError {
        BackupError::LeaseHeld {
            url: self.url(),
            holder: s.holder.clone(),
            epoch: s.epoch,
            expires_at: s.expires_at.to_rfc3339(),
        }
    }

    /// Takes the lease for `holder` for `ttl`, if nobody holds it.
    ///
    /// # Errors
    /// [`BackupError::LeaseHeld`] naming the holder, the target's errors.
    pub async fn acquire(&self, holder: &str, ttl: Duration) -> Result<LeaseGrant> {
        let mut last = None;
        for _ in 0..ATTEMPTS {
            let now = Utc::now();
            let current = self.read().await?;
            let (epoch, expected) = match &current {
                None => (1, None),
                Some((s, _)) if s.is_live(now) => return Err(self.held(s)),
                Some((s, v)) => (s.epoch + 1, Some(v)),
            };
            let state = LeaseState {
                format: MANIFEST_FORMAT,
                name: self.name.clone(),
                holder: holder.to_owned(),
                epoch,
                acquired_at: now,
                renewed_at: now,
                expires_at: now + ttl_delta(ttl),
                released: false,
                broken_by: None,
                write_id: ulid::Ulid::generate().to_string(),
            };
            match self.write(expected, &state).await? {
                Cas::Written(version) => {
                    tracing::info!(url = %self.url(), holder, epoch, "lease acquired");
                    return Ok(LeaseGrant { state, version });
                }
                Cas::Conflict => last = current.map(|(s, _)| s),
            }
        }
        // Lost every race: someone else is taking it.
        match self.state().await? {
            Some(s) => Err(self.held(&s)),
            None => Err(self.held(&last.unwrap_or_else(|| unknown(&self.name)))),
        }
    }

    /// Extends a held lease to `ttl` from now.
    ///
    /// # Errors
    /// [`BackupError::LeaseLost`] when it is no longer this grant's (the holder must stop acting
    /// under it), the target's errors.
    pub async fn renew(&self, grant: &mut LeaseGrant, ttl: Duration) -> Result<()> {
        let now = Utc::now();
        let mut state = grant.state.clone();
        state.renewed_at = now;
        state.expires_at = now + ttl_delta(ttl);
        state.write_id = ulid::Ulid::generate().to_string();
        match self.write(Some(&grant.version), &state).await? {
            Cas::Written(version) => {
                *grant = LeaseGrant { state, version };
                Ok(())
            }
            Cas::Conflict => Err(self.lost(grant)),
        }
    }

    /// Releases a held lease; the next acquirer gets the next epoch at once.
    ///
    /// # Errors
    /// [`BackupError::LeaseLost`] when it was no longer this grant's (nothing is changed).
    pub async fn release(&self, grant: LeaseGrant) -> Result<()> {
        let mut state = grant.state.clone();
        state.released = true;
        state.expires_at = Utc::now();
        state.write_id = ulid::Ulid::generate().to_string();
        match self.write(Some(&grant.version), &state).await? {
            Cas::Written(_) => Ok(()),
            Cas::Conflict => Err(self.lost(&grant)),
        }
    }

    /// Breaks the lease whoever holds it (an operator's decision, after making sure the holder
    /// is gone): it becomes free with its epoch kept, so the next holder's epoch is higher than
    /// the broken one's. Returns the state that was broken (`None`: never taken; a released
    /// state is returned as it is, unchanged).
    ///
    /// # Errors
    /// The target's errors; [`BackupError::LeaseHeld`] when it kept changing under us.
    pub async fn force_break(&self, by: &str) -> Result<Option<LeaseState>> {
        for _ in 0..ATTEMPTS {
            let Some((s, v)) = self.read().await? else {
                return Ok(None);
            };
            if s.released {
                return Ok(Some(s));
            }
            let mut broken = s.clone();
            broken.released = true;
            broken.expires_at = Utc::now();
            broken.broken_by = Some(by.to_owned());
            broken.write_id = ulid::Ulid::generate().to_string();
            if let Cas::Written(_) = self.write(Some(&v), &broken).await? {
                tracing::warn!(url = %self.url(), holder = %s.holder, epoch = s.epoch, by, "lease broken");
                return Ok(Some(s));
            }
        }
        match self.state().await? {
            Some(s) => Err(self.held(&s)),
            None => Ok(None),
        }
    }

    fn lost(&self, grant: &LeaseGrant) -> BackupError {
        BackupError::LeaseLost {
            url: self.url(),
            epoch: grant.state.epoch,
        }
    }
}

fn unknown(name: &str) -> LeaseState {
    LeaseState {
        format: MANIFEST_FORMAT,
        name: name.to_owned(),
        holder: "(unknown)".into(),
        epoch: 0,
        acquired_at: DateTime::<Utc>::default(),
        renewed_at: DateTime::<Utc>::default(),
        expires_at: DateTime::<Utc>::default(),
        released: false,
        broken_by: None,
        write_id: String::new(),
    }
}
