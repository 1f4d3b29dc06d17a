//! The config file: its TOML shape and how it is read.
//!
//! ```toml
//! data_dir = "/var/lib/stmgr"        # relative paths are relative to this file's directory
//! server = "http://127.0.0.1:8080"
//! output = "table"                   # table | json | jsonl
//!
//! [engine]
//! durability = "always"              # always | interval | never
//! sync_interval = "100ms"
//! segment_size = "64MiB"             # or a number of bytes
//! history_versions = 16
//! history_age = "1h"
//! watch_buffer_events = 10000
//! watch_buffer_bytes = "64MiB"
//! backend = "postgres://stmgr@db/stmgr"   # or "embedded" (the default): see docs/operations/postgres.md
//! encryption_key_file = "stmgr.key"   # or encryption_key = "<base64 of 32 bytes>"
//! previous_encryption_key_file = "old.key"   # only opens files (after a key change)
//!
//! [client]                           # how the CLI reaches a server
//! token = "k1.eyJ…"                  # sent as Authorization: Bearer
//! ca_cert = "ca.pem"                 # trust this CA (relative to this file)
//! client_cert = "me.pem"             # mutual TLS
//! client_key = "me.key"
//! timeout = "30s"                    # longest wait for an answer; "0": no limit
//!
//! [auth]                             # see `auth` for the matching environment variables
//! cap_key_active_id = "k2025"
//! cap_key_active = "base64:..."      # raw text, or base64: + base64 for binary keys
//! cap_key_next_id = "k2026"          # staged for rotation (optional)
//! cap_key_next = "base64:..."
//! region = "eu-west"
//! api_key = "..."                    # Exosphere x-api-key (STATE_MANAGER_SECRET)
//!
//! [snapshots]                        # automatic snapshots and retention: see `snapshots`
//! interval = "1h"
//! keep_daily = 7
//!
//! [storage]                          # the backup location: see `snapshots`
//! url = "s3://bucket/stmgr"
//!
//! [process.web]                      # processes of `stmgr supervise run` (see the supervise
//! command = "stmgr"                  # guide); `stacks` too
//! args = ["server", "start"]
//! ```
//! Unknown keys are errors that name the file, the line and the key.

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::auth::FileAuth;
use super::{ConfigError, OutputFormat};

/// The whole file. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) data_dir: Option<PathBuf>,
    pub(super) server: Option<String>,
    pub(super) output: Option<OutputFormat>,
    #[serde(default)]
    pub(super) engine: FileEngine,
    #[serde(default)]
    pub(super) client: super::client::FileClient,
    #[serde(default)]
    pub(super) auth: FileAuth,
    pub(super) snapshots: Option<super::snapshots::FileSnapshots>,
    pub(super) storage: Option<crate::backup::StorageTable>,
    /// `[process.NAME]` tables and `stacks`: read by `stmgr supervise run`
    /// (`crate::supervisor::Config`), not here.
    #[serde(default, rename = "process")]
    pub(super) _process: Option<toml::Value>,
    #[serde(default, rename = "stacks")]
    pub(super) _stacks: Option<toml::Value>,
    /// `[state]`, `[db]` and `[leaser]`: the supervisor's state protection, read by
    /// `stmgr supervise run` too.
    #[serde(default, rename = "state")]
    pub(super) _state: Option<toml::Value>,
    #[serde(default, rename = "db")]
    pub(super) _db: Option<toml::Value>,
    #[serde(default, rename = "leaser")]
    pub(super) _leaser: Option<toml::Value>,
}

/// The `[engine]` table. Values are kept raw: sizes may be numbers or strings like "64MiB",
/// and they are parsed by the same code as the environment variables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEngine {
    pub(super) durability: Option<toml::Value>,
    pub(super) sync_interval: Option<toml::Value>,
    pub(super) segment_size: Option<toml::Value>,
    pub(super) history_versions: Option<toml::Value>,
    pub(super) history_age: Option<toml::Value>,
    pub(super) watch_buffer_events: Option<toml::Value>,
    pub(super) watch_buffer_bytes: Option<toml::Value>,
    pub(super) backend: Option<toml::Value>,
    pub(super) encryption_key: Option<String>,
    pub(super) encryption_key_file: Option<PathBuf>,
    pub(super) previous_encryption_key: Option<String>,
    pub(super) previous_encryption_key_file: Option<PathBuf>,
}

/// Reads and parses the chosen file, if any. `explicit` files must exist; the default one is
/// skipped when it has disappeared since it was found.
pub(super) fn load(
    chosen: Option<(PathBuf, bool)>,
) -> Result<Option<(FileConfig, PathBuf)>, ConfigError> {
    let Some((path, explicit)) = chosen else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound && explicit => {
            return Err(ConfigError::NotFound { path });
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    let config = parse(&text, &path)?;
    Ok(Some((config, path)))
}

/// Parses the text of a config file; errors name `path` with a line and a column.
pub(super) fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        let (line, column) = line_column(text, offset);
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: err.message().trim().replace('\n', " "),
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}
