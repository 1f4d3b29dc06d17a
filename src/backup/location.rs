//! Where backups go: a [`Location`] parsed from `file:///dir` or
//! `s3://bucket/prefix?endpoint=URL&region=R&path-style=true&allow-http=true`.
//!
//! A location never holds a credential (those are [`super::Credentials`]), so printing one is
//! always safe. Plain `http://` endpoints are allowed only on a loopback host unless
//! `allow-http` says so; a custom endpoint (MinIO, moto, Tigris, R2) defaults to path-style
//! requests (`https://host/bucket/key`), AWS itself to virtual-hosted ones
//! (`https://bucket.host/key`).

use std::fmt;
use std::path::PathBuf;

use super::error::{BackupError, Result};

/// A backup target: a local directory or an S3 bucket with a key prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A directory on a local file system (`file:///dir`): the layout sits directly in it.
    Local {
        /// Absolute path of the directory.
        root: PathBuf,
    },
    /// An S3-compatible bucket.
    S3(S3Location),
}

/// An S3 bucket, the prefix of every key stmgr writes in it, and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct S3Location {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix without leading or trailing `/` (empty: the bucket's root).
    pub prefix: String,
    /// Endpoint URL (`https://s3.example.com`); `None`: AWS for [`S3Location::region`].
    pub endpoint: Option<String>,
    /// Region; `None`: `us-east-1` (S3-compatible servers mostly ignore it).
    pub region: Option<String>,
    /// `Some(true)`: path-style requests; `Some(false)`: virtual-hosted; `None`: path-style
    /// with a custom endpoint, virtual-hosted on AWS.
    pub path_style: Option<bool>,
    /// Allow plain `http://` to a non-loopback endpoint.
    pub allow_http: bool,
}

impl S3Location {
    /// Whether requests name the bucket in the path.
    pub fn uses_path_style(&self) -> bool {
        self.path_style.unwrap_or(self.endpoint.is_some())
    }

    /// Whether plain HTTP is allowed: asked for, or the endpoint is on this machine.
    pub fn http_allowed(&self) -> bool {
        self.allow_http || self.endpoint.as_deref().is_some_and(is_loopback_http)
    }
}

fn is_loopback_http(endpoint: &str) -> bool {
    url::Url::parse(endpoint).is_ok_and(|u| {
        u.scheme() == "http"
            && match u.host() {
                Some(url::Host::Domain(d)) => d == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            }
    })
}

/// Normalizes a key prefix: no leading, trailing or doubled `/`.
pub fn clean_prefix(prefix: &str) -> String {
    prefix
        .split('/')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

impl Location {
    /// Parses `file:///absolute/dir` or `s3://bucket[/prefix][?options]`; the options are
    /// `endpoint`, `region`, `path-style` (`true`/`false`) and `allow-http` (`true`/`false`).
    ///
    /// # Errors
    /// [`BackupError::InvalidLocation`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Location> {
        let invalid = |reason: &str| BackupError::InvalidLocation {
            url: text.to_owned(),
            reason: reason.to_owned(),
        };
        let url = url::Url::parse(text).map_err(|e| invalid(&e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(BackupError::InvalidLocation {
                url: "(not shown: it holds credentials)".into(),
                reason: "credentials do not belong in the URL: use AWS_ACCESS_KEY_ID and \
                         AWS_SECRET_ACCESS_KEY or the [storage] configuration"
                    .into(),
            });
        }
        match url.scheme() {
            "file" => {
                if url
                    .host_str()
                    .is_some_and(|h| !h.is_empty() && h != "localhost")
                {
                    return Err(invalid("a file URL names a local directory: file:///dir"));
                }
                if !(text.starts_with("file:///") || text.starts_with("file://localhost/")) {
                    return Err(invalid(
                        "a file URL names an absolute directory: file:///dir",
                    ));
                }
                if url.query().is_some() {
                    return Err(invalid("a file URL takes no options"));
                }
                let root = url
                    .to_file_path()
                    .map_err(|()| invalid("not an absolute directory path"))?;
                Ok(Location::Local { root })
            }
            "s3" => {
                let bucket = url
                    .host_str()
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| invalid("no bucket: s3://bucket/prefix"))?;
                let mut s3 = S3Location {
                    bucket: bucket.to_owned(),
                    prefix: clean_prefix(&percent_decode(url.path())),
                    ..S3Location::default()
                };
                for (k, v) in url.query_pairs() {
                    let flag = |v: &str| match v {
                        "true" | "1" | "yes" => Ok(true),
                        "false" | "0" | "no" => Ok(false),
                        _ => Err(invalid(&format!("{k}={v}: expected true or false"))),
                    };
                    match k.as_ref() {
                        "endpoint" => s3.endpoint = Some(v.trim_end_matches('/').to_owned()),
                        "region" => s3.region = Some(v.into_owned()),
                        "path-style" | "path_style" => s3.path_style = Some(flag(&v)?),
                        "allow-http" | "allow_http" => s3.allow_http = flag(&v)?,
                        other => return Err(invalid(&format!("unknown option {other:?}"))),
                    }
                }
                s3.check().map_err(|r| invalid(&r))?;
                Ok(Location::S3(s3))
            }
            other => Err(invalid(&format!(
                "unsupported scheme {other:?}: use file:///dir or s3://bucket/prefix"
            ))),
        }
    }

    /// The key prefix every object of the layout starts with (empty for a local directory).
    pub fn prefix(&self) -> &str {
        match self {
            Location::Local { .. } => "",
            Location::S3(s3) => &s3.prefix,
        }
    }
}

