//! The engine's error type: every failure names what the caller cannot rebuild (file, offset,
//! commit_seq) so the CLI and the API can report it as is.

use std::io;
use std::path::PathBuf;

/// Errors of the storage engine.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O operation on a file or directory failed.
    #[error("{op} {path}")]
    Io {
        /// What was being done (`open`, `write`, `fsync`, ...).
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Another process holds the data directory.
    #[error("data directory {dir} is locked by another process ({holder})")]
    Locked {
        /// The data directory.
        dir: PathBuf,
        /// What the LOCK file says about its holder.
        holder: String,
    },
    /// The data directory does not exist (offline commands never create one).
    #[error("data directory {0} does not exist")]
    NoDataDir(PathBuf),
    /// The directory exists but holds no WAL segment and no snapshot.
    #[error("{path} is not an stmgr data directory (no WAL segment and no snapshot; {holds})")]
    NotADataDir {
        /// The directory.
        path: PathBuf,
        /// What it holds instead.
        holds: String,
    },
    /// A checksum or structural check failed before the tail of the log or in a snapshot.
    #[error(
        "corruption in {path} at offset {offset}: {reason} (run `stmgr admin verify` for a report; `stmgr admin verify --repair` cuts it away, keeping a copy)"
    )]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// Byte offset of the first bad frame or field.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// The commit_seq sequence is broken (a gap or a duplicate).
    #[error("commit_seq gap in {path} at offset {offset}: expected {expected}, found {found}")]
    SeqGap {
        /// The file where the gap shows.
        path: PathBuf,
        /// Byte offset of the frame.
        offset: u64,
        /// The seq that should come next.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// An earlier write or fsync failed: the log's durable state is unknown, writes are refused
    /// until the process restarts (and recovers from disk). Reads go on.
    #[error("engine is poisoned after a failed write or sync ({0}); restart to recover")]
    Poisoned(String),
    /// The engine is shutting down or shut down.
    #[error("engine is closed")]
    Closed,
    /// The shared log (PostgreSQL) could not be reached or did not take the batch: its
    /// commits are not in the log. Nothing is poisoned; later commits try again.
    #[error("PostgreSQL: {0}")]
    Backend(String),
    /// No connection to the shared log's database could be made (refused, timed out, no
    /// route): nothing was done; try again later (the CLI exits 10).
    #[error("PostgreSQL: {0}")]
    BackendUnreachable(String),
    /// The shared log no longer holds the commit this server's state needs next: it was
    /// trimmed past it (the server fell behind while others wrote, snapshotted and trimmed).
    /// The commit thread starts over from the newest stored snapshot ([`crate::store::log::Log::reload`]).
    #[error(
        "the log was trimmed past this server's state: it needs commit {next}, the log keeps only commits after {floor}"
    )]
    LogTrimmed {
        /// The commit needed next.
        next: u64,
        /// The log's floor: commits at or below it are gone.
        floor: u64,
    },
    /// The connection to the shared log was lost while the batch committed and the outcome
    /// could not be read back: its commits may or may not be in the log.
    #[error(
        "the commit's outcome is unknown (the database connection was lost during COMMIT and could not be read back): {0}"
    )]
    OutcomeUnknown(String),
    /// No snapshot with that id.
    #[error("no snapshot {0}")]
    UnknownSnapshot(String),
    /// A point in history that the data directory can no longer reproduce.
    #[error("{0}")]
    OutOfRange(String),
    /// A commit was refused by its own precondition (conflict, not found, ...).
    #[error("{0}")]
    Rejected(#[from] Rejection),
    /// A record or snapshot item could not be encoded or decoded.
    #[error("encoding: {0}")]
    Encoding(String),
    /// A file is encrypted and no encryption key is configured.
    #[error("{path} is encrypted with key id {key_id:08x}; no encryption key is configured")]
    KeyMissing {
        /// The encrypted file.
        path: PathBuf,
        /// The key id in its header.
        key_id: u32,
    },
    /// A file is encrypted with another key than the configured ones.
    #[error(
        "{path} is encrypted with key id {key_id:08x}; the configured encryption {}",
        key_ids(.configured)
    )]
    KeyMismatch {
        /// The encrypted file.
        path: PathBuf,
        /// The key id in its header.
        key_id: u32,
        /// The configured keys' ids (current first).
        configured: Vec<u32>,
    },
    /// A snapshot would eat into the free space kept for the WAL.
    #[error(
        "not enough free space for a snapshot in {path}: {} free, needs {} (the size of the last snapshot plus {} kept free for the WAL); nothing was written",
        bytesize::ByteSize::b(*free).display().iec(),
        bytesize::ByteSize::b(*needed).display().iec(),
        bytesize::ByteSize::b(*reserve).display().iec()
    )]
    NoSpace {
        /// The snapshot directory.
        path: PathBuf,
        /// Bytes free when it was checked.
        free: u64,
        /// Bytes it needed free.
        needed: u64,
        /// Bytes kept free for the WAL.
        reserve: u64,
    },
    /// A snapshot stopped half-way: the free space went down to the reserve kept for the WAL.
    #[error(
        "a snapshot in {path} stopped half-way: free space went down to the {} kept for the WAL ({} were free when it started); nothing was kept",
        bytesize::ByteSize::b(*reserve).display().iec(),
        bytesize::ByteSize::b(*free_at_start).display().iec()
    )]
    SnapshotStopped {
        /// The snapshot directory.
        path: PathBuf,
        /// Bytes free when it started.
        free_at_start: u64,
        /// Bytes kept free for the WAL.
        reserve: u64,
    },
    /// A snapshot just written did not read back as written; it was not kept.
    #[error(
        "the snapshot written to {path} did not verify when read back, so it was not kept: {reason}"
    )]
    SnapshotCheck {
        /// The temporary file (removed).
        path: PathBuf,
        /// What the read-back found.
        reason: String,
    },
    /// Sealing failed (no randomness for a nonce).
    #[error("encryption: {0}")]
    Encryption(String),
}

