//! Settings resolution: flags > environment > config file > defaults (ARCHITECTURE §7).
//!
//! Owns [`Settings`] (what every command runs with), the config file format (`file`), the
//! environment variable names, the engine-option parsing (`engine`, and `encryption` for the key
//! of data at rest), the auth settings (`auth`: token keys, region, API key), how clients
//! reach a server (`client`) and [`ConfigError`]. Secrets are never part of an error or of
//! `Debug`.
//! The environment and the platform directories are injected ([`Env`], [`PlatformDirs`]) so the
//! precedence rules are tested without touching the process environment. This module never
//! prints and never writes files: a missing default config file is simply not read.

mod auth;
mod client;
mod encryption;
mod engine;
mod file;
mod snapshots;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::store::options::EngineOptions;

pub use self::auth::AuthSettings;
pub use self::snapshots::SnapshotSettings;

/// API address used when nothing else is configured.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

/// How long a client waits for a server's answer when nothing else is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Data directory used when the platform has no data directory (no home directory).
pub const FALLBACK_DATA_DIR: &str = "stmgr-data";

/// Name of the config file inside the platform config directory.
pub const CONFIG_FILE_NAME: &str = "config.toml";

/// How commands print their results on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Human-readable tables.
    Table,
    /// One pretty-printed JSON document.
    Json,
    /// One compact JSON document per line.
    Jsonl,
}

/// Values given on the command line. `None` means "not given".
///
/// clap may already have folded the `STMGR_*` variable of a flag into its value; the resolver
/// reads the same variables again, so it gives the same answer with or without clap. `server`
/// and `data_dir` must be the flags alone (clap does not read their variables), because which
/// of the two a command uses depends on where each came from.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--server`.
    pub server: Option<String>,
    /// `--output`.
    pub output: Option<OutputFormat>,
    /// `-q/--quiet`.
    pub quiet: bool,
    /// Number of `-v`.
    pub verbose: u8,
    /// `--token`.
    pub token: Option<String>,
    /// `--ca-cert`.
    pub ca_cert: Option<PathBuf>,
    /// `--client-cert`.
    pub client_cert: Option<PathBuf>,
    /// `--client-key`.
    pub client_key: Option<PathBuf>,
    /// `--api-key`.
    pub api_key: Option<String>,
    /// `--timeout` (zero: no limit).
    pub timeout: Option<Duration>,
}

/// A source of environment variables. Empty values count as unset.
pub trait Env {
    /// The raw value of `name`, if set.
    fn var_os(&self, name: &str) -> Option<OsString>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var_os(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }
}

impl<F: Fn(&str) -> Option<OsString>> Env for F {
    fn var_os(&self, name: &str) -> Option<OsString> {
        self(name)
    }
}

/// The platform directories (`directories::ProjectDirs`), or `None` without a home directory.
#[derive(Debug, Clone, Default)]
pub struct PlatformDirs {
    /// Where the default config file lives (`$XDG_CONFIG_HOME/stmgr` on Linux).
    pub config_dir: Option<PathBuf>,
    /// The default data directory (`$XDG_DATA_HOME/stmgr` on Linux).
    pub data_dir: Option<PathBuf>,
}

impl PlatformDirs {
    /// Asks `directories` for the stmgr project directories of the current user.
    pub fn detect() -> Self {
        match directories::ProjectDirs::from("", "", "stmgr") {
            Some(dirs) => PlatformDirs {
                config_dir: Some(dirs.config_dir().to_path_buf()),
                data_dir: Some(dirs.data_dir().to_path_buf()),
            },
            None => PlatformDirs::default(),
        }
    }
}

/// Where a configuration value came from, for error messages and for choosing between two
/// settings (a flag outranks a variable, which outranks the config file: [`Origin::rank`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line option (`--server`).
    Flag(String),
    /// An environment variable.
    Env(String),
    /// A key of the config file (`engine.history_age`).
    File {
        /// The config file.
        path: PathBuf,
        /// The dotted key.
        key: String,
    },
    /// A file holding a secret (`STMGR_ENCRYPTION_KEY_FILE`, `engine.encryption_key_file`).
    KeyFile(PathBuf),
}

impl Origin {
    /// Precedence: 3 for a flag, 2 for a variable, 1 for the config file or a key file.
    pub fn rank(&self) -> u8 {
        match self {
            Origin::Flag(_) => 3,
            Origin::Env(_) => 2,
            Origin::File { .. } | Origin::KeyFile(_) => 1,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(name) => write!(f, "option {name}"),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::File { path, key } => write!(f, "`{key}` in config file {}", path.display()),
            Origin::KeyFile(path) => write!(f, "encryption key file {}", path.display()),
        }
    }
}

