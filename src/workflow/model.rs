//! The JSON wire types of the Exosphere-compatible workflow API: request bodies exactly as the
//! `exospherehost` SDK (0.0.3) sends them and as upstream's state manager accepts them (field
//! names, defaults, SCREAMING_CASE enums), and the graph pieces that come back in responses.
//!
//! These types are **JSON-only** where they carry a [`serde_json::Value`] ([`NodeTemplate`],
//! [`GraphInput`], [`NodeRegistration`], [`RegisterInput`], [`ExecutedInput`], [`PruneInput`]):
//! `Value` deserializes through `deserialize_any`, which postcard does not support, so the
//! engine keeps graph templates and node specs as JSON text (see
//! [`crate::store::state::workflows`] and [`super::machine::graph::Template`]).
//!
//! Unknown fields are ignored everywhere (pydantic's default; the SDK sends `runtime_namespace`
//! and `nodes[].namespace` on registration).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One node of a graph template (`GraphNodeModel` in the SDK).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NodeTemplate {
    /// The registered node's name (the SDK's class name).
    pub node_name: String,
    /// The namespace the node is registered in.
    pub namespace: String,
    /// Unique within the graph; `store` is reserved.
    pub identifier: String,
    /// Input templates. Upstream types them `Any` and validation reports every value that is
    /// not a string, so this keeps what was sent. Absent is taken as empty (lenient).
    #[serde(default)]
    pub inputs: BTreeMap<String, Value>,
    /// Identifiers of the nodes that run after this one.
    #[serde(default)]
    pub next_nodes: Option<Vec<String>>,
    /// Fan-in: run this node once every branch under `unites.identifier` is done.
    #[serde(default)]
    pub unites: Option<Unites>,
    /// How long a state of this node may stay QUEUED before it times out (our extension;
    /// absent: the server's `--queued-timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
}

impl NodeTemplate {
    /// `next_nodes`, or an empty slice when absent.
    pub fn next(&self) -> &[String] {
        self.next_nodes.as_deref().unwrap_or(&[])
    }
}

/// The fan-in of a node: which node's branches it waits for, and how.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Unites {
    /// The identifier of the node whose descendants are united.
    pub identifier: String,
    /// When the united node may run.
    #[serde(default)]
    pub strategy: UnitesStrategy,
}

/// When a unites node may be created.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnitesStrategy {
    /// Every branch state ended in SUCCESS (or was replaced by a retry).
    #[default]
    AllSuccess,
    /// Every branch state is finished, whatever its outcome.
    AllDone,
}

/// How long to wait before each automatic retry; see [`super::retry::delay_ms`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// The delay formula.
    pub strategy: RetryStrategy,
    /// Base delay in milliseconds; must be > 0.
    pub backoff_factor: u64,
    /// The base of the exponential strategies; must be > 0.
    pub exponent: u32,
    /// Upper bound of every delay in milliseconds; must be > 0 when set.
    pub max_delay: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            strategy: RetryStrategy::Exponential,
            backoff_factor: 2000,
            exponent: 2,
            max_delay: None,
        }
    }
}

impl RetryPolicy {
    /// The range rules upstream enforces with pydantic (`gt=0`), one message per violation.
    pub fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.backoff_factor == 0 {
            errors.push("Retry policy backoff_factor must be greater than 0".to_owned());
        }
        if self.exponent == 0 {
            errors.push("Retry policy exponent must be greater than 0".to_owned());
        }
        if self.max_delay == Some(0) {
            errors.push("Retry policy max_delay must be greater than 0".to_owned());
        }
        errors
    }
}

/// The nine retry strategies: a base formula, plain or with jitter.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RetryStrategy {
    /// `b·e^(n-1)`.
    #[default]
    Exponential,
    /// `U(0, b·e^(n-1))`.
    ExponentialFullJitter,
    /// `base/2 + U(0, base/2)` with the exponential base.
    ExponentialEqualJitter,
    /// `b·n`.
    Linear,
    /// `U(0, b·n)`.
    LinearFullJitter,
    /// `base/2 + U(0, base/2)` with the linear base.
    LinearEqualJitter,
    /// `b`.
    Fixed,
    /// `U(0, b)`.
    FixedFullJitter,
    /// `b/2 + U(0, b/2)`.
    FixedEqualJitter,
}

/// The run-scoped key/value store: keys a trigger must supply, and defaults.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreConfig {
    /// Keys every trigger must provide (unless a default exists).
    #[serde(default)]
    pub required_keys: Vec<String>,
    /// Values used when a trigger does not provide the key.
    #[serde(default)]
    pub default_values: BTreeMap<String, String>,
}

