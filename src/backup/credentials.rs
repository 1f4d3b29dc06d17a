//! Credentials for S3 and the three places they come from: the usual `AWS_*` variables, a
//! [`StorageConfig`] (the `[storage]` table of the config file), or the Go state manager's
//! `storage` block ([`GoStorageConfig`], its JSON accepted as it is).
//!
//! A [`Secret`] has no `Display`, prints `<redacted>` in `Debug` and is never serialized;
//! [`Credentials`] print only whether they are set.

use std::fmt;

use serde::Deserialize;

use super::error::{BackupError, Redactor, Result};
use super::location::{Location, S3Location, clean_prefix};

/// A secret text value (secret access key, session token).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself: pass it to the client, never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An access key pair, with a session token for temporary credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: Secret,
    secret_access_key: Secret,
    session_token: Option<Secret>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &"<redacted>")
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Credentials {
    /// An access key id and its secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: Secret) -> Credentials {
        Credentials {
            access_key_id: Secret::new(access_key_id),
            secret_access_key,
            session_token: None,
        }
    }

    /// The same with a session token.
    pub fn with_session_token(mut self, token: Secret) -> Credentials {
        self.session_token = Some(token);
        self
    }

    /// From `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`; `None` when
    /// the first two are not both set.
    pub fn from_env() -> Option<Credentials> {
        Credentials::from_lookup(|k| std::env::var(k).ok())
    }

    /// As [`Credentials::from_env`], reading variables through `get`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Option<Credentials> {
        let id = get("AWS_ACCESS_KEY_ID").filter(|v| !v.is_empty())?;
        let secret = get("AWS_SECRET_ACCESS_KEY").filter(|v| !v.is_empty())?;
        let c = Credentials::new(id, Secret::new(secret));
        Some(match get("AWS_SESSION_TOKEN").filter(|v| !v.is_empty()) {
            Some(t) => c.with_session_token(Secret::new(t)),
            None => c,
        })
    }

    pub(crate) fn access_key_id(&self) -> &str {
        self.access_key_id.expose()
    }

    pub(crate) fn secret_access_key(&self) -> &str {
        self.secret_access_key.expose()
    }

    pub(crate) fn session_token(&self) -> Option<&str> {
        self.session_token.as_ref().map(Secret::expose)
    }

    /// A redactor that removes these credentials from any text.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(
            [
                Some(self.access_key_id()),
                Some(self.secret_access_key()),
                self.session_token(),
            ]
            .into_iter()
            .flatten(),
        )
    }
}

/// The `[storage]` table of the config file: a location and, optionally, credentials. Fields
/// left out are taken from the URL's options, then from the `AWS_*` variables.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// `file:///dir` or `s3://bucket/prefix`.
    pub url: String,
    /// S3 endpoint URL.
    pub endpoint: Option<String>,
    /// S3 region.
    pub region: Option<String>,
    /// Path-style requests.
    pub path_style: Option<bool>,
    /// Allow plain HTTP to a non-loopback endpoint.
    pub allow_http: Option<bool>,
    /// Access key id.
    pub access_key_id: Option<Secret>,
    /// Secret access key.
    pub secret_access_key: Option<Secret>,
    /// Session token.
    pub session_token: Option<Secret>,
}

impl StorageConfig {
    /// The location and the credentials this table names (`None`: use the environment).
    ///
    /// # Errors
    /// A bad URL, an endpoint given for a local directory, half a key pair.
    pub fn resolve(&self) -> Result<(Location, Option<Credentials>)> {
        let mut location = Location::parse(&self.url)?;
        let invalid = |reason: &str| BackupError::InvalidLocation {
            url: location_text(&self.url),
            reason: reason.to_owned(),
        };
        match &mut location {
            Location::S3(s3) => {
                if let Some(e) = &self.endpoint {
                    s3.endpoint = Some(e.trim_end_matches('/').to_owned());
                }
                if let Some(r) = &self.region {
                    s3.region = Some(r.clone());
                }
                if self.path_style.is_some() {
                    s3.path_style = self.path_style;
                }
                if let Some(a) = self.allow_http {
                    s3.allow_http = a;
                }
                s3.check().map_err(|r| invalid(&r))?;
            }
            Location::Local { .. } => {
                if self.endpoint.is_some() || self.access_key_id.is_some() {
                    return Err(invalid(
                        "a local directory takes no endpoint or credentials",
                    ));
                }
            }
        }
        let credentials = match (&self.access_key_id, &self.secret_access_key) {
            (Some(id), Some(secret)) => {
                let c = Credentials::new(id.expose(), secret.clone());
                Some(match &self.session_token {
                    Some(t) => c.with_session_token(t.clone()),
                    None => c,
                })
            }
            (None, None) => None,
            _ => {
                return Err(invalid(
                    "access_key_id and secret_access_key go together: give both or neither",
                ));
            }
        };
        Ok((location, credentials))
    }
}

