//! Helpers shared by the offline commands: the data directory (with the configured encryption
//! key, so every offline command reads and writes sealed files alike) and its lock, and
//! formatting of sizes.

use anyhow::Context as _;

use crate::cli::context::Context;
use crate::store::dir::{DataDir, DirLock};
use crate::store::error::StoreError;

/// The configured data directory, which must exist and be one (a WAL segment or a snapshot in
/// it: nothing is ever created in a directory that is not), with the configured encryption key.
///
/// # Errors
/// When it does not exist or is not an stmgr data directory.
pub fn existing(ctx: &Context) -> anyhow::Result<DataDir> {
    let dir = DataDir::new(&ctx.settings.data_dir).with_keys(ctx.settings.engine.keyring());
    dir.require_initialized()?;
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
            // Finish a restore a crash interrupted before anything else touches the directory,
            // and drop what an interrupted snapshot left.
            crate::store::offline::restore::finish_pending(&dir)?;
            crate::store::snapshot::remove_leftovers(&dir.snapshots())?;
            Ok((dir, lock))
        }
        Err(e @ StoreError::Locked { .. }) => {
            // `snapshot` and `trim-wal` can ask the running server instead.
            let online = ["stmgr snapshot", "stmgr trim-wal"].contains(&purpose);
            Err(anyhow::Error::new(e)).context(format!(
                "`{purpose}` works on a stopped server's data directory; stop the server first{}",
                if online {
                    ", or ask the running one with --server URL"
                } else {
                    ""
                }
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Puts what to do in front of a missing or wrong encryption key error (the store's message
/// names the file and the key ids); other errors pass unchanged.
pub fn key_hint(err: anyhow::Error) -> anyhow::Error {
    let hint = err
        .chain()
        .find_map(|c| match c.downcast_ref::<StoreError>() {
            Some(StoreError::KeyMissing { .. }) => Some(
                "the data directory holds encrypted files: give its key with ENCRYPTION_KEY, \
             STMGR_ENCRYPTION_KEY or STMGR_ENCRYPTION_KEY_FILE (or `encryption_key_file` in \
             the [engine] table of the config file)",
            ),
            Some(StoreError::KeyMismatch { .. }) => Some(
                "the configured encryption key is not the one these files were written with \
                 (after a key change, give the old key as STMGR_PREVIOUS_ENCRYPTION_KEY or \
                 STMGR_PREVIOUS_ENCRYPTION_KEY_FILE)",
            ),
            _ => None,
        });
    match hint {
        Some(hint) => err.context(hint),
        None => err,
    }
}

/// A byte count for people (`1.2 MiB`).
pub fn bytes(n: u64) -> String {
    bytesize::ByteSize::b(n).display().iec().to_string()
}
