//! Rebuilding state from disk: the newest snapshot that verifies (at or before a target), then
//! the WAL replayed after it, with the checks that make `commit_seq` trustworthy.
//!
//! Used by [`crate::store::Engine::open`] (latest state, torn tail truncated), by `admin dump`
//! (read-only, any seq) and by `restore` (a chosen snapshot, up to a seq or a time).
//! Sealed files are opened with the [`DataDir`]'s keys. A snapshot that does not verify is
//! skipped for an older one, but a missing or wrong key is an error, never a reason to skip.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use tracing::warn;

use crate::store::command::Record;
use crate::store::crypto::Keyring;
use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::snapshot::{self, SnapshotMeta};
use crate::store::state::{FreshIds, FreshOps, HistoryPolicy, State};
use crate::store::wal::reader::{self, LastSegment};

/// How far to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Everything in the log.
    Latest,
    /// Up to and including this commit_seq.
    Seq(u64),
    /// Every commit with a timestamp at or before this time (ms since the epoch).
    Time(i64),
}

impl Damaged {
    /// Why a snapshot does not verify, short: the offset and the reason of a corruption.
    pub fn why(e: &StoreError) -> String {
        match e {
            StoreError::Corrupt { offset, reason, .. } => format!("at offset {offset}: {reason}"),
            other => other.to_string(),
        }
    }
}

impl Target {
    fn includes(&self, rec: &Record) -> bool {
        match *self {
            Target::Latest => true,
            Target::Seq(s) => rec.seq <= s,
            Target::Time(t) => rec.ts <= t,
        }
    }
}

/// Which snapshot to start from.
#[derive(Debug, Clone)]
pub enum Base {
    /// The newest snapshot that verifies and is not past the target.
    Newest,
    /// This snapshot file.
    Snapshot(PathBuf),
}

/// The result of a recovery.
#[derive(Debug)]
pub struct Recovered {
    /// The state at the target.
    pub state: State,
    /// The snapshot it started from.
    pub snapshot: Option<SnapshotMeta>,
    /// Records replayed from the WAL.
    pub replayed: u64,
    /// Frame bytes replayed.
    pub replayed_bytes: u64,
    /// The first seq the log may use next (only known when the whole log was read).
    pub next_seq: Option<u64>,
    /// The seq the last segment expects next, as the log alone says (`None`: no segment).
    /// Differs from `next_seq` when a snapshot is ahead of the log (after a restore or a
    /// repair): new commits must then start a new segment.
    pub log_next: Option<u64>,
    /// The segment to append to (only when the whole log was read).
    pub last_segment: Option<LastSegment>,
}

