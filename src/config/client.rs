//! How the CLI reaches a server: token, API key, TLS files and timeout, from flags, the
//! environment and the `[client]` table of the config file.
//!
//! | option        | flag            | environment         | file key             |
//! |---------------|-----------------|---------------------|----------------------|
//! | token         | `--token`       | `STMGR_TOKEN`       | `client.token`       |
//! | API key       | `--api-key`     | see below           | `client.api_key`, then `auth.api_key` |
//! | CA to trust   | `--ca-cert`     | `STMGR_CA_CERT`     | `client.ca_cert`     |
//! | client cert   | `--client-cert` | `STMGR_CLIENT_CERT` | `client.client_cert` |
//! | client key    | `--client-key`  | `STMGR_CLIENT_KEY`  | `client.client_key`  |
//! | timeout       | `--timeout`     | `STMGR_TIMEOUT`     | `client.timeout`     |
//!
//! Paths in the file are relative to the file's directory. The timeout is a humantime duration
//! (`30s`, `2m`; `0` for no limit), [`DEFAULT_TIMEOUT`] when none is given.
//!
//! The API key (`x-api-key`, for the workflow API) is the same secret the server is configured
//! with, so the server's names are read too, as Exosphere's SDK reads `EXOSPHERE_API_KEY`:
//! `--api-key` > `STMGR_API_KEY` > `STATE_MANAGER_SECRET` > `API_KEY` > `EXOSPHERE_API_KEY` >
//! `client.api_key` > `auth.api_key` of the config file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{
    ConfigError, DEFAULT_TIMEOUT, Env, Origin, Overrides, first_var, first_var_os, relative_to_file,
};
use crate::auth::SecretString;
use crate::client::ClientOptions;

/// Environment variables holding the API key, first set wins: the server's names
/// (see `auth`), then the Exosphere SDK's.
const API_KEY_VARS: [&str; 4] = [
    "STMGR_API_KEY",
    "STATE_MANAGER_SECRET",
    "API_KEY",
    "EXOSPHERE_API_KEY",
];

/// The `[client]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileClient {
    token: Option<String>,
    ca_cert: Option<PathBuf>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    api_key: Option<String>,
    timeout: Option<String>,
}

/// Flags > environment > file for each option (> [`DEFAULT_TIMEOUT`] for the timeout);
/// `server_api_key` (the resolved `auth.api_key`) is the API key's last fallback.
pub(super) fn resolve(
    overrides: &Overrides,
    env: &dyn Env,
    file: Option<&FileClient>,
    file_path: Option<&Path>,
    server_api_key: Option<&SecretString>,
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
    let api_key = match &overrides.api_key {
        Some(k) if !k.is_empty() => Some(SecretString::new(k.clone())),
        _ => match first_var(env, &API_KEY_VARS)? {
            Some((_, k)) => Some(SecretString::new(k)),
            None => file
                .and_then(|f| f.api_key.clone())
                .filter(|k| !k.is_empty())
                .map(SecretString::new)
                .or_else(|| server_api_key.cloned()),
        },
    };
    let timeout = match overrides.timeout {
        Some(limit) => limit,
        None => match first_var(env, &["STMGR_TIMEOUT"])? {
            Some((name, text)) => parse_timeout(Origin::Env(name.to_owned()), &text)?,
            None => match (file.and_then(|f| f.timeout.as_deref()), file_path) {
                (Some(text), Some(path)) => parse_timeout(
                    Origin::File {
                        path: path.to_path_buf(),
                        key: "client.timeout".to_owned(),
                    },
                    text,
                )?,
                _ => DEFAULT_TIMEOUT,
            },
        },
    };
    Ok(ClientOptions {
        token,
        api_key,
        timeout: (!timeout.is_zero()).then_some(timeout),
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

/// A humantime duration (`30s`, `2m`, `0`).
fn parse_timeout(origin: Origin, text: &str) -> Result<Duration, ConfigError> {
    humantime::parse_duration(text.trim()).map_err(|err| ConfigError::InvalidValue {
        origin,
        value: text.to_owned(),
        reason: format!("expected a duration such as 30s or 2m, or 0 for no limit ({err})"),
    })
}
