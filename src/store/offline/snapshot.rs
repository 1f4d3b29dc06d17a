//! Offline `snapshot`: recover the latest state read-only and write it as a snapshot (no WAL
//! write, no TTL expiry: the directory changes only by the new file), sealed with the
//! directory's key if it has one.

use crate::store::dir::DataDir;
use crate::store::error::Result;
use crate::store::recovery::{self, Base, Target};
use crate::store::snapshot::{self, SnapshotMeta};
use crate::store::state::HistoryPolicy;

/// Writes a snapshot of the latest state of `dir`, leaving `reserve` bytes free for the WAL (a
/// segment's size). The caller holds the lock.
///
/// # Errors
/// Corruption, I/O errors, not enough free space.
pub fn take(dir: &DataDir, policy: &HistoryPolicy, reserve: u64) -> Result<SnapshotMeta> {
    dir.require_initialized()?;
    let rec = recovery::recover(dir, Base::Newest, Target::Latest, policy, &mut |_| {})?;
    let floor = rec.snapshot.as_ref().map_or(1, |m| m.next_seq);
    let next_seq = rec
        .next_seq
        .unwrap_or(floor)
        .max(floor)
        .max(rec.state.seq + 1);
    snapshot::write_snapshot(
        &dir.snapshots(),
        &rec.state,
        next_seq,
        dir.key(),
        snapshot::SnapshotOrigin::Manual,
        reserve,
    )
}
