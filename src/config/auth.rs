//! Auth settings ([`AuthSettings`]): capability-token keys, the server's region and the
//! Exosphere API key, from the environment and the `[auth]` table of the config file.
//!
//! | setting             | environment (first set wins)                         | file key                 |
//! |---------------------|------------------------------------------------------|--------------------------|
//! | active key id       | `STMGR_CAP_KEY_ACTIVE_ID`, `CAP_KEY_ACTIVE_ID`       | `auth.cap_key_active_id` |
//! | active key          | `STMGR_CAP_KEY_ACTIVE`, `CAP_KEY_ACTIVE`             | `auth.cap_key_active`    |
//! | next key id         | `STMGR_CAP_KEY_NEXT_ID`, `CAP_KEY_NEXT_ID`           | `auth.cap_key_next_id`   |
//! | next key            | `STMGR_CAP_KEY_NEXT`, `CAP_KEY_NEXT`                 | `auth.cap_key_next`      |
//! | region              | `STMGR_REGION`, `REGION`                             | `auth.region`            |
//! | API key             | `STMGR_API_KEY`, `STATE_MANAGER_SECRET`, `API_KEY`   | `auth.api_key`           |
//! | graph secrets key   | `STMGR_SECRETS_ENCRYPTION_KEY`, `SECRETS_ENCRYPTION_KEY` | `auth.secrets_encryption_key` |
//!
//! Each value is looked up on its own (environment > file); empty values count as unset. A key
//! needs its id and an id needs its key (AgentState defaulted the ids to `active` and `next`;
//! stmgr asks for them, so a token's kid is always a deliberate choice). A next key needs an
//! active key, with a different id. Key values are raw text or `base64:...` (see
//! [`crate::auth::key_bytes`]). Errors name the variable or file key and never show a secret.

use std::path::Path;

use serde::Deserialize;

use crate::auth::{Key, KeyError, KeyRing, SecretString};

use super::{ConfigError, Env, Origin, file_origin, first_var};

/// The `[auth]` table of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAuth {
    cap_key_active_id: Option<String>,
    cap_key_active: Option<String>,
    cap_key_next_id: Option<String>,
    cap_key_next: Option<String>,
    region: Option<String>,
    api_key: Option<String>,
    secrets_encryption_key: Option<String>,
}

/// Resolved auth settings. `Debug` shows key ids, never keys.
#[derive(Debug, Clone, Default)]
pub struct AuthSettings {
    /// The capability-token keys; `None` when no key is configured.
    pub keys: Option<KeyRing>,
    /// This server's region (`REGION`), for tokens pinned to a region.
    pub region: Option<String>,
    /// The Exosphere API key (`STATE_MANAGER_SECRET`), accepted in `x-api-key`.
    pub api_key: Option<SecretString>,
    /// Seals workflow graph secrets (`SECRETS_ENCRYPTION_KEY`, 32 bytes URL-safe base64).
    pub secrets_key: Option<crate::workflow::SecretsKey>,
}

/// One setting: its environment names and its key in `[auth]`.
struct Spec {
    names: &'static [&'static str],
    key: &'static str,
}

const ACTIVE_ID: Spec = Spec {
    names: &["STMGR_CAP_KEY_ACTIVE_ID", "CAP_KEY_ACTIVE_ID"],
    key: "cap_key_active_id",
};
const ACTIVE: Spec = Spec {
    names: &["STMGR_CAP_KEY_ACTIVE", "CAP_KEY_ACTIVE"],
    key: "cap_key_active",
};
const NEXT_ID: Spec = Spec {
    names: &["STMGR_CAP_KEY_NEXT_ID", "CAP_KEY_NEXT_ID"],
    key: "cap_key_next_id",
};
const NEXT: Spec = Spec {
    names: &["STMGR_CAP_KEY_NEXT", "CAP_KEY_NEXT"],
    key: "cap_key_next",
};
const REGION: Spec = Spec {
    names: &["STMGR_REGION", "REGION"],
    key: "region",
};
const SECRETS_KEY: Spec = Spec {
    names: &["STMGR_SECRETS_ENCRYPTION_KEY", "SECRETS_ENCRYPTION_KEY"],
    key: "secrets_encryption_key",
};
const API_KEY: Spec = Spec {
    names: &["STMGR_API_KEY", "STATE_MANAGER_SECRET", "API_KEY"],
    key: "api_key",
};