fn location_text(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.password().is_some() || !u.username().is_empty() => "(not shown)".into(),
        _ => url.to_owned(),
    }
}

/// The `[storage]` table of the config file in either form: stmgr's (`url = …`, see
/// [`StorageConfig`]) or the Go state manager's storage block (`bucket`, `endpoint`,
/// `access_key`, …, see [`GoStorageConfig`]), so one table serves backups and
/// `stmgr supervise` alike.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StorageTable {
    /// `url = "s3://bucket/prefix"` and optional settings.
    Url(StorageConfig),
    /// The Go state manager's fields.
    Go(GoStorageConfig),
}

impl StorageTable {
    /// The URL it was given as, for the `url` form.
    pub fn url(&self) -> Option<&str> {
        match self {
            StorageTable::Url(s) => Some(&s.url),
            StorageTable::Go(_) => None,
        }
    }

    /// The location and credentials it names (`None`: use the environment).
    ///
    /// # Errors
    /// As [`StorageConfig::resolve`] and [`GoStorageConfig::resolve`].
    pub fn resolve(&self) -> Result<(Location, Option<Credentials>)> {
        match self {
            StorageTable::Url(s) => s.resolve(),
            StorageTable::Go(g) => g.resolve().map(|(l, c)| (l, Some(c))),
        }
    }
}

/// The Go state manager's `storage` block (`SystemConfig.storage`): what its users already have
/// in `config.json` or in `FLY_STORAGE_*` variables. `env_dir` is accepted and ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct GoStorageConfig {
    /// Bucket name.
    pub bucket: String,
    /// Endpoint URL.
    pub endpoint: String,
    /// Access key id.
    pub access_key: Secret,
    /// Secret access key.
    pub secret_key: Secret,
    /// Region (Go default `auto`).
    #[serde(default)]
    pub region: Option<String>,
    /// Key prefix (Go default `/`: the bucket's root).
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// The Go tool's working directory for JuiceFS; not used here.
    #[serde(default)]
    pub env_dir: Option<String>,
}

#[derive(Deserialize)]
struct GoSystemConfig {
    storage: GoStorageConfig,
}

impl GoStorageConfig {
    /// Parses either the whole Go `SystemConfig` (`{"storage": {...}, "stacks": [...]}`) or
    /// the `storage` block alone.
    ///
    /// # Errors
    /// [`BackupError::InvalidLocation`] when neither parses or a required field is missing
    /// (the message names fields, never values).
    pub fn from_json(text: &str) -> Result<GoStorageConfig> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| go_invalid(format!("not JSON: {e}")))?;
        let parsed = if value.get("storage").is_some() {
            serde_json::from_value::<GoSystemConfig>(value).map(|s| s.storage)
        } else {
            serde_json::from_value::<GoStorageConfig>(value)
        };
        // serde_json's messages name the field, not its value.
        parsed.map_err(|e| go_invalid(e.to_string()))
    }

    /// The location (path-style, as the Go tool forced) and the credentials.
    ///
    /// # Errors
    /// A bad bucket name or endpoint.
    pub fn resolve(&self) -> Result<(Location, Credentials)> {
        let s3 = S3Location {
            bucket: self.bucket.clone(),
            prefix: clean_prefix(self.key_prefix.as_deref().unwrap_or("/")),
            endpoint: Some(self.endpoint.trim_end_matches('/').to_owned()),
            region: Some(self.region.clone().unwrap_or_else(|| "auto".into())),
            path_style: Some(true),
            allow_http: false,
        };
        s3.check().map_err(go_invalid)?;
        Ok((
            Location::S3(s3),
            Credentials::new(self.access_key.expose(), self.secret_key.clone()),
        ))
    }
}

