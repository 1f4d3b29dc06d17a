//! `--backend postgres://…` for the snapshot commands: a session on the database whose
//! stored snapshots (`stmgr_snapshot`) they list, prune, remove or add to, and the location
//! their answers name.

use anyhow::Context as _;
use postgres::Client;

use crate::cli::exit::UsageError;
use crate::store::pg::{self, PgOptions};

/// A database the snapshot commands work on.
pub struct Db {
    /// The session (schema checked).
    pub client: Client,
    /// `postgres://user@host/db (stmgr_snapshot)`, the password left out.
    pub location: String,
}

/// Connects to the database at `url`.
///
/// # Errors
/// Not a postgres:// URL (usage); the database cannot be reached or has a newer schema.
pub fn open(url: &str) -> anyhow::Result<Db> {
    if !pg::is_postgres_url(url) {
        return Err(UsageError::new("--backend: expected a postgres:// URL").into());
    }
    let options = PgOptions::new(url);
    let shown = pg::redacted(url);
    let mut client = pg::connect(&options, "snapshot")
        .with_context(|| format!("cannot open the postgres backend {shown}"))?;
    pg::schema::ensure(&mut client)
        .with_context(|| format!("cannot open the postgres backend {shown}"))?;
    Ok(Db {
        client,
        location: format!("{shown} (stmgr_snapshot)"),
    })
}
