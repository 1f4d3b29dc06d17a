//! The commit thread's [`Log`] on PostgreSQL: the counter row orders batches, `stmgr_log`
//! holds their frames, and what other servers appended is read back before each batch.

use std::path::Path;
use std::time::{Duration, Instant};

use postgres::Client;
use tracing::warn;

use super::listen::Notifier;
use super::{PgOptions, backend, connect};
use crate::store::command::Record;
use crate::store::crypto::record::decode_record;
use crate::store::crypto::{Keyring, file_key};
use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::log::{Log, Reload, Tail};
use crate::store::wal::frame::{self, FrameAt};

/// Rows read per query while catching up.
pub const TAIL_BATCH: i64 = 10_000;

/// Appends a batch and moves the counter in one statement; the counter only moves from the
/// head the batch was built on.
const APPEND: &str = "
WITH ins AS (
    INSERT INTO stmgr_log (commit_seq, committed_at, frame, key_id, request_id, origin)
    SELECT s, t, f, $4, $5, $6 FROM unnest($1::int8[], $2::int8[], $3::bytea[]) AS u(s, t, f)
    RETURNING 1
)
UPDATE stmgr_meta SET commit_seq = $7
WHERE id = 1 AND commit_seq = $8 AND (SELECT count(*) FROM ins) = $9";

/// The PostgreSQL log of one server.
pub struct PgLog {
    options: PgOptions,
    client: Option<Client>,
    keys: Keyring,
    key_id: u32,
    /// This server's name in `stmgr_log.origin` and in notifications.
    origin: String,
    /// A transaction holding the counter row is open.
    holding: bool,
    /// The log's head when the server started from a snapshot whose state is older (after
    /// an install, [`super::install`]): nothing between the state and it is in the log.
    floor: u64,
    notifier: Notifier,
    /// This server's directory: where a reload fetches the snapshot ([`Log::reload`]).
    dir: Option<DataDir>,
}

impl PgLog {
    /// A log over `client` (already connected, schema checked).
    pub fn new(
        options: PgOptions,
        client: Client,
        keys: Keyring,
        origin: String,
        notifier: Notifier,
    ) -> Self {
        let key_id = keys.current_id();
        PgLog {
            options,
            client: Some(client),
            keys,
            key_id,
            origin,
            holding: false,
            floor: 0,
            notifier,
            dir: None,
        }
    }

    /// Catch-ups start after `floor` at the earliest (see the field).
    #[must_use]
    pub fn with_floor(mut self, floor: u64) -> Self {
        self.floor = floor;
        self
    }

    /// A reload fetches snapshots into `dir` (this server's directory).
    #[must_use]
    pub fn with_dir(mut self, dir: DataDir) -> Self {
        self.dir = Some(dir);
        self
    }