fn go_invalid(reason: String) -> BackupError {
    BackupError::InvalidLocation {
        url: "(Go state manager storage block)".into(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storage_table_takes_stmgrs_form_or_the_go_state_managers() {
        let url: StorageTable =
            toml::from_str("url = \"s3://bkt/stmgr\"\nendpoint = \"http://127.0.0.1:9000\"\n")
                .unwrap();
        assert_eq!(url.url(), Some("s3://bkt/stmgr"));
        let (loc, creds) = url.resolve().unwrap();
        assert!(
            matches!(loc, Location::S3(ref s) if s.bucket == "bkt"),
            "{loc:?}"
        );
        assert!(creds.is_none());
        let go: StorageTable = toml::from_str(
            "bucket = \"bkt\"\nendpoint = \"https://s3.example.com\"\n\
             access_key = \"AK\"\nsecret_key = \"SK\"\nkey_prefix = \"team\"\n",
        )
        .unwrap();
        assert_eq!(go.url(), None);
        let (loc, creds) = go.resolve().unwrap();
        assert!(
            matches!(loc, Location::S3(ref s) if s.prefix == "team"),
            "{loc:?}"
        );
        assert!(creds.is_some());
        assert!(toml::from_str::<StorageTable>("bucket = \"only\"\n").is_err());
    }

    #[test]
    fn credentials_never_print() {
        let c = Credentials::new("AKIDEXAMPLE", Secret::new("wJalrXUtnFEMI"))
            .with_session_token(Secret::new("FwoGZXIvYXdzE"));
        let shown = format!("{c:?} {:?}", Secret::new("wJalrXUtnFEMI"));
        for v in ["AKIDEXAMPLE", "wJalrXUtnFEMI", "FwoGZXIvYXdzE"] {
            assert!(!shown.contains(v), "{shown}");
        }
    }

    #[test]
    fn from_the_environment() {
        let env = |k: &str| match k {
            "AWS_ACCESS_KEY_ID" => Some("id".to_string()),
            "AWS_SECRET_ACCESS_KEY" => Some("secret".to_string()),
            _ => None,
        };
        let c = Credentials::from_lookup(env).unwrap();
        assert_eq!((c.access_key_id(), c.secret_access_key()), ("id", "secret"));
        assert!(c.session_token().is_none());
        assert!(
            Credentials::from_lookup(|k| env(k).filter(|_| k != "AWS_SECRET_ACCESS_KEY")).is_none()
        );
    }

    #[test]
    fn from_a_storage_table() {
        let cfg: StorageConfig = toml::from_str(
            r#"url = "s3://bkt/stmgr"
endpoint = "https://s3.example.com/"
region = "eu-1"
access_key_id = "AKIDEXAMPLE"
secret_access_key = "wJalrXUtnFEMI""#,
        )
        .unwrap();
        assert!(!format!("{cfg:?}").contains("wJalrXUtnFEMI"));
        assert!(!format!("{cfg:?}").contains("AKIDEXAMPLE"));
        let (loc, creds) = cfg.resolve().unwrap();
        assert_eq!(
            loc.to_string(),
            "s3://bkt/stmgr?endpoint=https://s3.example.com&region=eu-1"
        );
        assert_eq!(creds.unwrap().secret_access_key(), "wJalrXUtnFEMI");
        let half = StorageConfig {
            url: "s3://bkt/x".into(),
            access_key_id: Some(Secret::new("AKID")),
            ..StorageConfig::default()
        };
        assert!(half.resolve().is_err());
        let local = StorageConfig {
            url: "file:///tmp/b".into(),
            ..StorageConfig::default()
        };
        assert!(local.resolve().unwrap().1.is_none());
    }

    #[test]
    fn from_the_go_state_managers_json() {
        let whole = r#"{"storage": {"bucket": "fly-bkt", "endpoint": "https://fly.storage.tigris.dev",
            "access_key": "tid_ABC", "secret_key": "tsec_XYZ", "region": "auto", "key_prefix": "/apps/one/",
            "env_dir": "/data"}, "stacks": ["leaser"]}"#;
        let g = GoStorageConfig::from_json(whole).unwrap();
        assert!(!format!("{g:?}").contains("tsec_XYZ") && !format!("{g:?}").contains("tid_ABC"));
        let (loc, creds) = g.resolve().unwrap();
        assert_eq!(
            loc.to_string(),
            "s3://fly-bkt/apps/one?endpoint=https://fly.storage.tigris.dev&region=auto&path-style=true"
        );
        assert_eq!(creds.access_key_id(), "tid_ABC");
        let block = r#"{"bucket": "fly-bkt", "endpoint": "https://e.example", "access_key": "a", "secret_key": "tsec_XYZ"}"#;
        let (loc, _) = GoStorageConfig::from_json(block)
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(loc.prefix(), "");
        let missing = GoStorageConfig::from_json(r#"{"bucket": "b", "secret_key": "tsec_XYZ"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("endpoint") && !missing.contains("tsec_XYZ"),
            "{missing}"
        );
    }
}
