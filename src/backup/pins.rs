//! Pins: a restore in progress marks the snapshot it reads, so that a prune run meanwhile (from
//! another machine) keeps it. `pins/<snapshot_id>/<ULID>.json` holds the holder and an expiry;
//! a pin past its expiry (a restore that died) no longer counts.

use std::collections::BTreeSet;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use object_store::PutMode;
use serde::{Deserialize, Serialize};

use super::error::{BackupError, Result};
use super::layout::valid_snapshot_id;
use super::snapshots::host_name;
use super::target::Target;

/// Folder of pins.
const PINS: &str = "pins";

/// The body of a pin.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PinFile {
    snapshot_id: String,
    holder: String,
    expires_at: DateTime<Utc>,
}

/// A pin held by this process; remove it with [`Target::unpin`].
#[derive(Debug, Clone)]
pub struct Pin {
    key: String,
}

impl Target {
    /// Pins snapshot `id` for `ttl` (a restore reading it).
    ///
    /// # Errors
    /// The target's errors.
    pub async fn pin_snapshot(&self, id: &str, ttl: Duration) -> Result<Pin> {
        let key = format!("{PINS}/{id}/{}.json", ulid::Ulid::generate());
        let body = PinFile {
            snapshot_id: id.to_owned(),
            holder: format!("{} pid {}", host_name(), std::process::id()),
            expires_at: Utc::now()
                + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(6)),
        };
        let bytes = serde_json::to_vec_pretty(&body)
            .map_err(|e| BackupError::corrupt(self.url(&key), e.to_string()))?;
        self.put_bytes(&key, Bytes::from(bytes), PutMode::Create)
            .await?;
        Ok(Pin { key })
    }

    /// Removes a pin.
    ///
    /// # Errors
    /// The target's errors.
    pub async fn unpin(&self, pin: Pin) -> Result<()> {
        self.delete(&pin.key).await.map(|_| ())
    }

    /// The snapshots with a pin that has not expired at `now`.
    ///
    /// # Errors
    /// The target's errors.
    pub async fn pinned_snapshots(&self, now: DateTime<Utc>) -> Result<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        for o in self.list(PINS).await? {
            let key = self.rel(&o.location).to_owned();
            let Some(id) = key.split('/').nth(1).filter(|id| valid_snapshot_id(id)) else {
                continue;
            };
            if out.contains(id) {
                continue;
            }
            let live = match self.get_bytes(&key).await {
                Ok((b, _)) => serde_json::from_slice::<PinFile>(&b)
                    .map(|p| p.expires_at > now)
                    // An unreadable pin counts: keeping a snapshot too long is the safe side.
                    .unwrap_or(true),
                Err(BackupError::NotFound { .. }) => false,
                Err(e) => return Err(e),
            };
            if live {
                out.insert(id.to_owned());
            }
        }
        Ok(out)
    }
}