impl Spec {
    /// "STMGR_CAP_KEY_ACTIVE_ID, CAP_KEY_ACTIVE_ID or auth.cap_key_active_id".
    fn names_text(&self) -> String {
        format!("{} or auth.{}", self.names.join(", "), self.key)
    }
}

/// Resolves the auth settings: environment > file > unset.
pub(super) fn resolve(
    env: &dyn Env,
    file: Option<&FileAuth>,
    path: Option<&Path>,
) -> Result<AuthSettings, ConfigError> {
    let none = FileAuth::default();
    let file = file.unwrap_or(&none);
    let get = |spec: &Spec, value: &Option<String>| lookup(env, path, spec, value);

    let active = pair(
        get(&ACTIVE_ID, &file.cap_key_active_id)?,
        get(&ACTIVE, &file.cap_key_active)?,
        (&ACTIVE_ID, &ACTIVE),
    )?;
    let next = pair(
        get(&NEXT_ID, &file.cap_key_next_id)?,
        get(&NEXT, &file.cap_key_next)?,
        (&NEXT_ID, &NEXT),
    )?;
    let keys = match (active, next) {
        (None, None) => None,
        (None, Some((origin, _))) => {
            return Err(ConfigError::Incomplete {
                given: origin,
                missing: format!("no active key is ({})", ACTIVE.names_text()),
            });
        }
        (Some((_, active)), next) => {
            let (next_origin, next) = match next {
                Some((origin, key)) => (Some(origin), Some(key)),
                None => (None, None),
            };
            Some(KeyRing::new(active, next).map_err(|err| {
                let origin = next_origin.unwrap_or_else(|| Origin::Env(NEXT_ID.names[0].into()));
                key_error(origin, &err)
            })?)
        }
    };

    Ok(AuthSettings {
        keys,
        region: get(&REGION, &file.region)?.map(|(_, region)| region),
        api_key: get(&API_KEY, &file.api_key)?.map(|(_, key)| SecretString::new(key)),
        secrets_key: match get(&SECRETS_KEY, &file.secrets_encryption_key)? {
            None => None,
            Some((origin, value)) => {
                Some(crate::workflow::SecretsKey::parse(&value).map_err(|e| {
                    ConfigError::InvalidSecret {
                        origin,
                        reason: e.to_string(),
                    }
                })?)
            }
        },
    })
}

/// The value of one setting and where it came from: the first variable set, else the file.
fn lookup(
    env: &dyn Env,
    path: Option<&Path>,
    spec: &Spec,
    file_value: &Option<String>,
) -> Result<Option<(Origin, String)>, ConfigError> {
    if let Some((name, value)) = first_var(env, spec.names)? {
        return Ok(Some((Origin::Env(name.to_owned()), value)));
    }
    match (file_value, path) {
        (Some(value), Some(path)) if !value.is_empty() => Ok(Some((
            file_origin(path, &format!("auth.{}", spec.key)),
            value.clone(),
        ))),
        _ => Ok(None),
    }
}

/// A key from its id and value, both or neither. Returns the origin of the id with the key.
fn pair(
    id: Option<(Origin, String)>,
    value: Option<(Origin, String)>,
    (id_spec, key_spec): (&Spec, &Spec),
) -> Result<Option<(Origin, Key)>, ConfigError> {
    match (id, value) {
        (None, None) => Ok(None),
        (Some((origin, _)), None) => Err(ConfigError::Incomplete {
            given: origin,
            missing: format!("its key is not ({})", key_spec.names_text()),
        }),
        (None, Some((origin, _))) => Err(ConfigError::Incomplete {
            given: origin,
            missing: format!(
                "its key id is not ({}; AgentState used \"active\" and \"next\" when unset)",
                id_spec.names_text()
            ),
        }),
        (Some((id_origin, id)), Some((key_origin, value))) => {
            crate::auth::validate_kid(&id).map_err(|err| key_error(id_origin.clone(), &err))?;
            let key = Key::from_config(&id, &value).map_err(|err| key_error(key_origin, &err))?;
            Ok(Some((id_origin, key)))
        }
    }
}

/// A key error as a [`ConfigError`] naming `origin`; key values are never shown.
fn key_error(origin: Origin, err: &KeyError) -> ConfigError {
    match err {
        KeyError::BadId(id) | KeyError::DuplicateId(id) => ConfigError::InvalidValue {
            origin,
            value: id.clone(),
            reason: err.to_string(),
        },
        KeyError::Empty | KeyError::Base64 => ConfigError::InvalidSecret {
            origin,
            reason: err.to_string(),
        },
    }
}
