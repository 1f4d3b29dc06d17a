//! Engine options from the environment and the `[engine]` table of the config file.
//!
//! | option                | environment (first set wins)                                   | file key                     |
//! |-----------------------|----------------------------------------------------------------|------------------------------|
//! | `durability`          | `STMGR_DURABILITY`                                             | `engine.durability`          |
//! | `sync_interval`       | `STMGR_SYNC_INTERVAL`                                          | `engine.sync_interval`       |
//! | `segment_size`        | `STMGR_WAL_SEGMENT_SIZE`                                       | `engine.segment_size`        |
//! | `history_versions`    | `STMGR_HISTORY_VERSIONS`                                       | `engine.history_versions`    |
//! | `history_age`         | `STMGR_HISTORY_AGE`                                            | `engine.history_age`         |
//! | `watch_buffer_events` | `STMGR_WATCH_BUFFER_EVENTS`, `WATCH_BUFFER_EVENTS`, `WATCH_BUFFER_SIZE` | `engine.watch_buffer_events` |
//! | `watch_buffer_bytes`  | `STMGR_WATCH_BUFFER_BYTES`, `WATCH_BUFFER_BYTES`               | `engine.watch_buffer_bytes`  |
//! | `backend`             | `STMGR_BACKEND`                                                | `engine.backend`             |
//!
//! | `encryption`          | `STMGR_ENCRYPTION_KEY`, `ENCRYPTION_KEY`, `STMGR_ENCRYPTION_KEY_FILE` | `engine.encryption_key`, `engine.encryption_key_file` |
//! | `previous_encryption` | `STMGR_PREVIOUS_ENCRYPTION_KEY`, `STMGR_PREVIOUS_ENCRYPTION_KEY_FILE` | `engine.previous_encryption_key`, `engine.previous_encryption_key_file` |
//!
//! Durations use humantime (`100ms`, `1h 30m`); sizes use bytesize (`64MiB`, `1GB`, `4096`).
//! The encryption key is resolved in `super::encryption`.

use std::path::Path;
use std::time::Duration;

use crate::store::options::{Durability, EngineOptions};

use super::file::FileEngine;
use super::{ConfigError, Env, Origin, first_var};

/// A value as written, before parsing.
enum Raw<'a> {
    Text(&'a str),
    Integer(i64),
    Other(&'a toml::Value),
}

impl Raw<'_> {
    fn shown(&self) -> String {
        match self {
            Raw::Text(text) => (*text).to_owned(),
            Raw::Integer(n) => n.to_string(),
            Raw::Other(value) => value.to_string(),
        }
    }
}

type Parser<T> = fn(&Raw<'_>) -> Result<T, String>;

/// Resolves every engine option: environment > file > [`EngineOptions::default`].
pub(super) fn resolve(
    env: &dyn Env,
    file: Option<&FileEngine>,
    path: Option<&Path>,
) -> Result<EngineOptions, ConfigError> {
    let none = FileEngine::default();
    let file = file.unwrap_or(&none);
    let src = Sources { env, path };
    let mut options = EngineOptions::default();

    if let Some(v) = src.get(
        &["STMGR_DURABILITY"],
        "durability",
        &file.durability,
        parse_durability,
    )? {
        options.durability = v;
    }
    if let Some(v) = src.get(
        &["STMGR_SYNC_INTERVAL"],
        "sync_interval",
        &file.sync_interval,
        parse_nonzero_duration,
    )? {
        options.sync_interval = v;
    }
    if let Some(v) = src.get(
        &["STMGR_WAL_SEGMENT_SIZE"],
        "segment_size",
        &file.segment_size,
        parse_nonzero_size,
    )? {
        options.segment_size = v;
    }
    if let Some(v) = src.get(
        &["STMGR_HISTORY_VERSIONS"],
        "history_versions",
        &file.history_versions,
        parse_count,
    )? {
        options.history_versions = v;
    }
    if let Some(v) = src.get(
        &["STMGR_HISTORY_AGE"],
        "history_age",
        &file.history_age,
        parse_duration,
    )? {
        options.history_age = v;
    }
    let names = [
        "STMGR_WATCH_BUFFER_EVENTS",
        "WATCH_BUFFER_EVENTS",
        "WATCH_BUFFER_SIZE",
    ];
    if let Some(v) = src.get(
        &names,
        "watch_buffer_events",
        &file.watch_buffer_events,
        parse_nonzero_count,
    )? {
        options.watch_buffer_events = v;
    }
    let names = ["STMGR_WATCH_BUFFER_BYTES", "WATCH_BUFFER_BYTES"];
    if let Some(v) = src.get(
        &names,
        "watch_buffer_bytes",
        &file.watch_buffer_bytes,
        parse_nonzero_size,
    )? {
        options.watch_buffer_bytes = usize::try_from(v).unwrap_or(usize::MAX);
    }
    // A database URL may hold a password: a refused value is not echoed.
    let backend = src
        .get(&["STMGR_BACKEND"], "backend", &file.backend, parse_backend)
        .map_err(|e| match e {
            ConfigError::InvalidValue { origin, reason, .. } => ConfigError::InvalidValue {
                origin,
                value: "(not shown)".to_owned(),
                reason,
            },
            other => other,
        })?;
    if let Some(v) = backend {
        options.backend = v;
    }
    (options.encryption, options.previous_encryption) =
        super::encryption::resolve(env, file, path)?;
    Ok(options)
}

/// `embedded` (the default) or a `postgres://` URL.
fn parse_backend(raw: &Raw<'_>) -> Result<Option<String>, String> {
    match raw {
        Raw::Text("embedded") => Ok(None),
        Raw::Text(url) if crate::store::pg::is_postgres_url(url) => Ok(Some((*url).to_owned())),
        other => Err(format!(
            "expected `embedded` or a postgres:// URL, found {}",
            if matches!(other, Raw::Text(_)) {
                "another text".to_owned()
            } else {
                other.shown()
            }
        )),
    }
}

/// The environment and the config file's path, to look one option up in.
struct Sources<'a> {
    env: &'a dyn Env,
    path: Option<&'a Path>,
}

