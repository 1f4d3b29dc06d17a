//! The PostgreSQL backend: several stmgr servers share one database, which orders and stores
//! the commits; every server's engine is a replica of the same state machine.
//!
//! - `stmgr_meta`, one row: `commit_seq` (the sequencer: the head of the log), `compact_seq`
//!   (the log's floor: commits at or below it were trimmed, [`snap::trim`]), `schema_version`,
//!   `cluster_id`.
//! - `stmgr_log`, one row per commit: `commit_seq`, its timestamp, the encryption key id,
//!   the request id of the batch, the server that wrote it, and the frame the WAL would hold
//!   (the same codec, sealed the same way).
//! - `stmgr_snapshot` + `stmgr_snapshot_chunk`: snapshots of the state machine, the embedded
//!   engine's file format ([`snap`]); a server starts from the newest plus the log after it
//!   ([`boot`]), and the leader takes them on a schedule and trims the log below ([`auto`]).
//!
//! A server's commit thread ([`log::PgLog`]) takes the counter row (`SELECT … FOR UPDATE`)
//! for each batch, reads what others appended since its state's seq, runs the batch's
//! transactions at that head, inserts their rows and moves the counter in the same
//! transaction, commits, then publishes. PostgreSQL makes a commit visible before it releases
//! its row lock, so seqs are dense and appear in order; a rollback consumes none. Other
//! servers learn of commits through `NOTIFY stmgr` (sent after commit, off the commit path,
//! coalesced: [`listen`]) or, failing that, a poll, and catch up from the table.
//!
//! Failure hygiene ([`connect`]): every session gets `lock_timeout`, `statement_timeout`,
//! `idle_in_transaction_session_timeout`, server-side TCP keepalives and
//! `synchronous_commit = on` (never off: a crash would reissue seqs watchers saw); clients set
//! keepalives and a connect timeout. A connection lost during COMMIT is reconciled by the
//! batch's request id once the counter row can be taken again. TLS follows libpq's `sslmode`
//! ([`tls`]).

pub mod auto;
pub mod boot;
pub mod catalog;
pub mod install;
pub mod listen;
pub mod log;
pub mod migrate;
pub mod restore;
pub mod schema;
pub mod snap;
pub mod source;
pub mod tls;

use std::time::Duration;

use postgres::{Client, Config};

use crate::store::error::StoreError;

/// The `LISTEN`/`NOTIFY` channel.
pub const CHANNEL: &str = "stmgr";

/// How a server reaches the database and how long it waits.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// The connection URL (`postgres://user:password@host:port/db?…`), as given.
    pub url: String,
    /// Longest wait for the counter row (the `lock_timeout` of every session).
    pub lock_timeout: Duration,
    /// Longest statement (`statement_timeout`).
    pub statement_timeout: Duration,
    /// A session idle inside a transaction this long is ended by the server, releasing the
    /// counter row (`idle_in_transaction_session_timeout`).
    pub idle_in_transaction_timeout: Duration,
    /// How often a server looks for others' commits when no notification came.
    pub poll_interval: Duration,
    /// The leader stores a snapshot once this many commits were made since the newest stored
    /// one (0: not by count). URL parameter `stmgr_snapshot_every_commits`.
    pub snapshot_every_commits: u64,
    /// The leader stores a snapshot this long after the newest stored one if anything was
    /// committed (`None`: not by time). URL parameter `stmgr_snapshot_every` (humantime).
    pub snapshot_every: Option<Duration>,
    /// Stored snapshots kept in the database (at least 1). URL parameter `stmgr_snapshot_keep`.
    pub snapshot_keep: usize,
    /// Commits kept in `stmgr_log` below the head when trimming, for watches resuming
    /// (the trim never passes the newest stored snapshot). URL parameter `stmgr_log_keep`.
    pub log_keep: u64,
}

/// The URL parameters stmgr reads itself (libpq would refuse them); removed from the URL
/// before it is handed to the driver.
const OWN_PARAMS: [&str; 4] = [
    "stmgr_snapshot_every_commits",
    "stmgr_snapshot_every",
    "stmgr_snapshot_keep",
    "stmgr_log_keep",
];

