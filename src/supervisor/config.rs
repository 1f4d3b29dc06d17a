//! The supervisor's configuration: the TOML file (`[process.NAME]` tables), the same document as
//! JSON (what `POST /config` takes), defaults, validation and the redacted form `GET /config`
//! shows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::SupervisorError;
use super::probe::ProbeSpec;

/// The whole document: processes, plus the Go State Manager's `storage` and `stacks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The processes, by name.
    #[serde(default)]
    pub process: BTreeMap<String, ProcessSpec>,
    /// Object storage for checkpoints and the lease (kept and shown; see the guide).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageConfig>,
    /// Extra components (`db`, `leaser`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<String>,
    /// The state directory checkpoints copy (`[state]`, see [`super::protect`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<super::protect::StateSpec>,
    /// The SQLite database of the `db` stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<super::protect::DbSpec>,
    /// The lease of the `leaser` stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaser: Option<super::protect::LeaserSpec>,
}

/// Object storage settings: field for field those of the Go State Manager, or stmgr's
/// `url = "s3://bucket/prefix"` (or `file:///dir`) form with `endpoint`, `region`,
/// `path_style`, `allow_http` and the keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// stmgr's form: the location URL (then `bucket` and `key_prefix` are not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Bucket name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bucket: String,
    /// S3 endpoint URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    /// Access key id [default: AWS_ACCESS_KEY_ID].
    #[serde(
        default,
        alias = "access_key_id",
        skip_serializing_if = "String::is_empty"
    )]
    pub access_key: String,
    /// Secret key (redacted when shown) [default: AWS_SECRET_ACCESS_KEY].
    #[serde(
        default,
        alias = "secret_access_key",
        skip_serializing_if = "String::is_empty"
    )]
    pub secret_key: String,
    /// Path-style requests (stmgr's form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_style: Option<bool>,
    /// Plain HTTP to a non-loopback endpoint (stmgr's form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_http: Option<bool>,
    /// Region [default: auto].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Prefix of every key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    /// Base directory of the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_dir: Option<String>,
}

impl StorageConfig {
    /// The location and credentials it names (`None`: from the `AWS_*` variables).
    ///
    /// # Errors
    /// A bad URL, bucket or endpoint; `bucket` or `key_prefix` beside `url`.
    pub fn resolve(
        &self,
    ) -> Result<
        (crate::backup::Location, Option<crate::backup::Credentials>),
        crate::backup::BackupError,
    > {
        use crate::backup::{BackupError, GoStorageConfig, Secret, StorageConfig as UrlForm};
        let key = |k: &str| (!k.is_empty()).then(|| Secret::new(k));
        match &self.url {
            Some(url) => {
                if !self.bucket.is_empty() || self.key_prefix.is_some() {
                    return Err(BackupError::InvalidLocation {
                        url: url.clone(),
                        reason: "give either url or bucket/key_prefix, not both".into(),
                    });
                }
                UrlForm {
                    url: url.clone(),
                    endpoint: (!self.endpoint.is_empty()).then(|| self.endpoint.clone()),
                    region: self.region.clone(),
                    path_style: self.path_style,
                    allow_http: self.allow_http,
                    access_key_id: key(&self.access_key),
                    secret_access_key: key(&self.secret_key),
                    session_token: None,
                }
                .resolve()
            }
            None => {
                let go = GoStorageConfig {
                    bucket: self.bucket.clone(),
                    endpoint: self.endpoint.clone(),
                    access_key: Secret::new(self.access_key.clone()),
                    secret_key: Secret::new(self.secret_key.clone()),
                    region: self.region.clone(),
                    key_prefix: self.key_prefix.clone(),
                    env_dir: None,
                };
                let (location, creds) = go.resolve()?;
                let given = !self.access_key.is_empty() && !self.secret_key.is_empty();
                Ok((location, given.then_some(creds)))
            }
        }
    }
}

/// When an exited process is started again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    /// After every exit that was not asked for.
    Always,
    /// After an exit with a code not in `success_exit_codes`, or by a signal.
    #[default]
    OnFailure,
    /// Never.
    Never,
}

/// What a dependency must have reached before its dependent starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Running (its pid exists).
    Started,
    /// Running and ready (its readiness probe passed; without a probe, as `started`).
    Ready,
    /// Exited with a success code.
    CompletedSuccessfully,
}