impl StoreConfig {
    /// Trims every key and checks the rules: non-empty, no `.`, unique (within
    /// `required_keys`, and within `default_values` after trimming). A key may be both
    /// required and defaulted. Returns the trimmed config, or every violation.
    pub fn normalize(&self) -> Result<StoreConfig, Vec<String>> {
        let mut errors = Vec::new();
        let mut required = Vec::with_capacity(self.required_keys.len());
        for key in &self.required_keys {
            let key = key.trim();
            if let Some(e) = key_error(key) {
                errors.push(e);
            } else if required.iter().any(|k| k == key) {
                errors.push(format!(
                    "Key {key} is duplicated in store_config required_keys"
                ));
            } else {
                required.push(key.to_owned());
            }
        }
        let mut defaults = BTreeMap::new();
        for (key, value) in &self.default_values {
            let key = key.trim();
            if let Some(e) = key_error(key) {
                errors.push(e);
            } else if defaults.insert(key.to_owned(), value.clone()).is_some() {
                errors.push(format!(
                    "Key {key} is duplicated in store_config default_values"
                ));
            }
        }
        if errors.is_empty() {
            Ok(StoreConfig {
                required_keys: required,
                default_values: defaults,
            })
        } else {
            Err(errors)
        }
    }

    /// Whether `${{ store.key }}` can resolve: the key is required or has a default.
    pub fn declares(&self, key: &str) -> bool {
        self.required_keys.iter().any(|k| k.trim() == key)
            || self.default_values.keys().any(|k| k.trim() == key)
    }
}

fn key_error(key: &str) -> Option<String> {
    if key.is_empty() {
        Some("Store key cannot be empty".to_owned())
    } else if key.contains('.') {
        Some(format!("Store key {key} cannot contain '.'"))
    } else {
        None
    }
}

/// A graph trigger. Only `{"type": "CRON", "value": {...}}` exists; any other `type` fails
/// deserialization, as upstream rejects it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    /// Always [`TriggerType::Cron`].
    #[serde(rename = "type", default)]
    pub kind: TriggerType,
    /// The schedule.
    pub value: CronTrigger,
}

impl Trigger {
    /// A CRON trigger.
    pub fn cron(expression: impl Into<String>, timezone: Option<String>) -> Self {
        Trigger {
            kind: TriggerType::Cron,
            value: CronTrigger {
                expression: expression.into(),
                timezone,
            },
        }
    }
}

/// The kinds of trigger.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TriggerType {
    /// A cron schedule.
    #[default]
    #[serde(rename = "CRON")]
    Cron,
}

/// A 5-field cron expression, evaluated in `timezone` (an IANA name; our extension, absent
/// means UTC).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CronTrigger {
    /// Minute, hour, day of month, month, day of week.
    pub expression: String,
    /// IANA zone name, e.g. `Europe/Berlin`; `None` = UTC.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// The body of `PUT graph/{name}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GraphInput {
    /// Plaintext secrets. Upstream requires the field; absent is taken as empty here.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// The nodes.
    pub nodes: Vec<NodeTemplate>,
    /// Absent means the default policy.
    #[serde(default)]
    pub retry_policy: Option<RetryPolicy>,
    /// Absent means no store keys.
    #[serde(default)]
    pub store_config: Option<StoreConfig>,
    /// Cron triggers.
    #[serde(default)]
    pub triggers: Option<Vec<Trigger>>,
}

/// The body of `PUT nodes/`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RegisterInput {
    /// The runtime registering the nodes.
    pub runtime_name: String,
    /// The nodes it runs.
    pub nodes: Vec<NodeRegistration>,
}

/// One node in a registration.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NodeRegistration {
    /// The node's name (the SDK's class name).
    pub name: String,
    /// JSON Schema of the inputs (pydantic `model_json_schema()`).
    pub inputs_schema: Value,
    /// JSON Schema of the outputs.
    pub outputs_schema: Value,
    /// Names of the secrets the node reads.
    #[serde(default)]
    pub secrets: Vec<String>,
}

/// The body of `POST graph/{name}/trigger`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct TriggerInput {
    /// Overrides of the root node's inputs, key by key.
    #[serde(default)]
    pub inputs: Option<BTreeMap<String, String>>,
    /// The run's store values.
    #[serde(default)]
    pub store: Option<BTreeMap<String, String>>,
    /// Milliseconds before the root state may be enqueued.
    #[serde(default)]
    pub start_delay: Option<u64>,
}

/// The body of `POST states/enqueue`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct EnqueueInput {
    /// Node names the runtime can execute.
    pub nodes: Vec<String>,
    /// At most this many states are claimed.
    pub batch_size: usize,
}

/// The body of `POST state/{id}/executed`: one object per output; the first stays on the
/// state, each further one fans out into a new state. Empty is allowed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ExecutedInput {
    /// The outputs, any JSON object each.
    pub outputs: Vec<BTreeMap<String, Value>>,
}

/// The body of `POST state/{id}/errored`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ErroredInput {
    /// The error text.
    pub error: String,
}

/// The body of `POST state/{id}/prune`. Upstream types `data` as a dict, so a non-object
/// fails deserialization here too.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PruneInput {
    /// Why the state was pruned, as the node reported it.
    pub data: Map<String, Value>,
}

/// The body of `POST state/{id}/re-enqueue-after`. Upstream requires `enqueue_after > 0`;
/// the route checks it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReEnqueueInput {
    /// Delay in milliseconds from now.
    pub enqueue_after: u64,
}

/// The body of `POST state/{id}/manual-retry`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ManualRetryInput {
    /// Deduplicates retries: a second retry with the same id is a 409.
    pub fanout_id: String,
}
