//! The workflow engine's pure building blocks, wire-compatible with the Exosphere state
//! manager and its `exospherehost` SDK: the wire and storage types, graph validation,
//! `${{ … }}` templating, retry delays and cron schedules. Nothing here does I/O, holds
//! state or knows about HTTP; the state machine and the routes call into it.
//!
//! - [`model`]: JSON wire types (request bodies, graph pieces).
//! - [`file`]: graph files (JSON or TOML, strict keys) as the CLI reads them.
//! - [`status`]: state statuses and per-run counters.
//! - [`template`]: `${{ id.outputs.field }}` / `${{ store.key }}` templates.
//! - [`validate`]: structural validation on upsert and the graph's shape.
//! - [`verify`]: validation against the registered nodes.
//! - [`retry`]: retry delays.
//! - [`cron`]: cron schedules with time zones.
//!
//! On top of them, the engine itself: [`machine`] (the state machine, pure functions run
//! inside engine transactions), [`Workflows`] (`service`, `graphs`, `states`, `tick`: the
//! async API the routes and the server's background loop call), [`secrets`] (graph secrets
//! sealed with AES-256-GCM) and [`views`] (the JSON answers).

pub mod cron;
pub mod file;
mod graphs;
pub mod machine;
pub mod model;
pub mod retry;
pub mod secrets;
mod service;
mod states;
pub mod status;
pub mod template;
pub mod tick;
pub mod validate;
pub mod verify;
pub mod views;

#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod tick_tests;
#[cfg(test)]
mod validate_tests;

pub use cron::{CronError, CronSchedule};
pub use file::{GraphFile, GraphFileError, GraphFormat};
pub use model::{
    CronTrigger, EnqueueInput, ErroredInput, ExecutedInput, GraphInput, ManualRetryInput,
    NodeRegistration, NodeTemplate, PruneInput, ReEnqueueInput, RegisterInput, RetryPolicy,
    RetryStrategy, StoreConfig, Trigger, TriggerInput, TriggerType, Unites, UnitesStrategy,
};
pub use retry::delay_ms;
pub use secrets::{SecretsError, SecretsKey};
pub use service::{WorkflowOptions, Workflows};
pub use status::{RunCounters, RunStatus, StateStatus};
pub use template::{Part, Template, TemplateError};
pub use validate::{GraphShape, validate_graph};
pub use verify::{RegisteredNodeInfo, verify_against_nodes};
