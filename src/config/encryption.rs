//! The encryption key for data at rest, from the environment or the `[engine]` table.
//!
//! | source      | key value (raw 32 bytes or base64)           | key file                      |
//! |-------------|----------------------------------------------|-------------------------------|
//! | environment | `STMGR_ENCRYPTION_KEY`, `ENCRYPTION_KEY`     | `STMGR_ENCRYPTION_KEY_FILE`   |
//! | config file | `engine.encryption_key`                      | `engine.encryption_key_file`  |
//!
//! The environment wins over the file; within one source, a value and a file together are an
//! error. A key file holds the same forms as the variable (32 raw bytes, or base64 with optional
//! surrounding whitespace); a relative path in the config file is relative to the file. Errors
//! name the variable, key or file, never the value.

use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use crate::store::crypto::EncryptionKey;

use super::file::FileEngine;
use super::{ConfigError, Env, Origin, first_var_os, relative_to_file};

const KEY_VARS: [&str; 2] = ["STMGR_ENCRYPTION_KEY", "ENCRYPTION_KEY"];
const KEY_FILE_VAR: &str = "STMGR_ENCRYPTION_KEY_FILE";

/// Resolves the key: environment > file > none.
pub(super) fn resolve(
    env: &dyn Env,
    file: &FileEngine,
    path: Option<&Path>,
) -> Result<Option<EncryptionKey>, ConfigError> {
    let value = first_var_os(env, &KEY_VARS);
    let key_file = first_var_os(env, &[KEY_FILE_VAR]);
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
    match (&file.encryption_key, &file.encryption_key_file) {
        (Some(_), Some(_)) => Err(ConfigError::Conflict {
            first: origin("encryption_key"),
            second: origin("encryption_key_file"),
        }),
        (Some(value), None) => parse(value.as_bytes(), origin("encryption_key")).map(Some),
        (None, Some(key_file)) => read_key_file(
            &relative_to_file(path, key_file),
            origin("encryption_key_file"),
        )
        .map(Some),
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
