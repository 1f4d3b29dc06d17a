//! Errors of the backup layer: one [`BackupError`] per failure, each naming the object (as a
//! URL: `s3://bucket/key` or `file:///dir/key`) or the local path it concerns, and an
//! [`ErrorKind`] a command maps to its exit code.
//!
//! Messages never hold a credential: text that comes from the object store or the server is
//! passed through [`Redactor::scrub`] with the target's access key id and secret before it is
//! kept.

use std::io;
use std::path::PathBuf;

/// What kind of failure a [`BackupError`] is, for exit codes and retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The location or the credentials given are not usable (a usage error).
    InvalidLocation,
    /// The target did not answer, timed out or answered with a server error: worth retrying.
    Unreachable,
    /// The object (or the bucket, or the local directory) does not exist.
    NotFound,
    /// The target refused the credentials or the operation.
    AccessDenied,
    /// An object exists but its content is not what its manifest says, or does not parse.
    Corrupt,
    /// Someone else got there first: the object exists, the lease is held, the lease was lost.
    Conflict,
    /// The bucket was written by a newer stmgr with a layout this one does not read.
    Unsupported,
    /// A local file could not be read or written.
    Local,
    /// Anything else the target answered.
    Other,
}

/// A failed backup operation.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The location or the credentials given are not usable.
    #[error("invalid backup location {url}: {reason}")]
    InvalidLocation {
        /// The location as given (credentials never appear in it).
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The target did not answer in time or answered with a server error.
    #[error("target unreachable: {op} {url}: {reason}")]
    Unreachable {
        /// The operation (`put`, `get`, `list`, …).
        op: &'static str,
        /// The object or location.
        url: String,
        /// The cause, as the client saw it.
        reason: String,
    },
    /// No such object.
    #[error("not found: {url}")]
    NotFound {
        /// The object, bucket or directory.
        url: String,
    },
    /// The target refused the credentials or the operation.
    #[error("access denied: {op} {url}: {reason}")]
    AccessDenied {
        /// The operation.
        op: &'static str,
        /// The object or location.
        url: String,
        /// What the target said.
        reason: String,
    },
    /// An object's content is not what it should be.
    #[error("corrupt: {url}: {reason}")]
    Corrupt {
        /// The damaged object.
        url: String,
        /// What does not match.
        reason: String,
    },
    /// The object exists already (a conditional create lost, or an upload would replace it).
    #[error("already exists: {url}")]
    AlreadyExists {
        /// The object.
        url: String,
    },
    /// The lease is held by someone else.
    #[error("lease {url} is held by {holder} (epoch {epoch}) until {expires_at}")]
    LeaseHeld {
        /// The lease object.
        url: String,
        /// Its holder.
        holder: String,
        /// Its epoch (fencing token).
        epoch: u64,
        /// When it expires unless renewed (RFC 3339).
        expires_at: String,
    },
    /// The lease this process held is no longer its own (expired and taken, or broken).
    #[error("lease {url} lost: epoch {epoch} is no longer held")]
    LeaseLost {
        /// The lease object.
        url: String,
        /// The epoch that was held.
        epoch: u64,
    },
    /// The bucket holds a layout this stmgr does not read.
    #[error("unsupported backup layout at {url}: {reason}")]
    Unsupported {
        /// The layout file or object.
        url: String,
        /// Which version was found and which this stmgr reads.
        reason: String,
    },
    /// A local file operation failed.
    #[error("{op} {}: {source}", path.display())]
    Local {
        /// The operation.
        op: &'static str,
        /// The local file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// Any other answer from the target.
    #[error("{op} {url}: {reason}")]
    Storage {
        /// The operation.
        op: &'static str,
        /// The object or location.
        url: String,
        /// What the target said.
        reason: String,
    },
}

impl BackupError {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            BackupError::InvalidLocation { .. } => ErrorKind::InvalidLocation,
            BackupError::Unreachable { .. } => ErrorKind::Unreachable,
            BackupError::NotFound { .. } => ErrorKind::NotFound,
            BackupError::AccessDenied { .. } => ErrorKind::AccessDenied,
            BackupError::Corrupt { .. } => ErrorKind::Corrupt,
            BackupError::AlreadyExists { .. }
            | BackupError::LeaseHeld { .. }
            | BackupError::LeaseLost { .. } => ErrorKind::Conflict,
            BackupError::Unsupported { .. } => ErrorKind::Unsupported,
            BackupError::Local { .. } => ErrorKind::Local,
            BackupError::Storage { .. } => ErrorKind::Other,
        }
    }

    pub(crate) fn local(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        BackupError::Local {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(url: impl Into<String>, reason: impl Into<String>) -> Self {
        BackupError::Corrupt {
            url: url.into(),
            reason: reason.into(),
        }
    }
}

/// Result of the backup layer.
pub type Result<T, E = BackupError> = std::result::Result<T, E>;

/// Removes known secret values from text that came from outside (errors of the object store,
/// bodies of error answers): a server may echo the access key id, and nothing may echo the
/// secret.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} values)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for these values (empty ones are ignored).
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Redactor {
        Redactor {
            secrets: values
                .into_iter()
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    /// `text` with every known value replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        self.secrets
            .iter()
            .fold(text.to_owned(), |t, s| t.replace(s.as_str(), "<redacted>"))
    }

    /// Turns an object store error on `url` during `op` into a [`BackupError`], with every
    /// known secret removed from its text.
    pub(crate) fn convert(
        &self,
        op: &'static str,
        url: String,
        err: object_store::Error,
    ) -> BackupError {
        use object_store::Error as E;
        // S3 errors arrive with the answer's XML body, over several lines: one line.
        let reason = self
            .scrub(&chain(&err))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        tracing::debug!(op, %url, error = %reason, "backup target answered with an error");
        match &err {
            // A write answered 404, or a listing answered with S3's code (a generic error):
            // the bucket is missing.
            E::NotFound { .. } if matches!(op, "put" | "start upload") => BackupError::NotFound {
                url: format!("{url} (the bucket does not exist)"),
            },
            E::NotFound { .. } => BackupError::NotFound { url },
            _ if reason.contains("NoSuchBucket") => BackupError::NotFound {
                url: format!("{url} (the bucket does not exist)"),
            },
            E::AlreadyExists { .. } => BackupError::AlreadyExists { url },
            E::PermissionDenied { .. } | E::Unauthenticated { .. } => {
                BackupError::AccessDenied { op, url, reason }
            }
            _ if unreachable(&err) => BackupError::Unreachable { op, url, reason },
            _ => BackupError::Storage { op, url, reason },
        }
    }
}

/// The error and its causes, `: `-separated, without repeating a cause its parent already
/// printed.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = e.source();
    }
    out
}

