//! Watch catch-up from `stmgr_log`: subscribers resuming from a seq older than the in-memory
//! ring read the table (on a session of their own, queried off the async runtime).

use std::sync::Mutex;

use postgres::Client;

use super::log::{TAIL_BATCH, decode};
use super::{PgOptions, backend, connect, off_runtime};
use crate::store::command::Record;
use crate::store::crypto::Keyring;
use crate::store::error::StoreError;
use crate::store::watch::LogSource;

/// `stmgr_log` as a [`LogSource`].
pub struct PgSource {
    options: PgOptions,
    keys: Keyring,
    client: Mutex<Option<Client>>,
}

impl PgSource {
    /// A source that connects on first use.
    pub fn new(options: PgOptions, keys: Keyring) -> Self {
        PgSource {
            options,
            keys,
            client: Mutex::new(None),
        }
    }

    fn query(&self, sql: &str, from: i64) -> Result<Vec<(i64, i64, Vec<u8>)>, StoreError> {
        off_runtime(|| {
            let mut guard = self.client.lock().unwrap_or_else(|p| p.into_inner());
            if guard.as_ref().is_none_or(Client::is_closed) {
                *guard = Some(connect(&self.options, "watch")?);
            }
            let c = guard.as_mut().expect("connected above");
            let rows = c.query(sql, &[&from, &TAIL_BATCH]).map_err(|e| {
                *guard = None;
                backend("read stmgr_log", &e)
            });
            Ok(rows?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect())
        })
    }
}

impl LogSource for PgSource {
    fn read(
        &self,
        from: u64,
        visit: &mut dyn FnMut(Record, usize) -> bool,
    ) -> Result<(), StoreError> {
        let mut next = from as i64;
        loop {
            let rows = self.query(
                "SELECT commit_seq, key_id, frame FROM stmgr_log WHERE commit_seq >= $1 \
                 ORDER BY commit_seq LIMIT $2",
                next,
            )?;
            let n = rows.len();
            for (seq, key_id, frame) in rows {
                let record = decode(seq as u64, key_id, &frame, &self.keys)?;
                if !visit(record, frame.len()) {
                    return Ok(());
                }
                next = seq + 1;
            }
            if (n as i64) < TAIL_BATCH {
                return Ok(());
            }
        }
    }

    fn oldest(&self) -> Option<u64> {
        // `$2` is unused but keeps one query shape.
        let rows = self
            .query(
                "SELECT commit_seq, key_id, frame FROM stmgr_log WHERE commit_seq >= $1 \
                 ORDER BY commit_seq LIMIT least($2::int8, 1)",
                0,
            )
            .ok()?;
        rows.first().map(|(seq, _, _)| *seq as u64)
    }
}