/// One `[process.NAME]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessSpec {
    /// The program (looked up in `PATH` when it has no `/`).
    pub command: String,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Environment variables set on top of the supervisor's.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Files of `NAME=value` lines, read at each start, before `env`.
    #[serde(default)]
    pub env_files: Vec<PathBuf>,
    /// Working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// User to run as (name or uid; the supervisor must be root to switch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Copies to run, named `NAME.0`, `NAME.1`, … when more than one.
    #[serde(default = "one")]
    pub replicas: u32,
    /// Start with the supervisor.
    #[serde(default = "yes")]
    pub autostart: bool,
    /// Restart policy.
    #[serde(default)]
    pub restart: RestartPolicy,
    /// Exit codes that count as success.
    #[serde(default = "zero")]
    pub success_exit_codes: Vec<i32>,
    /// Delay before a restart, doubled after each failed run up to `max_restart_delay`.
    #[serde(default = "one_second", with = "humantime_serde")]
    pub restart_delay: Duration,
    /// Longest delay before a restart.
    #[serde(default = "one_minute", with = "humantime_serde")]
    pub max_restart_delay: Duration,
    /// A run at least this long resets the backoff to `restart_delay`.
    #[serde(default = "ten_seconds", with = "humantime_serde")]
    pub healthy_after: Duration,
    /// Starts allowed within `start_limit_window` before the process is FATAL (0: no limit).
    #[serde(default = "five")]
    pub start_limit: u32,
    /// The window of `start_limit`.
    #[serde(default = "one_minute", with = "humantime_serde")]
    pub start_limit_window: Duration,
    /// Leave FATAL by itself after this quiet time [default: only by command].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "humantime_serde::option"
    )]
    pub fatal_reset_after: Option<Duration>,
    /// Signal that asks it to stop (name or number).
    #[serde(default = "sigterm")]
    pub stop_signal: String,
    /// How long after the stop signal the group is killed with SIGKILL.
    #[serde(default = "ninety_seconds", with = "humantime_serde")]
    pub timeout_stop: Duration,
    /// When the process counts as ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<ProbeSpec>,
    /// A failing liveness probe restarts the process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<ProbeSpec>,
    /// Processes this one waits for, with the condition each must reach.
    #[serde(default)]
    pub depends_on: BTreeMap<String, Condition>,
    /// Its log files.
    #[serde(default)]
    pub log: LogSpec,
    /// Signals the supervisor passes on to this process's group when it receives them
    /// (`["USR2", "WINCH"]`; not its own TERM, INT, HUP and USR1, see
    /// [`super::signals::forwardable`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward_signals: Vec<String>,
}

/// Where and how a process's output is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSpec {
    /// Rotate when the file would pass this many bytes.
    #[serde(default = "ten_mib")]
    pub max_bytes: u64,
    /// Rotated files to keep (`NAME.log.1` … `NAME.log.N`).
    #[serde(default = "five")]
    pub keep: u32,
    /// Also copy each line to the supervisor's stdout, prefixed with the process name.
    #[serde(default)]
    pub echo: bool,
}

impl Default for LogSpec {
    fn default() -> Self {
        LogSpec {
            max_bytes: ten_mib(),
            keep: five(),
            echo: false,
        }
    }
}

fn one() -> u32 {
    1
}
fn five() -> u32 {
    5
}
fn yes() -> bool {
    true
}
fn zero() -> Vec<i32> {
    vec![0]
}
fn one_second() -> Duration {
    Duration::from_secs(1)
}
fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}
fn one_minute() -> Duration {
    Duration::from_secs(60)
}
fn ninety_seconds() -> Duration {
    Duration::from_secs(90)
}
fn sigterm() -> String {
    "SIGTERM".to_owned()
}
fn ten_mib() -> u64 {
    10 * 1024 * 1024
}

/// Durations as humantime strings (`"1s"`, `"250ms"`).
pub mod humantime_serde {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(serde::de::Error::custom)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

impl ProcessSpec {
    /// A spec running `command args` with every default.
    pub fn command(command: impl Into<String>, args: Vec<String>) -> ProcessSpec {
        let mut spec: ProcessSpec =
            toml::from_str("command = \"\"").expect("defaults of an empty process spec");
        spec.command = command.into();
        spec.args = args;
        spec
    }

    /// The signals of `forward_signals` (those that parse; a validated spec has no other).
    pub fn forwarded_signals(&self) -> Vec<nix::sys::signal::Signal> {
        self.forward_signals
            .iter()
            .filter_map(|s| super::signals::parse(s).ok())
            .collect()
    }