/// A configuration error: always names the file or the variable at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A config file named by `--config` or `STMGR_CONFIG` does not exist.
    #[error("config file {} does not exist (named by --config or STMGR_CONFIG)", path.display())]
    NotFound {
        /// The missing file.
        path: PathBuf,
    },
    /// The config file exists but could not be read.
    #[error("cannot read config file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML, has an unknown key or a value of the wrong type.
    #[error("invalid config file {}: line {line}, column {column}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A value (from a variable or the file) does not parse or is out of range.
    #[error("invalid value {value:?} for {origin}: {reason}")]
    InvalidValue {
        /// Where the value came from.
        origin: Origin,
        /// The value as written.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// A secret (the encryption key) does not parse; the value is never shown.
    #[error("invalid value for {origin} (not shown): {reason}")]
    InvalidSecret {
        /// Where the value came from.
        origin: Origin,
        /// What was expected.
        reason: String,
    },
    /// The file named as holding a secret cannot be read.
    #[error("cannot read encryption key file {} (named by {origin})", path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What named it.
        origin: Origin,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Two settings that exclude each other are both given.
    #[error("{first} and {second} are both set; set only one")]
    Conflict {
        /// One of them.
        first: Origin,
        /// The other.
        second: Origin,
    },
    /// One of two settings that go together is given without the other (a key without its id).
    #[error("{given} is set but {missing}")]
    Incomplete {
        /// The setting that is given.
        given: Origin,
        /// What is missing, with the names that would provide it.
        missing: String,
    },
    /// An environment variable holds bytes that are not UTF-8 where text is required.
    #[error("environment variable {name} is not valid UTF-8")]
    NotUnicode {
        /// The variable.
        name: String,
    },
}

/// Everything a command runs with, once resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The data directory (`--data-dir`, `STMGR_DATA_DIR`, `DATA_DIR`, file, platform default).
    pub data_dir: PathBuf,
    /// Where `data_dir` came from (`None`: the platform default).
    pub data_dir_origin: Option<Origin>,
    /// Base URL of the stmgr server (`--server`, `STMGR_SERVER`, file, [`DEFAULT_SERVER`]).
    pub server: String,
    /// Where `server` came from (`None`: the default).
    pub server_origin: Option<Origin>,
    /// Requested output format; `None` lets each command choose its default.
    pub output: Option<OutputFormat>,
    /// `-q`: no status messages or progress bars.
    pub quiet: bool,
    /// Number of `-v`.
    pub verbose: u8,
    /// The config file actually read, if any.
    pub config_file: Option<PathBuf>,
    /// Engine options (environment > file > defaults).
    pub engine: EngineOptions,
    /// Token, API key, TLS files and timeout for talking to a server.
    pub client: crate::client::ClientOptions,
    /// Token keys, region and API key (environment > file); secrets never show in `Debug`.
    pub auth: AuthSettings,
    /// The `[snapshots]` table: the server's automatic snapshots and their retention.
    pub snapshots: SnapshotSettings,
    /// The `[storage]` table (stmgr's or the Go state manager's form): the default backup
    /// location and its credentials (never shown).
    pub storage: Option<crate::backup::StorageTable>,
}

impl Settings {
    /// Resolves settings from the command line, the process environment and the platform
    /// directories.
    ///
    /// # Errors
    /// Any [`ConfigError`]: an explicitly named config file that is missing, unreadable or
    /// invalid, or an invalid value in a variable or in the file.
    pub fn from_process(overrides: &Overrides) -> Result<Settings, ConfigError> {
        Settings::resolve(overrides, &ProcessEnv, &PlatformDirs::detect())
    }