    fn client(&mut self) -> Result<&mut Client> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(connect(&self.options, "writer")?);
        }
        Ok(self.client.as_mut().expect("connected above"))
    }

    /// Ends whatever transaction is open; a session that cannot is dropped.
    fn abort(&mut self) {
        if let Some(c) = self.client.as_mut()
            && (c.is_closed() || c.batch_execute("ROLLBACK").is_err())
        {
            self.client = None;
        }
        self.holding = false;
    }

    /// After a connection was lost during COMMIT: takes the counter row on a new session
    /// (which waits for a COMMIT still running on the old one, or for the server to end it)
    /// and looks for the batch's request id at its first seq.
    fn reconcile(&mut self, first: i64, request_id: i64) -> Result<()> {
        self.client = None;
        self.holding = false;
        let deadline = Instant::now()
            + self.options.idle_in_transaction_timeout
            + self.options.lock_timeout * 2;
        loop {
            let last_error;
            match connect(&self.options, "writer") {
                Ok(mut c) => {
                    let found = (|| {
                        c.batch_execute("BEGIN; SELECT 1 FROM stmgr_meta WHERE id = 1 FOR UPDATE")?;
                        let row = c.query_opt(
                            "SELECT request_id FROM stmgr_log WHERE commit_seq = $1",
                            &[&first],
                        )?;
                        c.batch_execute("ROLLBACK")?;
                        Ok::<_, postgres::Error>(row.map(|r| r.get::<_, i64>(0)))
                    })();
                    match found {
                        Ok(found) => {
                            self.client = Some(c);
                            return if found == Some(request_id) {
                                Ok(())
                            } else {
                                Err(StoreError::Backend(
                                    "the connection was lost during COMMIT; the batch did not commit"
                                        .into(),
                                ))
                            };
                        }
                        Err(e) => last_error = e.to_string(),
                    }
                }
                Err(e) => last_error = e.to_string(),
            }
            if Instant::now() >= deadline {
                return Err(StoreError::OutcomeUnknown(last_error));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Reads the commits after `applied` up to what the session's snapshot shows, in seq order.
///
/// # Errors
/// The query failed or a row does not decode; [`StoreError::LogTrimmed`]: the log no longer
/// holds `applied + 1` (trimmed past it).
pub fn read_tail(client: &mut Client, keys: &Keyring, applied: u64) -> Result<Tail> {
    read_tail_above(client, keys, applied, None)
}

/// As [`read_tail`], with the log's floor (`compact_seq`) when the caller already read it
/// (otherwise it is read when the log holds nothing after `applied`).
fn read_tail_above(
    client: &mut Client,
    keys: &Keyring,
    applied: u64,
    mut floor: Option<u64>,
) -> Result<Tail> {
    let mut out = Vec::new();
    let mut next = applied + 1;
    loop {
        // Without the floor, the first batch reads it in the same statement (one round
        // trip, one snapshot of both tables): a row of NULLs when the log holds nothing.
        let rows = if floor.is_none() {
            client.query(
                "SELECT m.compact_seq, l.commit_seq, l.key_id, l.frame FROM stmgr_meta m \
                 LEFT JOIN LATERAL (SELECT commit_seq, key_id, frame FROM stmgr_log \
                 WHERE commit_seq >= $1 ORDER BY commit_seq LIMIT $2) l ON true \
                 WHERE m.id = 1",
                &[&(next as i64), &TAIL_BATCH],
            )
        } else {
            client.query(
                "SELECT NULL::int8, commit_seq, key_id, frame FROM stmgr_log \
                 WHERE commit_seq >= $1 ORDER BY commit_seq LIMIT $2",
                &[&(next as i64), &TAIL_BATCH],
            )
        }
        .map_err(|e| backend("read stmgr_log", &e))?;
        if floor.is_none() {
            floor = Some(rows.first().map_or(0, |r| r.get::<_, i64>(0) as u64));
        }
        if let Some(floor) = floor
            && floor >= next
        {
            return Err(StoreError::LogTrimmed { next, floor });
        }
        let mut n = 0;
        for row in rows {
            let Some(seq) = row.get::<_, Option<i64>>(1) else {
                continue;
            };
            let seq = seq as u64;
            if seq != next {
                return Err(StoreError::LogTrimmed {
                    next,
                    floor: seq - 1,
                });
            }
            let frame: &[u8] = row.get(3);
            let record = decode(seq, row.get::<_, i64>(2), frame, keys)?;
            out.push((record, frame.len()));
            next += 1;
            n += 1;
        }
        if n < TAIL_BATCH {
            return Ok(out);
        }
    }
}

/// Decodes one row's frame.
///
/// # Errors
/// A frame that does not verify or decode, or whose seq is not its row's.
pub fn decode(seq: u64, key_id: i64, frame: &[u8], keys: &Keyring) -> Result<Record> {
    let bad = |reason: String| StoreError::Backend(format!("stmgr_log row {seq}: {reason}"));
    let payload = match frame::frame_at(frame, 0) {
        FrameAt::Ok { payload, next } if next == frame.len() => payload,
        FrameAt::Bad(reason) => return Err(bad(reason)),
        _ => return Err(bad("a truncated frame".into())),
    };
    let fk = file_key(
        u32::try_from(key_id).unwrap_or(u32::MAX),
        keys,
        Path::new("stmgr_log"),
    )?;
    let record = decode_record(fk, payload).map_err(bad)?;
    if record.seq != seq {
        return Err(bad(format!("the frame holds commit {}", record.seq)));
    }
    Ok(record)
}

impl Log for PgLog {
    fn begin(&mut self, applied: u64, write: bool) -> Result<Tail> {
        if self.holding {
            self.abort();
        }
        let keys = self.keys.clone();
        let applied = applied.max(self.floor);
        let res = (|| {
            let c = self.client()?;
            let mut floor = None;
            if write {
                // One round trip: the simple protocol runs both statements.
                let msgs = c
                    .simple_query(
                        "BEGIN; SELECT compact_seq FROM stmgr_meta WHERE id = 1 FOR UPDATE",
                    )
                    .map_err(|e| backend("take the counter row", &e))?;
                self.holding = true;
                let compact = msgs.iter().find_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => r.get(0)?.parse::<u64>().ok(),
                    _ => None,
                });
                floor =
                    Some(compact.ok_or_else(|| {
                        StoreError::Backend("stmgr_meta has no counter row".into())
                    })?);
            }
            let c = self.client()?;
            read_tail_above(c, &keys, applied, floor)
        })();
        if res.is_err() {
            self.abort();
        }
        res
    }

    fn append(&mut self, frames: &[u8], records: usize) -> Result<()> {
        let mut seqs = Vec::with_capacity(records);
        let mut tss = Vec::with_capacity(records);
        let mut bodies: Vec<&[u8]> = Vec::with_capacity(records);
        let mut pos = 0;
        while pos < frames.len() {
            let len =
                u32::from_le_bytes(frames[pos..pos + 4].try_into().expect("4 bytes")) as usize;
            let end = pos + frame::FRAME_HEADER_LEN + len;
            let (seq, ts) = Record::peek(&frames[pos + frame::FRAME_HEADER_LEN..end])
                .map_err(StoreError::Encoding)?;
            seqs.push(seq as i64);
            tss.push(ts);
            bodies.push(&frames[pos..end]);
            pos = end;
        }
        let (Some(&first), Some(&last)) = (seqs.first(), seqs.last()) else {
            self.release();
            return Ok(());
        };
        let request_id = i64::from_le_bytes(
            getrandom::u64()
                .map_err(|e| StoreError::Backend(format!("random request id: {e}")))?
                .to_le_bytes(),
        );
        let key_id = i64::from(self.key_id);
        let origin = self.origin.clone();
        let n = seqs.len() as i64;
        let res = self.client().and_then(|c| {
            c.execute(
                APPEND,
                &[
                    &seqs,
                    &tss,
                    &bodies,
                    &key_id,
                    &request_id,
                    &origin,
                    &last,
                    &(first - 1),
                    &n,
                ],
            )
            .map_err(|e| backend("append to stmgr_log", &e))
        });
        match res {
            Ok(1) => {}
            Ok(_) => {
                self.abort();
                return Err(StoreError::Backend(
                    "the log's head moved while this server held it".into(),
                ));
            }
            Err(e) => {
                self.abort();
                return Err(e);
            }
        }
        let c = self.client()?;
        match c.batch_execute("COMMIT") {
            Ok(()) => {
                self.holding = false;
                self.notifier.poke();
                Ok(())
            }
            Err(e) if e.as_db_error().is_some() && !c.is_closed() => {
                self.abort();
                Err(backend("commit", &e))
            }
            Err(e) => {
                warn!(error = %e, first_seq = first, "the database connection was lost during COMMIT; reconciling");
                let res = self.reconcile(first, request_id);
                if res.is_ok() {
                    self.notifier.poke();
                }
                res
            }
        }
    }

    fn release(&mut self) {
        if self.holding {
            self.abort();
        }
    }

    fn idle_wait(&self) -> Duration {
        self.options.poll_interval
    }

    fn idle(&mut self, applied: u64) -> Result<Tail> {
        self.begin(applied, false)
    }

    fn close(&mut self) -> Result<()> {
        self.release();
        Ok(())
    }

    fn reload(&mut self) -> Result<Reload> {
        let Some(dir) = self.dir.clone() else {
            return Err(StoreError::Backend(
                "no directory to fetch the snapshot into".into(),
            ));
        };
        let res = (|| {
            let c = self.client()?;
            super::boot::reload(c, &dir)
        })();
        let (state, snapshot, tail, floor) = match res {
            Ok(r) => r,
            Err(e) => {
                self.abort();
                return Err(e);
            }
        };
        let next_seq = snapshot
            .as_ref()
            .map_or(state.seq + 1, |m| m.next_seq)
            .max(state.seq + 1);
        self.floor = next_seq - 1;
        Ok(Reload {
            next_seq,
            snapshot_id: snapshot.as_ref().map(|m| m.id.clone()),
            created_ms: snapshot.as_ref().map_or(0, |m| m.created_ms),
            oldest_available: floor + 1,
            state,
            tail,
        })
    }

    fn failures_poison(&self) -> bool {
        false
    }
}