/// True when the cause is the connection (refused, reset, timed out) or the server failing
/// (5xx), rather than an answer about the object.
fn unreachable(err: &(dyn std::error::Error + 'static)) -> bool {
    use object_store::client::HttpErrorKind as K;
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(h) = e.downcast_ref::<object_store::client::HttpError>() {
            return matches!(
                h.kind(),
                K::Connect | K::Timeout | K::Request | K::Interrupted
            );
        }
        // The client's retry error is not a public type: a server error (5xx) shows only in
        // its text, "Server returned non-2xx status code: 503 Service Unavailable".
        if e.to_string().contains("status code: 5") {
            return true;
        }
        if let Some(io) = e.downcast_ref::<io::Error>()
            && matches!(
                io.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::TimedOut
            )
        {
            return true;
        }
        cur = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_every_value() {
        let r = Redactor::new(["AKIDEXAMPLE", "s3cr3t", ""]);
        assert_eq!(
            r.scrub("key AKIDEXAMPLE signed with s3cr3t and s3cr3t"),
            "key <redacted> signed with <redacted> and <redacted>"
        );
        assert!(!format!("{r:?}").contains("s3cr3t"));
    }

    #[test]
    fn kinds_are_distinct() {
        let nf = BackupError::NotFound {
            url: "s3://b/k".into(),
        };
        assert_eq!(nf.kind(), ErrorKind::NotFound);
        assert_eq!(nf.to_string(), "not found: s3://b/k");
        let c = BackupError::corrupt("s3://b/k", "sha256 differs");
        assert_eq!(c.kind(), ErrorKind::Corrupt);
        assert!(c.to_string().starts_with("corrupt: s3://b/k"));
    }
}