    /// Resolves settings with an injected environment and platform directories.
    ///
    /// # Errors
    /// As [`Settings::from_process`].
    pub fn resolve(
        overrides: &Overrides,
        env: &dyn Env,
        dirs: &PlatformDirs,
    ) -> Result<Settings, ConfigError> {
        let loaded = file::load(config_path(overrides, env, dirs)?)?;
        let (file, file_path) = match &loaded {
            Some((file, path)) => (Some(file), Some(path.as_path())),
            None => (None, None),
        };

        let (data_dir, data_dir_origin) = match overrides.data_dir.clone() {
            Some(dir) => (dir, Some(Origin::Flag("--data-dir".to_owned()))),
            None => match first_var_os(env, &["STMGR_DATA_DIR", "DATA_DIR"]) {
                Some((name, dir)) => (PathBuf::from(dir), Some(Origin::Env(name.to_owned()))),
                None => match (file.and_then(|f| f.data_dir.as_ref()), file_path) {
                    (Some(dir), Some(path)) => (
                        relative_to_file(path, dir),
                        Some(file_origin(path, "data_dir")),
                    ),
                    _ => (
                        dirs.data_dir
                            .clone()
                            .unwrap_or_else(|| PathBuf::from(FALLBACK_DATA_DIR)),
                        None,
                    ),
                },
            },
        };

        let (server, server_origin) = match overrides.server.clone() {
            Some(server) => (server, Some(Origin::Flag("--server".to_owned()))),
            None => match first_var(env, &["STMGR_SERVER"])? {
                Some((name, server)) => (server, Some(Origin::Env(name.to_owned()))),
                None => match (file.and_then(|f| f.server.clone()), file_path) {
                    (Some(server), Some(path)) => (server, Some(file_origin(path, "server"))),
                    _ => (DEFAULT_SERVER.to_owned(), None),
                },
            },
        };
        check_server(&server, server_origin.clone())?;

        let output = match overrides.output {
            Some(output) => Some(output),
            None => match first_var(env, &["STMGR_OUTPUT"])? {
                Some((name, value)) => Some(parse_output(name, &value)?),
                None => file.and_then(|f| f.output),
            },
        };

        let engine = engine::resolve(env, file.map(|f| &f.engine), file_path)?;
        let snapshots = snapshots::resolve(file.and_then(|f| f.snapshots.as_ref()), file_path)?;
        let storage = file.and_then(|f| f.storage.clone());
        let auth = auth::resolve(env, file.map(|f| &f.auth), file_path)?;
        let client = client::resolve(
            overrides,
            env,
            file.map(|f| &f.client),
            file_path,
            auth.api_key.as_ref(),
        )?;

        Ok(Settings {
            data_dir,
            data_dir_origin,
            server,
            server_origin,
            output,
            quiet: overrides.quiet,
            verbose: overrides.verbose,
            config_file: loaded.map(|(_, path)| path),
            engine,
            client,
            auth,
            snapshots,
            storage,
        })
    }
}

/// Which config file to read: `(path, explicitly named)`, or `None` for no file at all.
fn config_path(
    overrides: &Overrides,
    env: &dyn Env,
    dirs: &PlatformDirs,
) -> Result<Option<(PathBuf, bool)>, ConfigError> {
    if let Some(path) = &overrides.config {
        return Ok(Some((path.clone(), true)));
    }
    if let Some((_, path)) = first_var_os(env, &["STMGR_CONFIG"]) {
        return Ok(Some((PathBuf::from(path), true)));
    }
    let Some(dir) = &dirs.config_dir else {
        return Ok(None);
    };
    let path = dir.join(CONFIG_FILE_NAME);
    match path.try_exists() {
        Ok(true) => Ok(Some((path, false))),
        Ok(false) => Ok(None),
        Err(source) => Err(ConfigError::Read { path, source }),
    }
}

/// A path from the config file is relative to the directory holding the file.
pub(crate) fn relative_to_file(file: &Path, value: &Path) -> PathBuf {
    match file.parent() {
        Some(parent) if value.is_relative() => parent.join(value),
        _ => value.to_path_buf(),
    }
}

fn file_origin(path: &Path, key: &str) -> Origin {
    Origin::File {
        path: path.to_path_buf(),
        key: key.to_owned(),
    }
}

fn check_server(server: &str, origin: Option<Origin>) -> Result<(), ConfigError> {
    if server.starts_with("http://") || server.starts_with("https://") {
        return Ok(());
    }
    Err(ConfigError::InvalidValue {
        origin: origin.unwrap_or_else(|| Origin::Flag("--server".to_owned())),
        value: server.to_owned(),
        reason: "expected an http:// or https:// URL".to_owned(),
    })
}

fn parse_output(name: &str, value: &str) -> Result<OutputFormat, ConfigError> {
    <OutputFormat as clap::ValueEnum>::from_str(value, true).map_err(|_| {
        ConfigError::InvalidValue {
            origin: Origin::Env(name.to_owned()),
            value: value.to_owned(),
            reason: "expected table, json or jsonl".to_owned(),
        }
    })
}

/// The first of `names` that is set and not empty, as raw bytes (for paths).
pub(crate) fn first_var_os<'a>(env: &dyn Env, names: &[&'a str]) -> Option<(&'a str, OsString)> {
    names.iter().find_map(|name| {
        env.var_os(name)
            .filter(|value| !value.is_empty())
            .map(|value| (*name, value))
    })
}

/// The first of `names` that is set and not empty, as text.
pub(crate) fn first_var<'a>(
    env: &dyn Env,
    names: &[&'a str],
) -> Result<Option<(&'a str, String)>, ConfigError> {
    match first_var_os(env, names) {
        None => Ok(None),
        Some((name, value)) => match value.into_string() {
            Ok(value) => Ok(Some((name, value))),
            Err(_) => Err(ConfigError::NotUnicode {
                name: name.to_owned(),
            }),
        },
    }
}
