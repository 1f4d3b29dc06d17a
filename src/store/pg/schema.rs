//! The tables and their version: created on first use, checked (and migrated when a newer
//! stmgr adds a version) every time a server opens the database.
//!
//! - version 1: `stmgr_meta`, `stmgr_log`;
//! - version 2: `stmgr_snapshot` (one row per stored snapshot of the state machine: its id,
//!   the commit it holds, size and SHA-256 of the file) and `stmgr_snapshot_chunk` (the file,
//!   byte for byte what the embedded engine writes, in rows of [`super::snap::CHUNK`] bytes).
//!   A database at version 1 is migrated in place (the tables are added, nothing is rewritten).

use postgres::Client;

use super::backend;
use crate::store::error::StoreError;

/// The schema this stmgr writes.
pub const SCHEMA_VERSION: i32 = 2;

/// Serializes schema work across servers starting at once.
const SCHEMA_LOCK: i64 = 0x73746d67_72736368; // "stmgrsch"

const CREATE_V1: &str = "
CREATE TABLE IF NOT EXISTS stmgr_meta (
    id             integer PRIMARY KEY CHECK (id = 1),
    commit_seq     bigint  NOT NULL,
    compact_seq    bigint  NOT NULL,
    schema_version integer NOT NULL,
    cluster_id     text    NOT NULL
);
CREATE TABLE IF NOT EXISTS stmgr_log (
    commit_seq   bigint  PRIMARY KEY,
    committed_at bigint  NOT NULL,
    key_id       bigint  NOT NULL,
    request_id   bigint  NOT NULL,
    origin       text    COLLATE \"C\" NOT NULL,
    frame        bytea   NOT NULL
);
INSERT INTO stmgr_meta (id, commit_seq, compact_seq, schema_version, cluster_id)
VALUES (1, 0, 0, 1, gen_random_uuid()::text)
ON CONFLICT (id) DO NOTHING;
";

const CREATE_V2: &str = "
CREATE TABLE IF NOT EXISTS stmgr_snapshot (
    id          text    COLLATE \"C\" PRIMARY KEY,
    commit_seq  bigint  NOT NULL,
    next_seq    bigint  NOT NULL,
    created_ms  bigint  NOT NULL,
    origin      text    NOT NULL,
    server      text    NOT NULL,
    size        bigint  NOT NULL,
    sha256      bytea   NOT NULL
);
CREATE INDEX IF NOT EXISTS stmgr_snapshot_seq ON stmgr_snapshot (commit_seq);
CREATE TABLE IF NOT EXISTS stmgr_snapshot_chunk (
    snapshot_id text    COLLATE \"C\" NOT NULL REFERENCES stmgr_snapshot (id) ON DELETE CASCADE,
    n           integer NOT NULL,
    bytes       bytea   NOT NULL,
    PRIMARY KEY (snapshot_id, n)
);
UPDATE stmgr_meta SET schema_version = 2 WHERE id = 1 AND schema_version < 2;
";

/// What the meta row says.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The head of the log.
    pub commit_seq: u64,
    /// The log's floor (commits at or below it are gone).
    pub compact_seq: u64,
    /// The database's cluster id (one per database).
    pub cluster_id: String,
}

/// Creates the tables if needed and checks the version.
///
/// # Errors
/// [`StoreError::Backend`]: the database cannot be reached or written, or its schema is
/// newer than this stmgr knows.
pub fn ensure(client: &mut Client) -> Result<Meta, StoreError> {
    let mut tx = client
        .transaction()
        .map_err(|e| backend("begin the schema check", &e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
        .map_err(|e| backend("lock the schema", &e))?;
    tx.batch_execute(CREATE_V1)
        .map_err(|e| backend("create the tables", &e))?;
    let row = tx
        .query_one(
            "SELECT commit_seq, compact_seq, schema_version, cluster_id FROM stmgr_meta WHERE id = 1",
            &[],
        )
        .map_err(|e| backend("read stmgr_meta", &e))?;
    let version: i32 = row.get(2);
    if version > SCHEMA_VERSION {
        return Err(StoreError::Backend(format!(
            "the database's stmgr schema is version {version}, newer than this stmgr knows \
             ({SCHEMA_VERSION}): upgrade stmgr"
        )));
    }
    // Versions below ours are migrated here, one step at a time.
    if version < 2 {
        tx.batch_execute(CREATE_V2)
            .map_err(|e| backend("migrate the schema to version 2", &e))?;
    }
    tx.commit()
        .map_err(|e| backend("commit the schema check", &e))?;
    Ok(Meta {
        commit_seq: row.get::<_, i64>(0) as u64,
        compact_seq: row.get::<_, i64>(1) as u64,
        cluster_id: row.get(3),
    })
}
