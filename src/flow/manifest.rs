//! A flow's manifest: what `stmgr flow deploy FILE` reads (TOML or JSON), checked with errors
//! that name the field (`workers.fetch.replicas: …`), and how it becomes the supervisor's
//! configuration: one supervised process per replica (`WORKER-N`), with the server's URL, an API
//! key and the flow's coordinates in its environment.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::FlowError;
use crate::supervisor::probe::ProbeSpec;
use crate::supervisor::{Config, ProcessSpec, RestartPolicy};

/// Most replicas of one worker.
pub const MAX_REPLICAS: u32 = 256;

/// A flow: named workers, and the server they talk to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FlowManifest)]
pub struct Manifest {
    /// The flow's name: letters, digits, `-` and `_`, at most 63 characters.
    pub name: String,
    /// The stmgr server the workers use (injected as `STMGR_URL` and `STMGR_API_KEY`).
    #[serde(default, skip_serializing_if = "ServerRef::is_empty")]
    pub server: ServerRef,
    /// The workers, by name (same rules as the flow's name).
    pub workers: BTreeMap<String, Worker>,
}

/// The server the workers are given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerRef {
    /// Its URL [default: the deploying server's own].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The API key the workers send (`x-api-key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

impl ServerRef {
    fn is_empty(&self) -> bool {
        self.url.is_none() && self.api_key.is_none()
    }
}

/// When a worker's exited replica is started again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Restart {
    /// After every exit that was not asked for.
    #[default]
    Always,
    /// After a non-zero exit or a signal.
    OnFailure,
    /// Never.
    Never,
}

/// One worker: a command run as `replicas` supervised processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Worker {
    /// The program (looked up in `PATH` when it has no `/`), or `docker` for a container.
    pub command: String,
    /// Its arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Environment variables, on top of the server's and the injected ones.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Working directory, on the server's machine [default: `code`, else the server's].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub cwd: Option<PathBuf>,
    /// Processes to run [default: 1].
    #[serde(default = "one")]
    pub replicas: u32,
    /// Restart policy [default: always].
    #[serde(default)]
    pub restart: Restart,
    /// When a replica counts as ready (the supervisor's probes: `exec`, `http`, `tcp`,
    /// `log_line`, `notify`). Without one, a replica is ready once it has run for one second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub readiness: Option<ProbeSpec>,
    /// How long a deploy waits for a replica to become ready before it rolls back
    /// [default: 30s].
    #[serde(
        default = "thirty_seconds",
        with = "crate::supervisor::config::humantime_serde"
    )]
    #[schema(value_type = String)]
    pub ready_timeout: Duration,
    /// How long after the stop signal a replica's process group is killed [default: 10s].
    #[serde(
        default = "ten_seconds",
        with = "crate::supervisor::config::humantime_serde"
    )]
    #[schema(value_type = String)]
    pub stop_timeout: Duration,
    /// Resource thresholds (shown by status; alerts come with the flow events).
    #[serde(default, skip_serializing_if = "Resources::is_empty")]
    pub resources: Resources,
    /// The worker's code directory on the server's machine. Each deploy copies it into the
    /// flow's data directory and the replicas run from the copy (`STMGR_FLOW_CODE`, and their
    /// working directory unless `cwd` is set), so a rollback runs the previous code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub code: Option<PathBuf>,
    /// Set by the server at deploy (what a manifest sends is replaced): the content hash of
    /// the snapshot of `code` the replicas run from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_id: Option<String>,
}

/// Resource thresholds of a worker's replicas.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// CPU use (percent of one core) above which a replica is over its threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cpu_percent: Option<f64>,
    /// Resident memory (MiB) above which a replica is over its threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rss_mib: Option<u64>,
}

impl Resources {
    fn is_empty(&self) -> bool {
        self.max_cpu_percent.is_none() && self.max_rss_mib.is_none()
    }
}

fn one() -> u32 {
    1
}
fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}
fn thirty_seconds() -> Duration {
    Duration::from_secs(30)
}

/// The format of a manifest file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// JSON for a `.json` file name, TOML otherwise.
    pub fn of_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// Flow names that are the routes of the namespace `flows` under `/v1/flows/` (its objects,
