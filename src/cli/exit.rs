//! Exit statuses: the one place that maps an error to the process exit code.
//!
//! | code | meaning                                                                 |
//! |------|-------------------------------------------------------------------------|
//! | 0    | success (also: stdout was closed early, e.g. `stmgr ... \| head`)       |
//! | 1    | the operation failed or was refused                                     |
//! | 2    | usage or configuration error (bad flag, bad config file or variable)     |
//! | 10   | the target could not be reached (no server listens at the URL, the backup location or the `--backend` database does not answer) |
//! | 11   | the data directory is locked by another process (a running server)      |
//! | 12   | the encryption key is missing or is not the one the files were sealed with, or the backup location refused the credentials |
//! | 130  | interrupted: killed by Ctrl-C (SIGINT), which a shell shows as 128 + 2   |
//!
//! 10, 11 and 12 are restic's codes for the same situations, so a cron job can tell "try
//! again later" (10, 11) from "fix the setup" (2, 12) from "look at it" (1).
//!
//! stmgr installs no SIGINT handler for client and offline commands: the signal ends the
//! process at once and its parent sees it killed by SIGINT, which shells report as 130.
//! `server start` is the exception: once it listens, SIGINT (like SIGTERM) stops it gracefully
//! (it drains open requests) and it exits 0.

use std::io;
use std::process::ExitCode;

use crate::backup::{BackupError, ErrorKind};
use crate::bench::http::HttpError;
use crate::client::ClientError;
use crate::config::ConfigError;
use crate::store::StoreError;

/// Text of the "Exit status" section of `stmgr --help` and the man page.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    success (also when stdout is closed early, as by `stmgr ls | head -1`)
  1    the operation failed or was refused
  2    usage or configuration error (bad option, config file or environment variable)
  10   the server, the backup location or the database could not be reached
  11   the data directory is locked by another process (a running server)
  12   the encryption key is missing or wrong for the files, or the backup
       location refused the credentials
  130  interrupted: Ctrl-C (SIGINT) kills the command, which a shell shows as 130;
       `server start` instead stops gracefully on SIGINT or SIGTERM and exits 0";

/// A mistake in how stmgr was invoked that clap cannot see (for example a prompt that would be
/// needed without a terminal). Anywhere in an error chain, it makes stmgr exit with 2.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    message: String,
}

impl UsageError {
    /// A usage error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        UsageError {
            message: message.into(),
        }
    }
}

/// The exit code for an error returned by [`crate::cli::run`]: 0 for a broken pipe, 2 for a
/// usage or configuration error anywhere in the chain, 1 otherwise.
pub fn exit_code_for(err: &anyhow::Error) -> ExitCode {
    ExitCode::from(exit_status_for(err))
}

/// The server could not be reached (exit 10).
pub const EXIT_UNREACHABLE: u8 = 10;
/// The data directory is locked by another process (exit 11).
pub const EXIT_LOCKED: u8 = 11;
/// The encryption key is missing or wrong (exit 12).
pub const EXIT_WRONG_KEY: u8 = 12;

/// [`exit_code_for`] as a number.
pub fn exit_status_for(err: &anyhow::Error) -> u8 {
    if is_broken_pipe(err) {
        return 0;
    }
    let mut status = 1;
    let tls = err.chain().any(is_tls_failure);
    for cause in err.chain() {
        if cause.is::<UsageError>() || cause.is::<ConfigError>() {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<BackupError>() {
            match e.kind() {
                ErrorKind::InvalidLocation => return 2,
                ErrorKind::Unreachable => status = EXIT_UNREACHABLE,
                ErrorKind::AccessDenied => status = EXIT_WRONG_KEY,
                _ => {}
            }
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            match e {
                StoreError::Locked { .. } => status = EXIT_LOCKED,
                StoreError::BackendUnreachable(_) => status = EXIT_UNREACHABLE,
                e if e.is_key_error() => status = EXIT_WRONG_KEY,
                _ => {}
            }
        }
        let unreachable = match cause.downcast_ref::<ClientError>() {
            Some(ClientError::Transport { source, .. }) => source.is_connect(),
            _ => matches!(cause.downcast_ref(), Some(HttpError::Connect { .. })),
        };
        // A server that answers with a certificate the client refuses was reached: that is a
        // setup to fix (exit 1), not "try again later".
        if unreachable && !tls {
            status = EXIT_UNREACHABLE;
        }
    }
    status
}

/// True when a TLS handshake failed (a certificate that does not verify, an expired one, a
/// protocol mismatch). rustls's error sits inside `io::Error`s (one per layer that wrapped it),
/// whose `source()` skips the error they wrap.
fn is_tls_failure(cause: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: &(dyn std::error::Error + 'static) = cause;
    loop {
        if cause.is::<rustls::Error>() {
            return true;
        }
        match cause.downcast_ref::<io::Error>().and_then(|e| e.get_ref()) {
            Some(inner) => cause = inner,
            None => return false,
        }
    }
}

/// Stdout was closed by the reader (e.g. `stmgr ls | head`).
#[derive(Debug, thiserror::Error)]
#[error("stdout is closed")]
pub struct StdoutClosed;

/// True when the error comes from writing to a closed stdout: stmgr then exits quietly with 0,
/// like other Unix filters. A broken pipe elsewhere (a connection to a server) is an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.is::<StdoutClosed>()
            || cause
                .downcast_ref::<io::Error>()
                .is_some_and(|io| io.get_ref().is_some_and(|inner| inner.is::<StdoutClosed>()))
    })
}

