//! Exit statuses: the one place that maps an error to the process exit code.
//!
//! | code | meaning                                                                 |
//! |------|-------------------------------------------------------------------------|
//! | 0    | success (also: stdout was closed early, e.g. `stmgr ... \| head`)       |
//! | 1    | the operation failed or was refused                                     |
//! | 2    | usage or configuration error (bad flag, bad config file or variable)     |
//! | 130  | interrupted: killed by Ctrl-C (SIGINT), which a shell shows as 128 + 2   |
//!
//! stmgr installs no SIGINT handler for client and offline commands: the signal ends the
//! process at once and its parent sees it killed by SIGINT, which shells report as 130.
//! `server start` is the exception: once it listens, SIGINT (like SIGTERM) stops it gracefully
//! (it drains open requests) and it exits 0.

use std::io;
use std::process::ExitCode;

use crate::config::ConfigError;

/// Text of the "Exit status" section of `stmgr --help` and the man page.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    success (also when stdout is closed early, as by `stmgr ls | head -1`)
  1    the operation failed or was refused
  2    usage or configuration error (bad option, config file or environment variable)
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

/// [`exit_code_for`] as a number.
pub fn exit_status_for(err: &anyhow::Error) -> u8 {
    if is_broken_pipe(err) {
        0
    } else if err
        .chain()
        .any(|cause| cause.is::<UsageError>() || cause.is::<ConfigError>())
    {
        2
    } else {
        1
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