    /// The instance names: `NAME` for one replica, `NAME.0` … otherwise.
    pub fn instance_names(&self, name: &str) -> Vec<String> {
        if self.replicas == 1 {
            vec![name.to_owned()]
        } else {
            (0..self.replicas).map(|i| format!("{name}.{i}")).collect()
        }
    }
}

impl Config {
    /// Reads and checks the supervisor's part of a TOML file: `[process.NAME]` tables,
    /// `[storage]` and `stacks`. The file is stmgr's config file, so other keys belong to
    /// other commands and are skipped here (stmgr's settings reject unknown ones).
    ///
    /// # Errors
    /// [`SupervisorError::Config`] when it cannot be read, parsed or checked.
    pub fn from_file(path: &Path) -> Result<Config, SupervisorError> {
        let bad = |e: &dyn std::fmt::Display| SupervisorError::Config {
            message: format!("{}: {e}", path.display()),
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(&e))?;
        let mut table: toml::Table = toml::from_str(&text).map_err(|e| bad(&e))?;
        table.retain(|k, _| {
            matches!(
                k,
                "process" | "storage" | "stacks" | "state" | "db" | "leaser"
            )
        });
        let config: Config = table.try_into().map_err(|e| bad(&e))?;
        config.validate()?;
        Ok(config)
    }

    /// True when it configures nothing (no process, no storage).
    pub fn is_empty(&self) -> bool {
        self.process.is_empty()
            && self.storage.is_none()
            && self.stacks.is_empty()
            && self.state.is_none()
    }

    /// Parses and checks the JSON form.
    ///
    /// # Errors
    /// [`SupervisorError::Config`] when it does not parse or does not check.
    pub fn from_json(bytes: &[u8]) -> Result<Config, SupervisorError> {
        let config: Config =
            serde_json::from_slice(bytes).map_err(|e| SupervisorError::Config {
                message: e.to_string(),
            })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks names, signals, counts and dependencies (known names, no cycle).
    ///
    /// # Errors
    /// [`SupervisorError::Config`] naming the first problem.
    pub fn validate(&self) -> Result<(), SupervisorError> {
        let bad = |message: String| Err(SupervisorError::Config { message });
        for (name, p) in &self.process {
            let name_ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !name_ok {
                return bad(format!(
                    "process name {name:?}: use letters, digits, '-' and '_'"
                ));
            }
            if p.command.is_empty() {
                return bad(format!("process {name}: `command` is empty"));
            }
            if p.replicas == 0 {
                return bad(format!("process {name}: `replicas` must be at least 1"));
            }
            if p.log.keep == 0 || p.log.max_bytes < 1024 {
                return bad(format!(
                    "process {name}: log.keep must be ≥ 1 and log.max_bytes ≥ 1024"
                ));
            }
            super::signals::parse(&p.stop_signal).map_err(|e| SupervisorError::Config {
                message: format!("process {name}: stop_signal: {e}"),
            })?;
            for sig in &p.forward_signals {
                super::signals::parse(sig)
                    .and_then(super::signals::forwardable)
                    .map_err(|e| SupervisorError::Config {
                        message: format!("process {name}: forward_signals: {e}"),
                    })?;
            }
            for probe in [&p.readiness, &p.liveness].into_iter().flatten() {
                probe
                    .validate()
                    .map_err(|message| SupervisorError::Config {
                        message: format!("process {name}: {message}"),
                    })?;
            }
            for dep in p.depends_on.keys() {
                if !self.process.contains_key(dep) {
                    return bad(format!("process {name} depends on unknown process {dep}"));
                }
            }
        }
        for s in &self.stacks {
            if !["db", "leaser"].contains(&s.as_str()) {
                return bad(format!("unknown stack {s:?} (known: db, leaser)"));
            }
        }
        super::protect::spec::validate(self)
            .map_err(|message| SupervisorError::Config { message })?;
        self.start_order().map(|_| ())
    }

    /// Every signal some process wants forwarded.
    pub fn forwarded_signals(&self) -> std::collections::BTreeSet<nix::sys::signal::Signal> {
        self.process
            .values()
            .flat_map(|p| p.forwarded_signals())
            .collect()
    }

    /// Process names in an order where each comes after everything it depends on.
    ///
    /// # Errors
    /// [`SupervisorError::Config`] on a dependency cycle.
    pub fn start_order(&self) -> Result<Vec<String>, SupervisorError> {
        let mut order = Vec::new();
        let mut state: BTreeMap<&str, u8> = BTreeMap::new(); // 1 visiting, 2 done
        fn visit<'a>(
            c: &'a Config,
            n: &'a str,
            state: &mut BTreeMap<&'a str, u8>,
            order: &mut Vec<String>,
        ) -> Result<(), SupervisorError> {
            match state.get(n) {
                Some(2) => return Ok(()),
                Some(_) => {
                    return Err(SupervisorError::Config {
                        message: format!("dependency cycle through process {n}"),
                    });
                }
                None => {}
            }
            state.insert(n, 1);
            if let Some(p) = c.process.get(n) {
                for dep in p.depends_on.keys() {
                    visit(c, dep, state, order)?;
                }
            }
            state.insert(n, 2);
            order.push(n.to_owned());
            Ok(())
        }
        for name in self.process.keys() {
            visit(self, name, &mut state, &mut order)?;
        }
        Ok(order)
    }