#[cfg(test)]
mod tests {
    use anyhow::Context as _;

    use super::*;

    #[test]
    fn plain_errors_exit_1() {
        assert_eq!(exit_status_for(&anyhow::anyhow!("boom")), 1);
    }

    #[test]
    fn usage_and_config_errors_exit_2_even_with_context() {
        let err = anyhow::Error::new(UsageError::new("pass --yes")).context("deleting");
        assert_eq!(exit_status_for(&err), 2);
        let err = Err::<(), _>(ConfigError::NotUnicode {
            name: "STMGR_SERVER".to_owned(),
        })
        .context("resolving settings")
        .unwrap_err();
        assert_eq!(exit_status_for(&err), 2);
    }

    #[test]
    fn locked_and_key_errors_have_their_own_codes_even_with_context() {
        let locked = anyhow::Error::new(StoreError::Locked {
            dir: "/d".into(),
            holder: "pid 1".into(),
        })
        .context("`stmgr snapshot` works on a stopped server's data directory");
        assert_eq!(exit_status_for(&locked), EXIT_LOCKED);
        let key = anyhow::Error::new(StoreError::KeyMissing {
            path: "/d/wal/1.wal".into(),
            key_id: 7,
        })
        .context("the data directory holds encrypted files");
        assert_eq!(exit_status_for(&key), EXIT_WRONG_KEY);
        let other = anyhow::Error::new(StoreError::NoDataDir("/d".into()));
        assert_eq!(exit_status_for(&other), 1);
        let db = anyhow::Error::new(StoreError::BackendUnreachable("connect: refused".into()))
            .context("open the database");
        assert_eq!(exit_status_for(&db), EXIT_UNREACHABLE);
        let refused = anyhow::Error::new(StoreError::Backend("password authentication".into()));
        assert_eq!(exit_status_for(&refused), 1);
    }

    #[test]
    fn backup_errors_have_the_documented_codes() {
        let unreachable = anyhow::Error::new(BackupError::Unreachable {
            op: "list",
            url: "s3://b/p".into(),
            reason: "connection refused".into(),
        })
        .context("listing the snapshots");
        assert_eq!(exit_status_for(&unreachable), EXIT_UNREACHABLE);
        let denied = anyhow::Error::new(BackupError::AccessDenied {
            op: "get",
            url: "s3://b/p".into(),
            reason: "InvalidAccessKeyId".into(),
        });
        assert_eq!(exit_status_for(&denied), EXIT_WRONG_KEY);
        let invalid = anyhow::Error::new(BackupError::InvalidLocation {
            url: "ftp://x".into(),
            reason: "unsupported scheme".into(),
        });
        assert_eq!(exit_status_for(&invalid), 2);
        let corrupt = anyhow::Error::new(BackupError::Corrupt {
            url: "s3://b/p/snapshots/snap-1.snap".into(),
            reason: "sha256 differs".into(),
        });
        assert_eq!(exit_status_for(&corrupt), 1);
    }

    #[test]
    fn broken_pipe_exits_0() {
        let err = anyhow::Error::new(io::Error::new(io::ErrorKind::BrokenPipe, StdoutClosed))
            .context("writing the table");
        assert!(is_broken_pipe(&err));
        assert_eq!(exit_status_for(&err), 0);
        // A broken connection to a server is a failure, not a closed stdout.
        let net = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("cannot reach https://127.0.0.1:8443");
        assert!(!is_broken_pipe(&net));
        assert_eq!(exit_status_for(&net), 1);
        let other = anyhow::Error::new(io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(exit_status_for(&other), 1);
    }
}
