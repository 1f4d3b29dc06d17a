//! The encryption key for data at rest, from the environment or the `[engine]` table.
//!
//! | key, source          | value (raw 32 bytes or base64)           | key file                               |
//! |----------------------|------------------------------------------|----------------------------------------|
//! | current, environment | `STMGR_ENCRYPTION_KEY`, `ENCRYPTION_KEY` | `STMGR_ENCRYPTION_KEY_FILE`            |
//! | current, config file | `engine.encryption_key`                  | `engine.encryption_key_file`           |
//! | previous, environment | `STMGR_PREVIOUS_ENCRYPTION_KEY`         | `STMGR_PREVIOUS_ENCRYPTION_KEY_FILE`   |
//! | previous, config file | `engine.previous_encryption_key`        | `engine.previous_encryption_key_file`  |
//!
//! The current key seals new files and opens files sealed with it; the previous one only opens
//! files (see `crate::store::crypto::Keyring`). For each key the environment wins over the file;
//! within one source, a value and a file together are an error. A key file holds the same forms as the variable (32 raw bytes, or base64 with optional
//! surrounding whitespace); a relative path in the config file is relative to the file. Errors
//! name the variable, key or file, never the value.

use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use crate::store::crypto::EncryptionKey;

use super::file::FileEngine;
use super::{ConfigError, Env, Origin, first_var_os, relative_to_file};

/// Where one key may come from.
struct KeySources<'a> {
    /// Variables holding the value, first set wins.
    vars: &'a [&'a str],
    /// The variable naming a key file.
    file_var: &'a str,
    /// The config file's keys for the value and for a key file.
    keys: [&'a str; 2],
    /// Their values in the config file.
    values: (&'a Option<String>, &'a Option<PathBuf>),
}

/// Resolves the current and the previous key: environment > file > none, each.
pub(super) fn resolve(
    env: &dyn Env,
    file: &FileEngine,
    path: Option<&Path>,
) -> Result<(Option<EncryptionKey>, Option<EncryptionKey>), ConfigError> {
    let current = KeySources {
        vars: &["STMGR_ENCRYPTION_KEY", "ENCRYPTION_KEY"],
        file_var: "STMGR_ENCRYPTION_KEY_FILE",
        keys: ["encryption_key", "encryption_key_file"],
        values: (&file.encryption_key, &file.encryption_key_file),
    };
    let previous = KeySources {
        vars: &["STMGR_PREVIOUS_ENCRYPTION_KEY"],
        file_var: "STMGR_PREVIOUS_ENCRYPTION_KEY_FILE",
        keys: ["previous_encryption_key", "previous_encryption_key_file"],
        values: (
            &file.previous_encryption_key,
            &file.previous_encryption_key_file,
        ),
    };
    Ok((
        resolve_one(env, &current, path)?,
        resolve_one(env, &previous, path)?,
    ))
}

fn resolve_one(
    env: &dyn Env,
    src: &KeySources<'_>,
    path: Option<&Path>,
) -> Result<Option<EncryptionKey>, ConfigError> {
    let value = first_var_os(env, src.vars);
    let key_file = first_var_os(env, &[src.file_var]);
    match (value, key_file) {
        (Some((a, _)), Some((b, _))) => {
            return Err(ConfigError::Conflict {
                first: Origin::Env(a.to_owned()),
                second: Origin::Env(b.to_owned()),
            });
        }
        (Some((name, value)), None) => {
            return parse(&value.into_vec(), Origin::Env(name.to_owned())).map(Some);
        }
        (None, Some((name, file))) => {
            return read_key_file(&PathBuf::from(file), Origin::Env(name.to_owned())).map(Some);
        }
        (None, None) => {}
    }
    let Some(path) = path else { return Ok(None) };
    let origin = |key: &str| Origin::File {
        path: path.to_path_buf(),
        key: format!("engine.{key}"),
    };
    match src.values {
        (Some(_), Some(_)) => Err(ConfigError::Conflict {
            first: origin(src.keys[0]),
            second: origin(src.keys[1]),
        }),
        (Some(value), None) => parse(value.as_bytes(), origin(src.keys[0])).map(Some),
        (None, Some(key_file)) => {
            read_key_file(&relative_to_file(path, key_file), origin(src.keys[1])).map(Some)
        }
        (None, None) => Ok(None),
    }
}

fn parse(value: &[u8], origin: Origin) -> Result<EncryptionKey, ConfigError> {
    EncryptionKey::parse(value).map_err(|e| ConfigError::InvalidSecret {
        origin,
        reason: e.to_string(),
    })
}

fn read_key_file(path: &Path, origin: Origin) -> Result<EncryptionKey, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::KeyFile {
        path: path.to_path_buf(),
        origin: origin.clone(),
        source,
    })?;
    let bytes = zeroize::Zeroizing::new(bytes);
    EncryptionKey::parse(&bytes).map_err(|e| ConfigError::InvalidSecret {
        origin: Origin::KeyFile(path.to_path_buf()),
        reason: e.to_string(),
    })
}