impl Sources<'_> {
    /// The parsed value from the first of `names` that is set, else from the file's `key`,
    /// else `None`.
    fn get<T>(
        &self,
        names: &[&str],
        key: &str,
        file_value: &Option<toml::Value>,
        parse: Parser<T>,
    ) -> Result<Option<T>, ConfigError> {
        if let Some((name, text)) = first_var(self.env, names)? {
            let raw = Raw::Text(&text);
            return parse(&raw)
                .map(Some)
                .map_err(|reason| invalid(Origin::Env(name.to_owned()), &raw, reason));
        }
        let (Some(value), Some(path)) = (file_value, self.path) else {
            return Ok(None);
        };
        let raw = match value {
            toml::Value::String(text) => Raw::Text(text),
            toml::Value::Integer(n) => Raw::Integer(*n),
            other => Raw::Other(other),
        };
        let origin = Origin::File {
            path: path.to_path_buf(),
            key: format!("engine.{key}"),
        };
        parse(&raw)
            .map(Some)
            .map_err(|reason| invalid(origin, &raw, reason))
    }
}

fn invalid(origin: Origin, raw: &Raw<'_>, reason: String) -> ConfigError {
    ConfigError::InvalidValue {
        origin,
        value: raw.shown(),
        reason,
    }
}

fn parse_durability(raw: &Raw<'_>) -> Result<Durability, String> {
    match raw {
        Raw::Text(text) => text.trim().parse(),
        _ => Err("expected always, interval or never".to_owned()),
    }
}

fn parse_duration(raw: &Raw<'_>) -> Result<Duration, String> {
    match raw {
        Raw::Text(text) => humantime::parse_duration(text.trim())
            .map_err(|err| format!("expected a duration such as 500ms or 1h ({err})")),
        _ => Err("expected a duration string such as \"500ms\" or \"1h\"".to_owned()),
    }
}

fn parse_nonzero_duration(raw: &Raw<'_>) -> Result<Duration, String> {
    match parse_duration(raw)? {
        d if d.is_zero() => Err("must be greater than zero".to_owned()),
        d => Ok(d),
    }
}

fn parse_size(raw: &Raw<'_>) -> Result<u64, String> {
    match raw {
        Raw::Integer(n) => u64::try_from(*n).map_err(|_| "must not be negative".to_owned()),
        Raw::Text(text) => text
            .trim()
            .parse::<bytesize::ByteSize>()
            .map(|size| size.as_u64())
            .map_err(|err| format!("expected a size such as 64MiB or 4096 ({err})")),
        Raw::Other(_) => Err("expected a size such as \"64MiB\" or a number of bytes".to_owned()),
    }
}

fn parse_nonzero_size(raw: &Raw<'_>) -> Result<u64, String> {
    match parse_size(raw)? {
        0 => Err("must be greater than zero".to_owned()),
        n => Ok(n),
    }
}

fn parse_count(raw: &Raw<'_>) -> Result<usize, String> {
    match raw {
        Raw::Integer(n) => usize::try_from(*n).map_err(|_| "must not be negative".to_owned()),
        Raw::Text(text) => text
            .trim()
            .parse::<usize>()
            .map_err(|_| "expected a whole number".to_owned()),
        Raw::Other(_) => Err("expected a whole number".to_owned()),
    }
}

fn parse_nonzero_count(raw: &Raw<'_>) -> Result<usize, String> {
    match parse_count(raw)? {
        0 => Err("must be greater than zero".to_owned()),
        n => Ok(n),
    }
}