impl PgOptions {
    /// The defaults, with the `stmgr_*` parameters of `url` applied (and removed from it).
    /// A parameter whose value does not parse is left in the URL, where the driver refuses
    /// it when connecting ("invalid URI query parameter"), naming it.
    pub fn new(url: &str) -> Self {
        let mut o = PgOptions {
            url: url.to_owned(),
            lock_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            idle_in_transaction_timeout: Duration::from_secs(10),
            poll_interval: Duration::from_millis(200),
            snapshot_every_commits: 100_000,
            snapshot_every: None,
            snapshot_keep: 2,
            log_keep: 10_000,
        };
        let Ok(mut parsed) = url::Url::parse(url) else {
            return o;
        };
        let mut kept = Vec::new();
        let mut consumed = false;
        for (k, v) in parsed.query_pairs() {
            let ok = match k.as_ref() {
                "stmgr_snapshot_every_commits" => {
                    v.parse().map(|n| o.snapshot_every_commits = n).is_ok()
                }
                "stmgr_snapshot_every" => humantime::parse_duration(&v)
                    .map(|d| o.snapshot_every = (!d.is_zero()).then_some(d))
                    .is_ok(),
                "stmgr_snapshot_keep" => {
                    v.parse().map(|n: usize| o.snapshot_keep = n.max(1)).is_ok()
                }
                "stmgr_log_keep" => v.parse().map(|n| o.log_keep = n).is_ok(),
                _ => false,
            };
            if ok && OWN_PARAMS.contains(&k.as_ref()) {
                consumed = true;
            } else {
                kept.push((k.into_owned(), v.into_owned()));
            }
        }
        if !consumed {
            return o;
        }
        if kept.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(kept);
        }
        o.url = parsed.to_string();
        o
    }
}

/// Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(an unparsable URL)".into(),
    }
}

/// A database error as a [`StoreError::Backend`] naming what was being done.
pub(crate) fn backend(what: &str, e: &postgres::Error) -> StoreError {
    let mut msg = format!("{what}: {e}");
    // The driver's text hides the cause (a TLS handshake's names the certificate's fault).
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let text = c.to_string();
        if !msg.contains(&text) {
            msg = format!("{msg}: {text}");
        }
        cause = c.source();
    }
    if let Some(db) = e.as_db_error() {
        msg = format!("{what}: {} ({})", db.message(), db.code().code());
    }
    StoreError::Backend(msg)
}

/// True when a connection attempt failed before any server answered: refused, timed out, no
/// route or no such host. A server that answered (a refused login, a TLS certificate the
/// client rejects) was reached: that is a setup to fix, not "try again later".
fn unreachable(e: &postgres::Error) -> bool {
    use std::io::ErrorKind as K;
    if e.as_db_error().is_some() {
        return false;
    }
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.is::<rustls::Error>() {
            return false;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
            {
                return false;
            }
            return matches!(
                io.kind(),
                K::ConnectionRefused
                    | K::TimedOut
                    | K::HostUnreachable
                    | K::NetworkUnreachable
                    | K::AddrNotAvailable
                    | K::NotFound
            ) || io.to_string().contains("failed to lookup address");
        }
        cause = c.source();
    }
    // The driver's own connect timeout carries no source.
    e.to_string().contains("timeout")
}

/// Opens a session with the failure-hygiene settings; `role` goes into `application_name`.
/// The error does not repeat the URL: the caller names the database it opens (a server has
/// one; a command names it in its context, or uses [`connect_named`]).
///
/// # Errors
/// [`StoreError::BackendUnreachable`]: no server answered; [`StoreError::Backend`]: a bad
/// URL, a refusing server.
pub fn connect(options: &PgOptions, role: &str) -> Result<Client, StoreError> {
    let tls = tls::TlsSetup::from_url(&options.url)?;
    let mut config: Config = tls
        .driver_url
        .parse()
        .map_err(|e: postgres::Error| StoreError::Backend(format!("bad database URL: {e}")))?;
    config
        .application_name(&format!("stmgr {role}"))
        .connect_timeout(Duration::from_secs(5))
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_retries(3);
    let mut client =
        config
            .connect(tls.connector()?)
            .map_err(|e| match backend("connect", &e) {
                StoreError::Backend(m) if unreachable(&e) => StoreError::BackendUnreachable(m),
                other => other,
            })?;
    let ms = |d: Duration| d.as_millis().max(1);
    client
        .batch_execute(&format!(
            "SET lock_timeout = {}; SET statement_timeout = {}; \
             SET idle_in_transaction_session_timeout = {}; SET synchronous_commit = on; \
             SET default_transaction_isolation = 'read committed'; \
             SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; \
             SET tcp_keepalives_count = 3",
            ms(options.lock_timeout),
            ms(options.statement_timeout),
            ms(options.idle_in_transaction_timeout),
        ))
        .map_err(|e| backend("configure the session", &e))?;
    Ok(client)
}

/// As [`connect`], the URL (without password) named in the error, for callers whose
/// messages do not name it otherwise.
///
/// # Errors
/// As [`connect`].
pub fn connect_named(options: &PgOptions, role: &str) -> Result<Client, StoreError> {
    let named = |m: String| format!("{}: {m}", redacted(&options.url));
    connect(options, role).map_err(|e| match e {
        StoreError::Backend(m) => StoreError::Backend(named(m)),
        StoreError::BackendUnreachable(m) => StoreError::BackendUnreachable(named(m)),
        other => other,
    })
}

/// Runs `f` on a thread of its own: the synchronous client drives its own runtime, which
/// must not start inside an async runtime's thread.
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}