impl S3Location {
    /// Checks the bucket name and the endpoint.
    ///
    /// # Errors
    /// What is wrong, in words.
    pub fn check(&self) -> std::result::Result<(), String> {
        let b = &self.bucket;
        if b.len() < 3
            || b.len() > 63
            || !b
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        {
            return Err(format!(
                "bucket {b:?}: 3 to 63 lowercase letters, digits, '-' or '.'"
            ));
        }
        if let Some(ep) = &self.endpoint {
            let u = url::Url::parse(ep).map_err(|e| format!("endpoint {ep:?}: {e}"))?;
            if !u.username().is_empty() || u.password().is_some() {
                return Err("the endpoint URL must not hold credentials".into());
            }
            match u.scheme() {
                "https" => {}
                "http" if self.http_allowed() => {}
                "http" => {
                    return Err(format!(
                        "endpoint {ep} is plain http to another machine: add allow-http=true \
                         if that is meant"
                    ));
                }
                s => return Err(format!("endpoint {ep}: scheme {s:?} is not http(s)")),
            }
        }
        Ok(())
    }
}

fn percent_decode(path: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", path.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local { root } => write!(f, "file://{}", root.display()),
            Location::S3(s3) => {
                write!(f, "s3://{}/{}", s3.bucket, s3.prefix)?;
                let mut sep = '?';
                let mut opt = |f: &mut fmt::Formatter<'_>, k: &str, v: &str| {
                    let r = write!(f, "{sep}{k}={v}");
                    sep = '&';
                    r
                };
                if let Some(ep) = &s3.endpoint {
                    opt(f, "endpoint", ep)?;
                }
                if let Some(r) = &s3.region {
                    opt(f, "region", r)?;
                }
                if let Some(p) = s3.path_style {
                    opt(f, "path-style", if p { "true" } else { "false" })?;
                }
                if s3.allow_http {
                    opt(f, "allow-http", "true")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_local_directory() {
        let l = Location::parse("file:///var/backups/stmgr").unwrap();
        assert_eq!(
            l,
            Location::Local {
                root: PathBuf::from("/var/backups/stmgr")
            }
        );
        assert_eq!(l.to_string(), "file:///var/backups/stmgr");
        for bad in ["file://host/dir", "file:relative", "/abs/path", "ftp://x/y"] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_a_bucket_with_options() {
        let l = Location::parse(
            "s3://my-bucket//team/stmgr/?endpoint=http://127.0.0.1:9000/&region=auto&path-style=true",
        )
        .unwrap();
        let Location::S3(s3) = &l else { panic!() };
        assert_eq!(s3.bucket, "my-bucket");
        assert_eq!(s3.prefix, "team/stmgr");
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(s3.uses_path_style() && s3.http_allowed());
        assert_eq!(
            l.to_string(),
            "s3://my-bucket/team/stmgr?endpoint=http://127.0.0.1:9000&region=auto&path-style=true"
        );
        let aws = Location::parse("s3://my-bucket").unwrap();
        let Location::S3(aws) = aws else { panic!() };
        assert!(!aws.uses_path_style() && aws.prefix.is_empty());
    }

    #[test]
    fn refuses_plain_http_to_another_machine_and_credentials_in_the_url() {
        let e = Location::parse("s3://bkt/p?endpoint=http://s3.example.com").unwrap_err();
        assert!(e.to_string().contains("allow-http=true"), "{e}");
        assert!(
            Location::parse("s3://bkt/p?endpoint=http://s3.example.com&allow-http=true").is_ok()
        );
        let e = Location::parse("s3://AKID:s3cr3t@bkt/p").unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        assert!(Location::parse("s3://bkt/p?token=x").is_err());
        assert!(Location::parse("s3://B/p").is_err());
    }
}
