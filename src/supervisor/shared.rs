//! What every instance task shares: the reaper, where logs and notify sockets go, the event
//! and echo channels, and the record of running children.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use tokio::sync::broadcast;

use super::leftovers::Children;
use super::logs::{EchoLine, Reopen};
use super::reaper::Reaper;
use super::state::{Event, InstanceStatus};

/// Shared by the supervisor and its instance tasks.
pub struct Shared {
    /// Starts and reaps every child.
    pub reaper: Reaper,
    /// Log files.
    pub log_dir: PathBuf,
    /// Notify sockets.
    pub notify_dir: PathBuf,
    /// Makes every log file reopen.
    pub reopen: Reopen,
    /// Output lines of processes with `log.echo`.
    pub echo: broadcast::Sender<EchoLine>,
    /// Every state change; a slow subscriber loses the oldest (and is told it lagged).
    pub events: broadcast::Sender<Event>,
    /// Sequence number of the last event; held while it is sent, so subscribers get events in
    /// the order of their numbers.
    pub seq: Mutex<u64>,
    /// Running children, for the cleanup after a crash of the supervisor.
    pub children: Children,
}

impl Shared {
    /// Sends an event for `status`.
    pub fn publish(&self, status: InstanceStatus) {
        let mut seq = self.seq.lock().unwrap_or_else(PoisonError::into_inner);
        *seq += 1;
        let _ = self.events.send(Event { seq: *seq, status });
    }
}