/// Rebuilds state. `progress` is called with the bytes replayed so far.
///
/// # Errors
/// Corruption, a gap between the snapshot and the log, a target the directory cannot reach,
/// I/O errors.
pub fn recover(
    dir: &DataDir,
    base: Base,
    target: Target,
    policy: &HistoryPolicy,
    progress: &mut dyn FnMut(u64),
) -> Result<Recovered> {
    let mut damaged = Vec::new();
    let (mut state, snap) = load_base(dir, &base, target, &mut damaged)?;
    let from = snap.as_ref().map_or(1, |m| m.next_seq);
    let after = snap.as_ref().map_or(0, |m| m.commit_seq);
    let fresh = FreshIds::new(&state.objects, reader::log_bytes(&dir.wal(), after + 1)?);
    let mut replayed = 0u64;
    let mut replayed_bytes = 0u64;
    let mut first_seen: Option<u64> = None;
    let mut expected = from;
    let wal = dir.wal();
    let end = replay_pipelined(&wal, dir.keys(), after + 1, fresh, |rec, len, hints| {
        if first_seen.is_none() {
            first_seen = Some(rec.seq);
        }
        if !target.includes(&rec) {
            return Ok(false);
        }
        if first_seen != Some(rec.seq) && rec.seq != expected {
            return Err(StoreError::OutOfRange(format!(
                "the WAL in {} is missing commits {expected} to {}: a segment was removed",
                wal.display(),
                rec.seq - 1
            )));
        }
        expected = rec.seq + 1;
        if rec.seq < from {
            return Err(StoreError::OutOfRange(format!(
                "the WAL holds commit_seq {} which predates the restore boundary {from} of snapshot {}",
                rec.seq,
                snap.as_ref().map_or("-", |m| m.id.as_str())
            )));
        }
        state.apply_replayed(&rec, policy, hints);
        replayed += 1;
        replayed_bytes += len as u64;
        progress(replayed_bytes);
        Ok(true)
    })?;
    // The log must continue exactly where the snapshot ends.
    let log_next = end.next_seq;
    let continues = match first_seen {
        Some(first) => first == from,
        None => log_next.is_none_or(|n| n <= from),
    };
    // A target that the snapshot alone reaches does not need the log after it.
    let reached =
        matches!(target, Target::Seq(s) if snap.as_ref().is_some_and(|m| m.commit_seq == s));
    if !continues && !reached {
        let found = first_seen.or(log_next).unwrap_or(0);
        return Err(StoreError::OutOfRange(missing_base(
            &wal,
            snap.as_ref().map(|m| m.id.as_str()),
            from,
            found,
            &damaged,
        )));
    }
    if let Target::Seq(s) = target
        && state.seq < s
        && log_next.is_some()
    {
        return Err(StoreError::OutOfRange(format!(
            "commit_seq {s} was never written: the log ends at {}",
            state.seq
        )));
    }
    let next_seq = log_next.map(|n| n.max(from).max(state.seq + 1));
    Ok(Recovered {
        state,
        snapshot: snap,
        replayed,
        replayed_bytes,
        next_seq,
        log_next,
        last_segment: end.last_segment,
    })
}

/// A snapshot that does not verify, and its header if that much can be read.
#[derive(Debug)]
pub struct Damaged {
    /// `snap-<ULID>`.
    pub id: String,
    /// Its header, when that much reads.
    pub header: Option<SnapshotMeta>,
    /// Why it does not verify.
    pub error: String,
}

