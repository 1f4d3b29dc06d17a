//! The states of an instance and what status and events show of it (wire types, shared by the
//! control interface and its client).

use serde::{Deserialize, Serialize};

use super::reaper::ExitStatus;

/// Where an instance is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    /// Not running: never started, or stopped on purpose.
    Stopped,
    /// Waiting for its dependencies, or being started.
    Starting,
    /// Running (see `ready`).
    Running,
    /// Exited and waiting for its restart delay.
    Backoff,
    /// Asked to stop; waiting for its process group to end.
    Stopping,
    /// Exited and, by its restart policy, not restarted.
    Exited,
    /// Given up on (start limit, or it cannot be started); `start` resets it.
    Fatal,
}

impl State {
    /// The name as shown (`RUNNING`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Stopped => "STOPPED",
            State::Starting => "STARTING",
            State::Running => "RUNNING",
            State::Backoff => "BACKOFF",
            State::Stopping => "STOPPING",
            State::Exited => "EXITED",
            State::Fatal => "FATAL",
        }
    }
}

/// One instance as `status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceStatus {
    /// Instance name (`web`, `web.1`).
    pub name: String,
    /// Its process (`web`).
    pub process: String,
    /// Its state.
    pub state: State,
    /// Whether its readiness probe passed in this run (true without a probe once running).
    pub ready: bool,
    /// Its pid (and process group) while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    /// When the current run started (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Automatic restarts so far.
    pub restarts: u64,
    /// How its last run ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exit: Option<ExitStatus>,
    /// Why it is in this state (BACKOFF, EXITED, FATAL, a failed probe, a failed dependency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it entered this state (RFC 3339).
    pub since: String,
}

impl InstanceStatus {
    /// A fresh, stopped instance.
    pub fn new(name: &str, process: &str) -> InstanceStatus {
        InstanceStatus {
            name: name.to_owned(),
            process: process.to_owned(),
            state: State::Stopped,
            ready: false,
            pid: None,
            started_at: None,
            restarts: 0,
            last_exit: None,
            reason: None,
            since: crate::time::format_ts(crate::time::now_ms()),
        }
    }

    /// Seconds since the current run started, while running.
    pub fn uptime_secs(&self) -> Option<u64> {
        let started = crate::time::parse_ts(self.started_at.as_deref()?).ok()?;
        (self.state == State::Running)
            .then(|| u64::try_from((crate::time::now_ms() - started) / 1000).unwrap_or(0))
    }
}

/// What `GET /events` sends: an instance after one of its changes, with a sequence number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Increases by one with every event of this supervisor.
    pub seq: u64,
    /// The instance after the change.
    #[serde(flatten)]
    pub status: InstanceStatus,
}

/// What `GET /` of the control interface answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Whether a configuration is in place (`POST /config` answers 409 once it is).
    pub configured: bool,
    /// Every instance.
    pub processes: Vec<InstanceStatus>,
    /// The lease (leaser stack); null without it.
    pub lease: Option<super::protect::LeaseStatus>,
    /// The last checkpoint made or restored (null before the first).
    pub last_checkpoint: Option<super::protect::CheckpointManifest>,
    /// Milliseconds since the last SQLite copy (db stack); null without it.
    pub sqlite_lag_ms: Option<u64>,
    /// The SQLite copies (db stack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqlite: Option<super::protect::SqliteStatus>,
    /// Why the processes are held stopped (waiting for the lease, lease lost, a restore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
}
