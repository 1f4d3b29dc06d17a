//! Helpers shared by the offline commands: the data directory with its lock, and formatting of
//! sizes and times.

use anyhow::Context as _;

use crate::cli::context::Context;
use crate::store::dir::{DataDir, DirLock};
use crate::store::error::StoreError;

/// The configured data directory, which must exist.
///
/// # Errors
/// When it does not exist.
pub fn existing(ctx: &Context) -> anyhow::Result<DataDir> {
    let dir = DataDir::new(&ctx.settings.data_dir);
    dir.require_exists()?;
    Ok(dir)
}

/// The configured data directory and its lock, for commands that must not run beside a server.
///
/// # Errors
/// Missing directory; held by another process (the error names it and says what to do).
pub fn locked(ctx: &Context, purpose: &str) -> anyhow::Result<(DataDir, DirLock)> {
    let dir = existing(ctx)?;
    match dir.lock(purpose) {
        Ok(lock) => {
            // Finish a restore a crash interrupted before anything else touches the directory.
            crate::store::offline::restore::finish_pending(&dir)?;
            Ok((dir, lock))
        }
        Err(e @ StoreError::Locked { .. }) => Err(anyhow::Error::new(e)).context(format!(
            "`{purpose}` works on a stopped server's data directory; stop the server first"
        )),
        Err(e) => Err(e.into()),
    }
}

/// A byte count for people (`1.2 MiB`).
pub fn bytes(n: u64) -> String {
    bytesize::ByteSize::b(n).display().iec().to_string()
}

/// ms since the epoch as RFC 3339 (seconds).
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
