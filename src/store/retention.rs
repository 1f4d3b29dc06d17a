//! Automatic snapshots for a running engine: take one every N bytes of WAL or every T, keep the
//! automatic snapshots that verify and that a rule of the policy keeps (restic's `forget` rules,
//! [`crate::store::forget`]: `--snapshot-keep K` is `last K`, the `[snapshots]` table adds
//! hourly, daily, …; the newest verified one is always kept), and trim the WAL segments the oldest kept one
//! covers (so any kept snapshot can still be replayed forward for point-in-time restore).
//!
//! The rules that keep a directory restorable:
//! - nothing is removed unless the round's own snapshot was written and read back in full;
//! - only automatic snapshots are removed: snapshots taken by hand (`stmgr snapshot`,
//!   `POST /admin/snapshot`) and the bases written by `restore` are the operator's to remove;
//! - a snapshot counts towards the K kept only once it has verified in full (each is verified
//!   once per process; results are remembered by id, files never change), so a snapshot that
//!   verifies is never removed in favour of one that does not; one that does not verify is left
//!   in place for `stmgr admin verify --repair` and reported in the round.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::store::engine::Engine;
use crate::store::error::Result;
use crate::store::forget::{self, Candidate};
use crate::store::snapshot::{self, SnapshotOrigin};

/// When to snapshot and what to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotPolicy {
    /// Snapshot after this many WAL bytes appended since the last one (`None`: not by size).
    pub every_bytes: Option<u64>,
    /// Snapshot this long after the last one, if anything was committed (`None`: not by time).
    pub every: Option<Duration>,
    /// Automatic snapshots kept (at least 1).
    pub keep_last: usize,
    /// More rules (`[snapshots]` in the config file): a snapshot kept by `keep_last` or by any
    /// of these is kept.
    pub keep: Option<crate::store::forget::Policy>,
}

/// What one round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RetentionReport {
    /// The snapshot taken, if any.
    pub snapshot_id: Option<String>,
    /// Snapshots deleted.
    pub snapshots_removed: Vec<String>,
    /// Automatic snapshots that do not verify, left in place: `(id, why)`.
    pub snapshots_damaged: Vec<(String, String)>,
    /// WAL segments deleted.
    pub segments_removed: u64,
}

/// Where the policy stands between rounds.
#[derive(Debug)]
pub struct PolicyState {
    wal_bytes_at_last: u64,
    seq_at_last: u64,
    last: Instant,
    /// Whether each automatic snapshot seen verified (`Err`: why not), by id.
    verified: HashMap<String, std::result::Result<(), String>>,
}

impl PolicyState {
    /// Starts counting from now.
    pub fn new(engine: &Engine) -> Self {
        PolicyState {
            wal_bytes_at_last: engine.stats().wal_bytes_appended,
            seq_at_last: engine.view().seq,
            last: Instant::now(),
            verified: HashMap::new(),
        }
    }
}

impl SnapshotPolicy {
    /// Whether a snapshot is due.
    pub fn due(&self, engine: &Engine, st: &PolicyState) -> bool {
        let grown = engine
            .stats()
            .wal_bytes_appended
            .saturating_sub(st.wal_bytes_at_last);
        let changed = engine.view().seq != st.seq_at_last;
        self.every_bytes.is_some_and(|b| grown >= b)
            || (changed && self.every.is_some_and(|t| st.last.elapsed() >= t))
    }

    /// Takes a snapshot if one is due, then applies retention. Blocking: run it off the async
    /// executor.
    ///
    /// # Errors
    /// Snapshot or file errors (nothing is removed after a failed snapshot); the engine keeps
    /// running either way.
    pub fn run_once(
        &self,
        engine: &Engine,
        st: &mut PolicyState,
    ) -> Result<Option<RetentionReport>> {
        if !self.due(engine, st) {
            return Ok(None);
        }
        st.wal_bytes_at_last = engine.stats().wal_bytes_appended;
        st.seq_at_last = engine.view().seq;
        st.last = Instant::now();
        let meta = engine.snapshot(SnapshotOrigin::Automatic)?;
        st.verified.insert(meta.id.clone(), Ok(()));
        let mut report = RetentionReport {
            snapshot_id: Some(meta.id),
            ..Default::default()
        };
        // From here on the round removes files: no trim may run meanwhile.
        let files = engine.files();
        let dir = engine.dir();
        let mut good = Vec::new();
        for info in files.snapshots()? {
            // Unreadable headers cannot be told apart: they are left alone like manual ones.
            let Ok(m) = &info.meta else { continue };
            if m.origin != SnapshotOrigin::Automatic {
                continue;
            }
            let verdict =
                st.verified.entry(info.id.clone()).or_insert_with(
                    || match snapshot::verify_snapshot(&info.path, dir.keys()) {
                        Ok(_) => Ok(()),
                        Err(e) => Err(e.to_string()),
                    },
                );
            match verdict {
                Ok(()) => good.push(info),
                Err(why) => report
                    .snapshots_damaged
                    .push((info.id.clone(), why.clone())),
            }
        }
        let mut policy = self.keep.clone().unwrap_or_default();
        policy.last = policy.last.max(self.keep_last).max(1);
        let candidates: Vec<Candidate> = good
            .iter()
            .filter_map(|i| {
                let m = i.meta.as_ref().ok()?;
                Some(Candidate {
                    id: i.id.clone(),
                    created_ms: m.created_ms,
                    tags: snapshot::read_tags(&dir.snapshots(), &i.id),
                    pinned: false,
                })
            })
            .collect();
        let kept: std::collections::HashSet<String> = forget::plan(&policy, &candidates)
            .into_iter()
            .filter(|d| d.keep)
            .map(|d| d.snapshot_id)
            .collect();
        let doomed: Vec<&snapshot::SnapshotInfo> =
            good.iter().filter(|i| !kept.contains(&i.id)).collect();
        files.remove_snapshots(&doomed)?;
        for old in &doomed {
            st.verified.remove(&old.id);
            report.snapshots_removed.push(old.id.clone());
        }
        // `good` is in commit order: the oldest kept one bounds the WAL trim.
        if let Some(oldest_kept) = good.iter().find(|i| kept.contains(&i.id)) {
            let plan = files.trim_wal(&oldest_kept.id, false)?;
            report.segments_removed = plan.segments.iter().filter(|s| s.remove).count() as u64;
        }
        Ok(Some(report))
    }
}
