//! Flows (issue 20): named sets of supervised workers, deployed from a manifest and managed by
//! the server. [`manifest`] reads and checks a flow's manifest; [`FlowManager`] keeps each flow's
//! manifest and desired state in the engine ([`crate::store::state::flows`]), runs its workers
//! with a [`crate::supervisor::Supervisor`] of its own (one supervised process per replica, in
//! `DATA_DIR/flows/NAME/`), rolls deploys out replica by replica gated on readiness (and back to
//! the previous manifest when a replica never becomes ready), and brings every flow back as it
//! was when the server starts. [`code`] snapshots each worker's code directory at deploy, so
//! a rollback runs the previous code as well as the previous manifest. [`wire`] holds what the
//! HTTP API and the CLI exchange; [`procfs`] reads a replica's CPU and memory from `/proc`;
//! [`events`] records what happens to flows in the engine's event journal and streams it.
//!
//! This module never prints; the HTTP layer (`api::v1::flows`) is a thin layer over
//! [`FlowManager`].

pub mod code;
pub mod events;
mod link;
pub mod manager;
pub mod manifest;
pub mod procfs;
mod rollout;
mod runtime;
pub mod socket;
pub mod wire;

pub use manager::{FlowLogs, FlowManager, FlowOptions, LogRequest};
pub use manifest::{Format, Manifest, RESERVED_FLOW_NAMES};

/// Errors of the flow manager.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The manifest does not parse or check; the message names the field.
    #[error("manifest: {message}")]
    Manifest {
        /// What is wrong, field first.
        message: String,
    },
    /// A request is not valid (a scale to an unknown worker, …).
    #[error("{0}")]
    Invalid(String),
    /// No flow has this name.
    #[error("no flow named {0:?}")]
    NotFound(String),
    /// The flow has no replica of this name.
    #[error("flow {flow} has no replica {replica:?} (its replicas: {known})")]
    NoReplica {
        /// The flow.
        flow: String,
        /// The replica asked for.
        replica: String,
        /// The flow's replicas, comma-separated.
        known: String,
    },
    /// The flow is being deployed; the request waits for no one.
    #[error("flow {0:?} is being deployed; wait for the deploy to finish")]
    Busy(String),
    /// The supervisor refused or failed.
    #[error("supervisor: {0}")]
    Supervisor(#[from] crate::supervisor::SupervisorError),
    /// The engine refused or failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A replica's control socket did not answer.
    #[error(transparent)]
    Socket(#[from] socket::SocketError),
    /// The manager is shutting down.
    #[error("the flow manager is shutting down")]
    Closed,
}