/// queries, watch and leases; `events` for the flows' own stream): a flow may not take them, so
/// `GET /v1/flows/objects` stays the objects of the namespace `flows`
/// ([`crate::api`] routes these paths to the namespace routes).
pub const RESERVED_FLOW_NAMES: [&str; 5] = ["objects", "query", "watch", "lease", "events"];

/// Whether `name` is a valid flow or worker name.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Manifest {
    /// Parses and checks a manifest.
    ///
    /// # Errors
    /// [`FlowError::Manifest`] naming the field (`workers.fetch.replicas: …`) or, for a
    /// syntax error, the line.
    pub fn parse(text: &str, format: Format) -> Result<Manifest, FlowError> {
        let bad = |message: String| FlowError::Manifest { message };
        let value: serde_json::Value = match format {
            Format::Toml => toml::from_str(text).map_err(|e| bad(e.to_string()))?,
            Format::Json => serde_json::from_str(text).map_err(|e| bad(e.to_string()))?,
        };
        Manifest::from_value(value)
    }

    /// Reads and checks the JSON form (what the HTTP API takes).
    ///
    /// # Errors
    /// As [`Manifest::parse`].
    pub fn from_value(value: serde_json::Value) -> Result<Manifest, FlowError> {
        let m: Manifest = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner().to_string();
            FlowError::Manifest {
                message: if path == "." {
                    inner
                } else {
                    format!("{path}: {inner}")
                },
            }
        })?;
        m.validate()?;
        Ok(m)
    }

    /// Checks names, counts, durations and probes.
    ///
    /// # Errors
    /// [`FlowError::Manifest`] naming the first field that is wrong.
    pub fn validate(&self) -> Result<(), FlowError> {
        let bad = |field: String, what: &str| {
            Err(FlowError::Manifest {
                message: format!("{field}: {what}"),
            })
        };
        if !valid_name(&self.name) {
            return bad(
                "name".into(),
                "use 1 to 63 letters, digits, '-' and '_', starting with a letter or digit",
            );
        }
        if RESERVED_FLOW_NAMES.contains(&self.name.as_str()) {
            return bad(
                "name".into(),
                "objects, query, watch, lease and events are routes under /v1/flows/, not flow names",
            );
        }
        if let Some(url) = &self.server.url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return bad("server.url".into(), "must start with http:// or https://");
        }
        if self.workers.is_empty() {
            return bad("workers".into(), "a flow needs at least one worker");
        }
        for (name, w) in &self.workers {
            let field = |f: &str| format!("workers.{name}.{f}");
            if !valid_name(name) {
                return bad(
                    format!("workers.{name}"),
                    "worker names use 1 to 63 letters, digits, '-' and '_'",
                );
            }
            if w.command.trim().is_empty() {
                return bad(field("command"), "must not be empty");
            }
            if w.replicas > MAX_REPLICAS {
                return bad(field("replicas"), &format!("at most {MAX_REPLICAS}"));
            }
            if w.ready_timeout.is_zero() {
                return bad(field("ready_timeout"), "must be more than 0s");
            }
            if let Some(p) = &w.readiness
                && let Err(e) = p.validate()
            {
                return bad(field("readiness"), &e);
            }
            if w.resources
                .max_cpu_percent
                .is_some_and(|c| c.is_nan() || c <= 0.0)
            {
                return bad(field("resources.max_cpu_percent"), "must be more than 0");
            }
            if w.code_id
                .as_deref()
                .is_some_and(|id| !super::code::valid_id(id))
            {
                return bad(field("code_id"), "not a snapshot id (set by the server)");
            }
            if w.resources.max_rss_mib == Some(0) {
                return bad(field("resources.max_rss_mib"), "must be more than 0");
            }
            for k in w.env.keys() {
                if k.is_empty() || k.contains('=') || k.contains('\0') {
                    return bad(field(&format!("env.{k}")), "not a variable name");
                }
            }
        }
        Ok(())
    }

    /// The manifest as stored (compact JSON).
    pub fn to_json(&self) -> String {
        // A manifest is strings, numbers and maps with string keys: it always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The manifest with the API key and secret-looking environment values replaced by
    /// `"<redacted>"` (what status and listings show).
    pub fn redacted(&self) -> Manifest {
        use crate::supervisor::config::{REDACTED, is_secret_name};
        let mut m = self.clone();
        if m.server.api_key.is_some() {
            m.server.api_key = Some(REDACTED.to_owned());
        }
        for w in m.workers.values_mut() {
            for (k, v) in &mut w.env {
                if is_secret_name(k) {
                    *v = REDACTED.to_owned();
                }
            }
        }
        m
    }

    /// Every replica name, worker by worker: `WORKER-0`, `WORKER-1`, …
    pub fn replica_names(&self) -> Vec<(String, String, u32)> {
        let mut out = Vec::new();
        for (w, spec) in &self.workers {
            for i in 0..spec.replicas {
                out.push((replica_name(w, i), w.clone(), i));
            }
        }
        out
    }

    /// The supervisor's configuration for this manifest: one process per replica.
    /// `default_url` is the server's own URL, used when the manifest names none; with
    /// `socket_dir`, each replica is told its control socket ([`socket_path`]); with
    /// `code_root` (the flow's snapshots, [`super::code::code_root`]), workers with a `code_id`
    /// run from their snapshot.
    pub fn supervisor_config(
        &self,
        default_url: Option<&str>,
        socket_dir: Option<&std::path::Path>,
        code_root: Option<&std::path::Path>,
    ) -> Config {
        let mut config = Config::default();
        for (name, w) in &self.workers {
            for i in 0..w.replicas {
                let mut spec = self.process_spec(name, w, i, default_url, code_root);
                if let Some(dir) = socket_dir {
                    let path = socket_path(dir, &self.name, &replica_name(name, i));
                    let path = path.display().to_string();
                    spec.env
                        .entry("STMGR_FLOW_SOCKET".to_owned())
                        .or_insert(path.clone());
                    spec.env.entry("SOCKET_PATH".to_owned()).or_insert(path);
                }
                config.process.insert(replica_name(name, i), spec);
            }
        }
        config
    }

    fn process_spec(
        &self,
        worker: &str,
        w: &Worker,
        i: u32,
        default_url: Option<&str>,
        code_root: Option<&std::path::Path>,
    ) -> ProcessSpec {
        let mut spec = ProcessSpec::command(w.command.clone(), w.args.clone());
        let mut env = BTreeMap::new();
        env.insert("STMGR_FLOW".to_owned(), self.name.clone());
        env.insert("STMGR_FLOW_WORKER".to_owned(), worker.to_owned());
        env.insert("STMGR_FLOW_REPLICA".to_owned(), i.to_string());
        if let Some(url) = self.server.url.as_deref().or(default_url) {
            env.insert("STMGR_URL".to_owned(), url.to_owned());
            env.insert("EXOSPHERE_STATE_MANAGER_URI".to_owned(), url.to_owned());
        }
        if let Some(key) = &self.server.api_key {
            env.insert("STMGR_API_KEY".to_owned(), key.clone());
            env.insert("EXOSPHERE_API_KEY".to_owned(), key.clone());
        }
        let code = match code_root {
            Some(root) => super::code::run_dir(root, w.code.as_deref(), w.code_id.as_deref()),
            None => w.code.clone(),
        };
        if let Some(code) = &code {
            env.insert("STMGR_FLOW_CODE".to_owned(), code.display().to_string());
        }
        env.extend(w.env.clone());
        spec.env = env;
        spec.cwd = w.cwd.clone().or(code);
        spec.restart = match w.restart {
            Restart::Always => RestartPolicy::Always,
            Restart::OnFailure => RestartPolicy::OnFailure,
            Restart::Never => RestartPolicy::Never,
        };
        spec.readiness = w.readiness.clone();
        spec.timeout_stop = w.stop_timeout;
        spec
    }
}

/// The control socket of replica `replica` of flow `flow`: `DIR/FLOW.REPLICA.sock` (names
/// hold no `.`, so the file names of two replicas never meet).
pub fn socket_path(dir: &std::path::Path, flow: &str, replica: &str) -> PathBuf {
    dir.join(format!("{flow}.{replica}.sock"))
}

/// The name of replica `i` of `worker` (and of its supervised process and log file).
pub fn replica_name(worker: &str, i: u32) -> String {
    format!("{worker}-{i}")
}

#[cfg(test)]
mod tests;
