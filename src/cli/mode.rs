//! Where a command with two forms runs: against a server or on a data directory.
//!
//! `snapshot`, `snapshot list`, `trim-wal` and `admin dump` work either way and print the same
//! JSON both ways. The choice depends only on which of the two settings is configured, never on
//! how: a `server` in the config file selects the server exactly as `--server` and
//! `STMGR_SERVER` do.
//!
//! | configured                        | used                                              |
//! |-----------------------------------|---------------------------------------------------|
//! | neither                           | the (default) data directory                      |
//! | a server only                     | the server                                        |
//! | a data directory only             | the data directory                                |
//! | both                              | the one from the higher source (flag > environment > config file); the server on a tie; a note on stderr says which and how to pick the other |
//!
//! Offline-only commands (`admin verify`, `restore`) refuse to run when a server is given on
//! the command line or in the environment and no data directory at least as explicitly: they
//! would otherwise quietly work on the default data directory.

use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::config::{Origin, Settings};

/// Where a two-form command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Through the server's `/admin` routes.
    Server,
    /// On the data directory's files.
    DataDir,
}

/// The mode of a two-form command, with a note on stderr (unless `-q`) when both a server and a
/// data directory are configured.
pub fn choose(ctx: &Context) -> Mode {
    let s = &ctx.settings;
    let mode = mode_of(s);
    match (&s.server_origin, &s.data_dir_origin) {
        (Some(server), Some(dir)) => {
            ctx.printer.status(&match mode {
                Mode::Server => format!(
                    "note: using the server {} ({server}); the data directory {} ({dir}) is \
                     configured too: give --data-dir to work on it instead",
                    s.server,
                    s.data_dir.display()
                ),
                Mode::DataDir => format!(
                    "note: using the data directory {} ({dir}); the server {} ({server}) is \
                     configured too: give --server to ask it instead",
                    s.data_dir.display(),
                    s.server
                ),
            });
            mode
        }
        _ => mode,
    }
}

/// The mode of a two-form command under these settings (the table above), without a note.
pub fn mode_of(s: &Settings) -> Mode {
    match (&s.server_origin, &s.data_dir_origin) {
        (None, _) => Mode::DataDir,
        (Some(_), None) => Mode::Server,
        (Some(server), Some(dir)) if dir.rank() > server.rank() => Mode::DataDir,
        (Some(_), Some(_)) => Mode::Server,
    }
}

/// Refuses an offline-only command given a server (flag or variable) and no data directory at
/// least as explicit.
///
/// # Errors
/// A [`UsageError`] naming the command and what to give instead.
pub fn require_data_dir(ctx: &Context, command: &str) -> anyhow::Result<()> {
    let s = &ctx.settings;
    let Some(server) = &s.server_origin else {
        return Ok(());
    };
    if matches!(server, Origin::File { .. }) {
        return Ok(());
    }
    if s.data_dir_origin
        .as_ref()
        .is_some_and(|d| d.rank() >= server.rank())
    {
        return Ok(());
    }
    Err(UsageError::new(format!(
        "`{command}` works on a data directory, not through a server ({server} names {}): \
         give --data-dir DIR (the server's data directory)",
        s.server
    ))
    .into())
}
