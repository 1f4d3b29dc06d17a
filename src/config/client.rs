//! How the CLI reaches a server: token and TLS files, from flags, the environment and the
//! `[client]` table of the config file.
//!
//! | option        | flag            | environment         | file key             |
//! |---------------|-----------------|---------------------|----------------------|
//! | token         | `--token`       | `STMGR_TOKEN`       | `client.token`       |
//! | CA to trust   | `--ca-cert`     | `STMGR_CA_CERT`     | `client.ca_cert`     |
//! | client cert   | `--client-cert` | `STMGR_CLIENT_CERT` | `client.client_cert` |
//! | client key    | `--client-key`  | `STMGR_CLIENT_KEY`  | `client.client_key`  |
//!
//! Paths in the file are relative to the file's directory.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConfigError, Env, Overrides, first_var, first_var_os, relative_to_file};
use crate::client::ClientOptions;

/// The `[client]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileClient {
    token: Option<String>,
    ca_cert: Option<PathBuf>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
}

/// Flags > environment > file for each option.
pub(super) fn resolve(
    overrides: &Overrides,
    env: &dyn Env,
    file: Option<&FileClient>,
    file_path: Option<&Path>,
) -> Result<ClientOptions, ConfigError> {
    let path = |flag: &Option<PathBuf>, var: &str, from_file: Option<&PathBuf>| {
        flag.clone()
            .or_else(|| first_var_os(env, &[var]).map(|(_, v)| PathBuf::from(v)))
            .or_else(|| match (from_file, file_path) {
                (Some(p), Some(file)) => Some(relative_to_file(file, p)),
                _ => None,
            })
    };
    let token = match &overrides.token {
        Some(t) => Some(t.clone()),
        None => match first_var(env, &["STMGR_TOKEN"])? {
            Some((_, t)) => Some(t),
            None => file.and_then(|f| f.token.clone()),
        },
    };
    Ok(ClientOptions {
        token,
        ca_cert: path(
            &overrides.ca_cert,
            "STMGR_CA_CERT",
            file.and_then(|f| f.ca_cert.as_ref()),
        ),
        client_cert: path(
            &overrides.client_cert,
            "STMGR_CLIENT_CERT",
            file.and_then(|f| f.client_cert.as_ref()),
        ),
        client_key: path(
            &overrides.client_key,
            "STMGR_CLIENT_KEY",
            file.and_then(|f| f.client_key.as_ref()),
        ),
    })
}
