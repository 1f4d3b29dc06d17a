//! The configuration of state protection: the `[state]`, `[db]` and `[leaser]` tables beside
//! `[storage]` and `stacks`, their defaults and their checks.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::supervisor::config::{Config, humantime_serde};

/// `[state]`: the directory `checkpoint` copies and `restore` swaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateSpec {
    /// The state directory (absolute).
    pub dir: PathBuf,
    /// What happens to the processes while the directory is copied.
    #[serde(default)]
    pub quiesce: Quiesce,
}

/// What a checkpoint does to the processes around the copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quiesce {
    /// SIGSTOP to every running process group before, SIGCONT after.
    #[default]
    Pause,
    /// Stop every process (dependents first) before, start them again after.
    Stop,
    /// Copy while they run (the copy may catch a file half written).
    None,
}

/// `[db]`: the SQLite database of the `db` stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbSpec {
    /// The database file (absolute).
    pub path: PathBuf,
    /// Name of its copies in the bucket [default: the file name without extension].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Time between copies.
    #[serde(default = "one_minute", with = "humantime_serde")]
    pub interval: Duration,
    /// Copies kept in the bucket (older ones are deleted after each copy).
    #[serde(default = "twenty_four")]
    pub keep: u32,
}

/// `[leaser]`: the lease of the `leaser` stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaserSpec {
    /// The lease's name (`leases/NAME.json` in the bucket).
    #[serde(default = "supervise")]
    pub name: String,
    /// How long a grant lasts without renewal.
    #[serde(default = "thirty_seconds", with = "humantime_serde")]
    pub ttl: Duration,
    /// Time between renewals (less than a third of `ttl` is wise).
    #[serde(default = "ten_seconds", with = "humantime_serde")]
    pub renew_every: Duration,
    /// Time between attempts while another holder has it.
    #[serde(default = "one_second", with = "humantime_serde")]
    pub retry_every: Duration,
    /// The holder's name [default: HOST-PID].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

impl Default for LeaserSpec {
    fn default() -> Self {
        LeaserSpec {
            name: supervise(),
            ttl: thirty_seconds(),
            renew_every: ten_seconds(),
            retry_every: one_second(),
            holder: None,
        }
    }
}

impl DbSpec {
    /// The name of its copies.
    pub fn copy_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "db".to_owned())
        })
    }
}

fn supervise() -> String {
    "supervise".to_owned()
}
fn twenty_four() -> u32 {
    24
}
fn one_second() -> Duration {
    Duration::from_secs(1)
}
fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}
fn thirty_seconds() -> Duration {
    Duration::from_secs(30)
}
fn one_minute() -> Duration {
    Duration::from_secs(60)
}

fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks the protection part of `config`; the message names the first problem.
///
/// # Errors
/// What is wrong, in words.
pub fn validate(config: &Config) -> Result<(), String> {
    let db_stack = config.stacks.iter().any(|s| s == "db");
    let lease_stack = config.stacks.iter().any(|s| s == "leaser");
    let wants_storage = config.state.is_some() || db_stack || lease_stack;
    if wants_storage && config.storage.is_none() {
        return Err("[state], the db stack and the leaser stack need a [storage] table".into());
    }
    // Checked only when used: a [storage] table alone is kept and shown, as the Go tool's.
    if let Some(s) = &config.storage
        && wants_storage
    {
        s.resolve().map_err(|e| format!("storage: {e}"))?;
    }
    if let Some(st) = &config.state
        && !st.dir.is_absolute()
    {
        return Err(format!(
            "state.dir {}: give an absolute path",
            st.dir.display()
        ));
    }
    match (&config.db, db_stack) {
        (Some(_), false) => return Err("a [db] table without \"db\" in stacks".into()),
        (None, true) => return Err("the db stack needs a [db] table with its path".into()),
        (Some(db), true) => {
            if !db.path.is_absolute() {
                return Err(format!(
                    "db.path {}: give an absolute path",
                    db.path.display()
                ));
            }
            if !name_ok(&db.copy_name()) {
                return Err(format!(
                    "db name {:?}: letters, digits, '-' and '_' (set db.name)",
                    db.copy_name()
                ));
            }
            if db.keep == 0 || db.interval < Duration::from_millis(100) {
                return Err("db.keep must be ≥ 1 and db.interval ≥ 100ms".into());
            }
        }
        (None, false) => {}
    }
    match (&config.leaser, lease_stack) {
        (Some(_), false) => return Err("a [leaser] table without \"leaser\" in stacks".into()),
        (Some(l), true) => {
            if !name_ok(&l.name) {
                return Err(format!(
                    "leaser.name {:?}: letters, digits, '-' and '_'",
                    l.name
                ));
            }
            if l.renew_every.is_zero() || l.renew_every * 2 > l.ttl || l.retry_every.is_zero() {
                return Err(
                    "leaser: renew_every and retry_every must be > 0 and renew_every ≤ ttl/2"
                        .into(),
                );
            }
        }
        _ => {}
    }
    Ok(())
}
