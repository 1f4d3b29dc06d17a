//! Point-in-time restore of a database (`stmgr restore --backend postgres://…`), with every
//! stmgr server stopped: the newest stored snapshot at or before the target (a seq, or the
//! newest commit at or before a time: [`seq_at_time`]) whose log after it is still there (not
//! trimmed), plus the log replayed up to the target, installed as the
//! database's new state ([`super::install`]: one transaction; the log emptied, its head and
//! floor set above the highest seq ever issued, so no seq is issued twice).

use postgres::Client;

use super::{PgOptions, connect, install, log, schema, snap};
use crate::store::crypto::Keyring;
use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::recovery::Target;
use crate::store::snapshot::{self, SnapshotOrigin};
use crate::store::state::{HistoryPolicy, State};

/// What a restore of a database did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PgRestored {
    /// The stored snapshot it started from (`null`: none, the log from seq 1).
    pub from_snapshot: Option<String>,
    /// The new stored snapshot holding the restored state.
    pub snapshot: snapshot::SnapshotMeta,
    /// The commit_seq of the restored state.
    pub restored_seq: u64,
    /// Commits replayed from `stmgr_log`.
    pub replayed: u64,
    /// The seq the next commit will get.
    pub next_seq: u64,
}

fn head(client: &mut Client) -> Result<(u64, u64)> {
    let row = client
        .query_one(
            "SELECT commit_seq, compact_seq FROM stmgr_meta WHERE id = 1",
            &[],
        )
        .map_err(|e| super::backend("read stmgr_meta", &e))?;
    Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
}

/// The newest commit whose timestamp is at or before `t` (ms since the epoch), the rule of
/// the embedded engine's `--to-time` (a commit's time is its record's timestamp, which never
/// goes back along the log): the newest such row of `stmgr_log`; when every row is later, the
/// stored snapshot holding the state at the log's floor if its state's time is not (seq 0
/// when nothing was ever trimmed: the empty state).
///
/// # Errors
/// [`StoreError::OutOfRange`]: `t` is before everything still stored (the message names the
/// oldest time available); the database cannot be read.
fn seq_at_time(client: &mut Client, t: i64, floor: u64, dir: &DataDir) -> Result<u64> {
    let row = client
        .query_one(
            "SELECT max(commit_seq), (SELECT min(committed_at) FROM stmgr_log) \
             FROM stmgr_log WHERE committed_at <= $1",
            &[&t],
        )
        .map_err(|e| super::backend("read stmgr_log", &e))?;
    if let Some(seq) = row.get::<_, Option<i64>>(0) {
        return Ok(seq as u64);
    }
    if floor == 0 {
        return Ok(0);
    }
    let mut oldest: Option<i64> = row.get(1);
    // The stored snapshot whose state is the log's state at its floor (at it, or below it
    // across a restore's jump).
    if let Some(stored) = snap::list(client)?
        .into_iter()
        .rev()
        .find(|s| s.commit_seq <= floor && s.next_seq.saturating_sub(1) >= floor)
    {
        let path = dir.snapshots().join(format!(".tmp-fetch-{}", stored.id));
        snap::fetch(client, &stored, &path)?;
        let meta = snapshot::read_meta(&path);
        let _ = std::fs::remove_file(&path);
        let meta = meta?;
        if meta.state_ts <= t {
            return Ok(stored.commit_seq);
        }
        oldest = Some(meta.state_ts);
    }
    Err(StoreError::OutOfRange(match oldest {
        Some(ms) => format!(
            "no commit at or before {} is stored any more: the oldest time available is {}",
            crate::time::format_ts(t),
            crate::time::format_ts(ms)
        ),
        None => format!(
            "no commit at or before {} is stored any more (the log is trimmed up to {floor})",
            crate::time::format_ts(t)
        ),
    }))
}

/// Restores the database to `target` (the head, a commit, or the newest commit at or
/// before a time), with `keys` to read and seal and `work` a scratch directory (created,
/// removed afterwards).
///
/// # Errors
/// The target is past the head, or below every snapshot whose log after it is retained, or
/// a time before everything stored; stmgr servers are connected; the database cannot be read
/// or written.
pub fn restore(
    options: &PgOptions,
    target: Target,
    keys: &Keyring,
    policy: &HistoryPolicy,
    work: &std::path::Path,
) -> Result<PgRestored> {
    let mut client = connect(options, "restore")?;
    schema::ensure(&mut client)?;
    let (head, floor) = head(&mut client)?;
    let dir = DataDir::new(work).with_keys(keys.clone());
    dir.create()?;
    let res = (|| {
        let to = match target {
            Target::Latest => head,
            Target::Seq(s) => s,
            Target::Time(t) => seq_at_time(&mut client, t, floor, &dir)?,
        };
        if to > head {
            return Err(StoreError::Backend(format!(
                "the log ends at commit_seq {head}; cannot restore to {to}"
            )));
        }
        // The newest base the log reaches the target from: a stored snapshot at or before it
        // with the log after it retained, or the empty state when nothing was ever trimmed.
        let base = snap::list(&mut client)?
            .into_iter()
            .rev()
            .find(|s| s.commit_seq <= to && s.next_seq.saturating_sub(1) >= floor);
        if base.is_none() && floor > 0 {
            return Err(StoreError::Backend(format!(
                "commit_seq {to} cannot be reached: the log is trimmed up to {floor} and no stored \
                 snapshot at or before {to} remains"
            )));
        }

        let (mut state, from_snapshot) = match &base {
            Some(stored) => {
                let path = dir.snapshots().join(format!(".tmp-fetch-{}", stored.id));
                snap::fetch(&mut client, stored, &path)?;
                let (state, _) = snapshot::load_snapshot(&path, keys)?;
                (state, Some(stored.id.clone()))
            }
            None => (State::default(), None),
        };
        let after = base
            .as_ref()
            .map_or(0, |s| s.next_seq.saturating_sub(1))
            .max(state.seq);
        let tail = log::read_tail(&mut client, keys, after)?;
        let mut replayed = 0;
        for (record, _) in tail.into_iter().take_while(|(r, _)| r.seq <= to) {
            state.apply(&record, policy);
            replayed += 1;
        }
        let restored_seq = state.seq;
        let next_seq = head + 1;
        let meta = snapshot::write_snapshot(
            &dir.snapshots(),
            &state,
            next_seq,
            keys.current(),
            SnapshotOrigin::Restore,
            0,
        )?;
        install::install(
            &mut client,
            &snapshot::snapshot_path(&dir.snapshots(), &meta.id),
            &meta,
            "restore",
        )?;
        Ok(PgRestored {
            from_snapshot,
            snapshot: meta,
            restored_seq,
            replayed,
            next_seq,
        })
    })();
    let _ = std::fs::remove_dir_all(work);
    res
}