/// The message for a WAL that does not continue where its base ends: names the damaged
/// snapshot that was (or may have been) the base, rather than blaming removed segments.
pub fn missing_base(
    wal: &std::path::Path,
    base: Option<&str>,
    needs_from: u64,
    found: u64,
    damaged: &[Damaged],
) -> String {
    let start = format!(
        "the WAL in {} continues at commit_seq {found}, but {} it must continue at {needs_from}",
        wal.display(),
        base.map_or_else(
            || "with no snapshot that verifies".to_string(),
            |id| format!("after snapshot {id}")
        )
    );
    // The damaged snapshot whose header says the log continues where it does was the base.
    let culprit = damaged
        .iter()
        .find(|d| d.header.as_ref().is_some_and(|m| m.next_seq == found))
        .map(std::slice::from_ref)
        .unwrap_or(damaged);
    match culprit {
        [] => format!(
            "{start}: WAL segments were removed that no snapshot covers (restore the directory \
             from a backup)"
        ),
        [one] => format!(
            "{start}: snapshot {} does not verify ({}) and is the base the WAL needs; restore \
             that snapshot from a backup",
            one.id, one.error
        ),
        many => format!(
            "{start}: the snapshots that do not verify ({}) include its base; restore them \
             from a backup",
            many.iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Loads the base; the snapshots skipped because they do not verify go to `damaged`, so that a
/// log that then cannot continue is blamed on them.
fn load_base(
    dir: &DataDir,
    base: &Base,
    target: Target,
    damaged: &mut Vec<Damaged>,
) -> Result<(State, Option<SnapshotMeta>)> {
    match base {
        Base::Snapshot(path) => {
            let (state, meta) = snapshot::load_snapshot(path, dir.keys())?;
            if let Target::Seq(s) = target
                && s < meta.commit_seq
            {
                return Err(StoreError::OutOfRange(format!(
                    "snapshot {} is at commit_seq {}, after the target {s}",
                    meta.id, meta.commit_seq
                )));
            }
            if let Target::Time(t) = target
                && t < meta.state_ts
            {
                return Err(StoreError::OutOfRange(format!(
                    "snapshot {} was taken after the target time",
                    meta.id
                )));
            }
            Ok((state, Some(meta)))
        }
        Base::Newest => {
            let snaps = snapshot::list_snapshots(&dir.snapshots())?;
            for info in snaps.iter().rev() {
                let meta = match &info.meta {
                    Ok(m) => m,
                    Err(e) => {
                        warn!(snapshot = %info.id, error = %e, "skipping unreadable snapshot");
                        damaged.push(Damaged {
                            id: info.id.clone(),
                            header: None,
                            error: Damaged::why(e),
                        });
                        continue;
                    }
                };
                let past = match target {
                    Target::Latest => false,
                    Target::Seq(s) => meta.commit_seq > s,
                    Target::Time(t) => meta.state_ts > t,
                };
                if past {
                    continue;
                }
                match snapshot::load_snapshot(&info.path, dir.keys()) {
                    Ok((state, meta)) => return Ok((state, Some(meta))),
                    Err(e) if e.is_key_error() => return Err(e),
                    Err(e) => {
                        warn!(snapshot = %info.id, error = %e, "skipping snapshot that does not verify");
                        damaged.push(Damaged {
                            id: info.id.clone(),
                            header: Some(meta.clone()),
                            error: Damaged::why(&e),
                        });
                    }
                }
            }
            Ok((State::default(), None))
        }
    }
}

/// Records per batch handed from the reading thread to the applying one.
const REPLAY_BATCH: usize = 1024;

/// Reads and decodes the log on a second thread while `apply` runs on this one (replay is
/// bound by decoding and by applying in about equal parts); the reading thread also makes the
/// [`FreshIds`] hints that spare the applying one a lookup per new object. `apply` returns
/// `Ok(false)` to stop.
fn replay_pipelined(
    wal: &Path,
    keys: &Keyring,
    from: u64,
    mut fresh: FreshIds,
    mut apply: impl FnMut(Record, usize, FreshOps) -> Result<bool>,
) -> Result<reader::LogEnd> {
    let (tx, rx) = mpsc::sync_channel::<Vec<(Record, usize, FreshOps)>>(8);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            let mut batch = Vec::with_capacity(REPLAY_BATCH);
            let end = reader::read_log(wal, keys, from, |rec, len| {
                let hints = fresh.scan(&rec);
                batch.push((rec, len, hints));
                if batch.len() >= REPLAY_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(REPLAY_BATCH));
                    return Ok(tx.send(full).is_ok());
                }
                Ok(true)
            });
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            end
        });
        let mut outcome = Ok(());
        let mut stopped = false;
        'batches: for batch in rx.iter() {
            for (rec, len, hints) in batch {
                match apply(rec, len, hints) {
                    Ok(true) => {}
                    Ok(false) => {
                        stopped = true;
                        break 'batches;
                    }
                    Err(e) => {
                        outcome = Err(e);
                        break 'batches;
                    }
                }
            }
        }
        drop(rx);
        let end = reading
            .join()
            .map_err(|_| StoreError::Encoding("the WAL reading thread panicked".into()))?;
        outcome?;
        if stopped {
            // What the reader found past the stopping point (it may have read ahead) does not
            // matter, and the end of the log is not known.
            return Ok(reader::LogEnd {
                next_seq: None,
                last_segment: None,
                first_seq: None,
            });
        }
        end
    })
}

/// Cuts a torn tail off the last segment (the only damage recovery repairs by itself).
///
/// # Errors
/// I/O errors naming the file.
pub fn truncate_torn_tail(seg: &LastSegment) -> Result<()> {
    if let Some(reason) = &seg.torn {
        warn!(file = %seg.path.display(), offset = seg.end, %reason, "truncating torn tail of the WAL");
        let f = OpenOptions::new()
            .write(true)
            .open(&seg.path)
            .map_err(|e| StoreError::io("open", &seg.path, e))?;
        f.set_len(seg.end)
            .map_err(|e| StoreError::io("truncate", &seg.path, e))?;
        f.sync_all()
            .map_err(|e| StoreError::io("fsync", &seg.path, e))?;
    }
    Ok(())
}
