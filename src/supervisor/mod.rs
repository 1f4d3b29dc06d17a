//! Process supervision: the library behind `stmgr supervise` (and the flows of issue 20).
//!
//! [`Supervisor`] runs the processes of a [`Config`] (`[process.NAME]` tables, each with
//! `replicas` instances), each child in a session and process group of its own, started and
//! reaped by one [`reaper::Reaper`] (a child subreaper in the `supervise` command, so
//! grandchildren are reaped too). Each instance is a task ([`instance`]) with the states of
//! [`State`]: restart policy, capped exponential backoff with jitter ([`backoff`]), a start
//! limit leading to FATAL, readiness and liveness ([`probe`], [`notify`]), stop by signal to
//! the whole group then SIGKILL after `timeout_stop`. Dependencies start in order and stop in
//! reverse ([`manager`]); output goes to rotated files ([`logs`]); what a killed supervisor left
//! running is killed at the next start ([`leftovers`]); signals listed in `forward_signals` are
//! passed on to the process groups ([`forward`]). State protection ([`protect`]): checkpoints
//! of a state directory, SQLite copies and a lease in object storage; processes are held
//! stopped while the lease is not held or a restore swaps the directory.
//!
//! This module never prints: output lines to echo and state changes are channels
//! ([`Supervisor::echo`], [`Supervisor::subscribe`]). The control interface (`api::control`) is
//! a thin HTTP layer over [`Supervisor`].

pub mod backoff;
pub mod child;
pub mod config;
pub mod forward;
pub mod instance;
pub mod leftovers;
pub mod logs;
pub mod manager;
pub mod notify;
pub mod probe;
pub mod protect;
pub mod reaper;
pub mod shared;
pub mod signals;
pub mod spawn;
pub mod state;

pub use config::{Condition, Config, ProcessSpec, RestartPolicy};
pub use forward::Forwarder;
pub use manager::{Options, ReloadReport, Supervisor};
pub use reaper::ExitStatus;
pub use state::{Event, InstanceStatus, State};

/// Errors of the supervisor.
#[derive(Debug, thiserror::Error)]
pub enum SupervisorError {
    /// The configuration is not valid.
    #[error("configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// An instance could not be started.
    #[error("{instance}: {message}")]
    Spawn {
        /// The instance.
        instance: String,
        /// Why.
        message: String,
    },
    /// No process or instance has this name.
    #[error("no process or instance named {0:?}")]
    NotFound(String),
    /// The instance is not running (a signal needs a running process).
    #[error("{0} is not running")]
    NotRunning(String),
    /// A signal could not be sent.
    #[error("signal to {instance}: {message}")]
    Signal {
        /// The instance.
        instance: String,
        /// Why.
        message: String,
    },
    /// A configuration is already in place (`POST /config` is only for an unconfigured
    /// supervisor).
    #[error("the supervisor is already configured")]
    AlreadyConfigured,
    /// No configuration yet.
    #[error("the supervisor is not configured yet")]
    NotConfigured,
    /// A file of the state directory could not be read or written.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was done.
        op: &'static str,
        /// To which file.
        path: std::path::PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The supervisor is shutting down.
    #[error("the supervisor is shutting down")]
    Closed,
    /// The processes are held stopped by state protection (no lease, a restore).
    #[error("the processes are held stopped: {0}")]
    Held(String),
}
