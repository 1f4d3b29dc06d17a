//! What the flow routes take and answer, shared by the HTTP API (`api::v1::flows`), the client
//! and the CLI. Field names are stable: scripts read `--output json`.

use serde::{Deserialize, Serialize};

use super::manifest::Manifest;
use crate::store::state::flows::{DeployStatus, FlowDesired};

/// One flow in a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlowSummary {
    /// Its name.
    pub name: String,
    /// `running` or `stopped`.
    #[schema(value_type = String, example = "running")]
    pub desired: FlowDesired,
    /// Where the last deploy stands: `deploying`, `ready`, `rolled_back` or `failed`.
    #[schema(value_type = String, example = "ready")]
    pub deploy: DeployStatus,
    /// Why (a rollback's reason), when something needs saying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Deploys so far.
    pub generation: u64,
    /// Replicas the manifest asks for (all workers).
    pub replicas: u32,
    /// Replicas running and ready now.
    pub ready: u32,
    /// First deploy (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// One replica of a flow's worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReplicaStatus {
    /// `WORKER-N` (its log file's name too).
    pub name: String,
    /// Its worker.
    pub worker: String,
    /// Its index among the worker's replicas.
    pub index: u32,
    /// `STOPPED`, `STARTING`, `RUNNING`, `BACKOFF`, `STOPPING`, `EXITED` or `FATAL`.
    pub state: String,
    /// Whether its readiness probe passed in this run.
    pub ready: bool,
    /// Its pid while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    /// Seconds since the current run started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime_secs: Option<u64>,
    /// Automatic restarts so far.
    pub restarts: u64,
    /// How its last run ended (`exited with code 1`, `killed by SIGKILL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exit: Option<String>,
    /// Why it is in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// CPU use of its main process, percent of one core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_percent: Option<f64>,
    /// Resident memory of its main process, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rss_bytes: Option<u64>,
    /// The thresholds of its worker it is over now (`cpu`, `rss`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub over: Vec<String>,
    /// Whether the manager holds a connection to its control socket now.
    #[serde(default)]
    pub socket_connected: bool,
    /// When its worker last sent a message of its own on the control socket (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_at: Option<String>,
}

/// A flow with its manifest (secrets redacted) and every replica.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlowStatus {
    /// The flow.
    pub flow: FlowSummary,
    /// The manifest in place, secrets redacted.
    pub manifest: Manifest,
    /// Every replica, worker by worker.
    pub replicas: Vec<ReplicaStatus>,
}

/// The answer of a deploy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeployOut {
    /// The flow after the deploy was accepted (`deploy` is `deploying` while it rolls out).
    #[serde(flatten)]
    pub summary: FlowSummary,
    /// False when the manifest was the one in place and the flow was running and ready: nothing
    /// was done.
    pub changed: bool,
}

/// `POST /v1/flows/{name}/scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleInput {
    /// The worker to scale (may be left out when the flow has one worker).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    /// Its new number of replicas (0 stops the worker).
    pub replicas: u32,
}

/// `POST /v1/flows/{name}/send`: a command to one replica's control socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// The replica (`WORKER-N`) [default: the only replica, else the first one running].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
    /// `status`, `dump`, `stop`, or any command the worker knows.
    pub command: String,
    /// Its argument.
    #[serde(default)]
    pub data: serde_json::Value,
    /// How long to wait for the reply, in ms (1 to 60,000) [default: 10,000].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// The answer of a command sent to a replica.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SendOut {
    /// The replica that answered.
    pub replica: String,
    /// Its reply frame (`command` is `error` when it refused).
    pub reply: super::socket::Message,
}

/// One flow event, as the event stream and `flow events` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlowEventOut {
    /// Increases with every event of the server: resume after it with `since` or
    /// `Last-Event-ID`.
    pub id: u64,
    /// The flow.
    pub flow: String,
    /// The replica (`WORKER-N`), when the event is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
    /// `status_changed`, `crashed`, `restarted`, `health_warning`, `resource_alert`,
    /// `message_received`, `activity` or `error`.
    #[schema(example = "crashed")]
    pub kind: String,
    /// When (RFC 3339).
    pub time: String,
    /// Details, by kind (see the flows reference).
    #[serde(default)]
    pub data: serde_json::Value,
}

/// The flows as `/health` shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowHealth {
    /// Flows, running or stopped.
    pub flows: u32,
    /// Replicas of running flows.
    pub desired: u32,
    /// Of those, the ones running now.
    pub running: u32,
    /// The ones not running (`FLOW/REPLICA`).
    pub not_running: Vec<String>,
    /// Running replicas whose control socket exists (their worker listens on it).
    pub sockets: u32,
    /// Running replicas the manager holds a connection to (their control socket's link).
    #[serde(default)]
    pub connected: u32,
}
