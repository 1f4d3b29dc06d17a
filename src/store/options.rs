//! Engine tuning knobs: durability mode, WAL segment size, history window, watch buffers, and
//! the encryption key for data at rest.
//!
//! These are plain values; the CLI resolves them from flags, environment and the config file
//! (see `crate::config`) and hands the result to [`crate::store::Engine::open`].

use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::store::crypto::{EncryptionKey, Keyring};

/// When the WAL writer calls `fdatasync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// Every commit is synced before it is acknowledged (group commit batches concurrent writers).
    #[default]
    Always,
    /// The log is synced at most every `sync_interval`; a crash may lose the last interval.
    Interval,
    /// Never synced by the engine (tests and benchmarks only).
    Never,
}

impl fmt::Display for Durability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Durability::Always => "always",
            Durability::Interval => "interval",
            Durability::Never => "never",
        })
    }
}

impl FromStr for Durability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "always" => Ok(Durability::Always),
            "interval" => Ok(Durability::Interval),
            "never" => Ok(Durability::Never),
            other => Err(format!(
                "unknown durability mode {other:?} (expected always, interval or never)"
            )),
        }
    }
}

/// Everything [`crate::store::Engine::open`] needs besides the data directory.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// When to fdatasync the WAL.
    pub durability: Durability,
    /// Sync period in `interval` mode.
    pub sync_interval: Duration,
    /// A segment is closed and a new one started once it grows past this many bytes.
    pub segment_size: u64,
    /// Earlier versions kept per object (besides the current one).
    pub history_versions: usize,
    /// Earlier versions older than this are dropped.
    pub history_age: Duration,
    /// Events a watcher may have queued before it is ended with an overflow error.
    pub watch_buffer_events: usize,
    /// Bytes (encoded size) a watcher may have queued before it is ended with an overflow error.
    pub watch_buffer_bytes: usize,
    /// Recent commits kept in memory for watchers that resume (older ones are read from the WAL).
    pub watch_ring_events: usize,
    /// Period of the maintenance task (TTL expiry, history pruning).
    pub maintenance_interval: Duration,
    /// Source of commit timestamps (the system clock unless a test injects one).
    pub clock: Clock,
    /// Seals new WAL records and snapshots, and opens sealed ones (`None`: write plaintext;
    /// reading a sealed file then fails naming it). See [`crate::store::crypto`].
    pub encryption: Option<EncryptionKey>,
    /// A key that only opens sealed files (after a key change, or after encryption was turned
    /// off, while files sealed with it remain); never used to seal.
    pub previous_encryption: Option<EncryptionKey>,
    /// The PostgreSQL database the log lives in, shared with other servers (`None`: the
    /// embedded WAL in the data directory). See [`crate::store::pg`].
    pub backend: Option<String>,
    /// Test seam: called before every WAL write and sync; an error it returns acts as a failed
    /// write or sync (the engine is poisoned).
    pub fault: Option<Arc<dyn FaultHook>>,
}

/// Injected I/O failures (see [`EngineOptions::fault`]).
pub trait FaultHook: Send + Sync + fmt::Debug {
    /// Called before a WAL write.
    ///
    /// # Errors
    /// The error the write should fail with.
    fn before_write(&self, _path: &Path) -> io::Result<()> {
        Ok(())
    }
    /// Called before a WAL fdatasync.
    ///
    /// # Errors
    /// The error the sync should fail with.
    fn before_sync(&self, _path: &Path) -> io::Result<()> {
        Ok(())
    }
}

/// Milliseconds since the Unix epoch, from the system clock or an injected function.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<dyn Fn() -> i64 + Send + Sync>>);

impl Clock {
    /// A clock that calls `f`.
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Clock(Some(Arc::new(f)))
    }

    /// The current time in ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(f) => f(),
            None => chrono::Utc::now().timestamp_millis(),
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Clock(injected)"
        } else {
            "Clock(system)"
        })
    }
}

impl EngineOptions {
    /// The keys to read with (current and previous) and to seal with (current).
    pub fn keyring(&self) -> Keyring {
        Keyring::new(self.encryption.clone(), self.previous_encryption.clone())
    }
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            durability: Durability::Always,
            sync_interval: Duration::from_millis(100),
            segment_size: 64 * 1024 * 1024,
            history_versions: 16,
            history_age: Duration::from_secs(3600),
            watch_buffer_events: 10_000,
            watch_buffer_bytes: 64 * 1024 * 1024,
            watch_ring_events: 65_536,
            maintenance_interval: Duration::from_secs(1),
            clock: Clock::default(),
            encryption: None,
            previous_encryption: None,
            backend: None,
            fault: None,
        }
    }
}