    /// The document with secrets replaced by `"<redacted>"`: the storage keys and every
    /// environment value whose name mentions a key, secret, token, password or credential.
    pub fn redacted(&self) -> Config {
        let mut c = self.clone();
        if let Some(s) = &mut c.storage {
            for k in [&mut s.secret_key, &mut s.access_key] {
                if !k.is_empty() {
                    *k = REDACTED.to_owned();
                }
            }
        }
        for p in c.process.values_mut() {
            for (k, v) in &mut p.env {
                if is_secret_name(k) {
                    *v = REDACTED.to_owned();
                }
            }
        }
        c
    }
}

/// What a redacted value shows.
pub const REDACTED: &str = "<redacted>";

/// True for variable names that usually hold secrets.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL"]
        .iter()
        .any(|w| upper.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_process_gets_the_documented_defaults() {
        let c: Config = toml::from_str("[process.web]\ncommand = \"sleep\"\n").unwrap();
        let p = &c.process["web"];
        assert_eq!(p.restart, RestartPolicy::OnFailure);
        assert_eq!(p.restart_delay, Duration::from_secs(1));
        assert_eq!(p.timeout_stop, Duration::from_secs(90));
        assert_eq!(p.stop_signal, "SIGTERM");
        assert_eq!(p.success_exit_codes, [0]);
        assert_eq!(p.replicas, 1);
        assert_eq!(p.instance_names("web"), ["web"]);
        c.validate().unwrap();
    }

    #[test]
    fn cycles_unknown_dependencies_and_bad_signals_are_refused() {
        let cyc = "[process.a]\ncommand='x'\ndepends_on={b='started'}\n\
                   [process.b]\ncommand='x'\ndepends_on={a='ready'}\n";
        let c: Config = toml::from_str(cyc).unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("cycle"));
        let unknown = "[process.a]\ncommand='x'\ndepends_on={zz='started'}\n";
        let c: Config = toml::from_str(unknown).unwrap();
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("unknown process zz")
        );
        let sig = "[process.a]\ncommand='x'\nstop_signal='SIGNOPE'\n";
        let c: Config = toml::from_str(sig).unwrap();
        assert!(c.validate().is_err());
        for own in ["TERM", "INT", "HUP", "USR1", "KILL", "CHLD", "SEGV", "NOPE"] {
            let text = format!("[process.a]\ncommand='x'\nforward_signals=['USR2', '{own}']\n");
            let c: Config = toml::from_str(&text).unwrap();
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains("forward_signals"), "{own}: {e}");
        }
        let ok = "[process.a]\ncommand='x'\nforward_signals=['USR2', 'SIGWINCH', 'quit']\n";
        let c: Config = toml::from_str(ok).unwrap();
        c.validate().unwrap();
        use nix::sys::signal::Signal::*;
        assert_eq!(
            c.forwarded_signals().into_iter().collect::<Vec<_>>(),
            [SIGQUIT, SIGUSR2, SIGWINCH]
        );
    }

    #[test]
    fn start_order_puts_dependencies_first() {
        let text = "[process.web]\ncommand='x'\ndepends_on={db='ready', migrate='completed_successfully'}\n\
                    [process.migrate]\ncommand='x'\ndepends_on={db='ready'}\n\
                    [process.db]\ncommand='x'\n";
        let c: Config = toml::from_str(text).unwrap();
        assert_eq!(c.start_order().unwrap(), ["db", "migrate", "web"]);
    }

    #[test]
    fn redaction_hides_storage_keys_and_secret_looking_env() {
        let text = "[process.a]\ncommand='x'\nenv={API_TOKEN='t', PORT='80'}\n\
                    [storage]\nbucket='b'\nendpoint='e'\naccess_key='ak'\nsecret_key='sk'\n";
        let c: Config = toml::from_str(text).unwrap();
        let r = c.redacted();
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("\"sk\"") && !json.contains("\"ak\"") && !json.contains("\"t\""));
        assert!(json.contains("\"80\""));
        // The JSON form parses back to the same document.
        let again = Config::from_json(serde_json::to_string(&c).unwrap().as_bytes()).unwrap();
        assert_eq!(again, c);
    }
}