/// Why a transaction refused to commit; no seq is consumed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The object's current commit_seq is not the expected one.
    #[error("precondition failed: {ns}/{id} is at commit_seq {actual}, expected {expected}")]
    SeqMismatch {
        /// Namespace.
        ns: String,
        /// Object id.
        id: String,
        /// The expected seq (0 = must not exist).
        expected: u64,
        /// The actual seq (0 = does not exist).
        actual: u64,
    },
    /// The object does not exist.
    #[error("not found: {ns}/{id}")]
    NotFound {
        /// Namespace.
        ns: String,
        /// Object id.
        id: String,
    },
    /// The request conflicts with the current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request is invalid.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The same idempotent request was already committed: answer it again.
    #[error("already done: {0}")]
    Duplicate(String),
    /// The transaction found nothing to change: no commit was made.
    #[error("nothing to commit")]
    Unchanged,
    /// Something the request names does not exist (the message says what).
    #[error("{0}")]
    Missing(String),
}

impl StoreError {
    /// Whether this is a missing or wrong encryption key (never a reason to skip or cut a file).
    pub fn is_key_error(&self) -> bool {
        matches!(
            self,
            StoreError::KeyMissing { .. } | StoreError::KeyMismatch { .. }
        )
    }

    /// Wraps an `io::Error` with the operation and the path.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        StoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

/// `key has id 1a2b3c4d` or `keys have ids 1a2b3c4d, 5e6f7a8b`.
fn key_ids(ids: &[u32]) -> String {
    let list: Vec<String> = ids.iter().map(|id| format!("{id:08x}")).collect();
    match list.as_slice() {
        [one] => format!("key has id {one}"),
        _ => format!("keys have ids {}", list.join(", ")),
    }
}

/// Shorthand for results of the engine.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
