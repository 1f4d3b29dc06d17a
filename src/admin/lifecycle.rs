//! The snapshot lifecycle an operator drives: tags, retention (`prune`, restic's `forget` rules
//! from [`crate::store::forget`]) and removal, on a data directory (a running engine's or a
//! stopped server's) or in a backup location, with one answer type each ([`SnapshotPruneOut`],
//! [`SnapshotRemovedOut`], [`SnapshotRow`]) whichever place it ran on, a PostgreSQL
//! database's stored snapshots included.
//!
//! Rules that hold everywhere:
//! - a policy with no rule removes nothing (see [`crate::store::forget`]);
//! - the newest snapshot is always kept; so is a snapshot a restore in progress reads (a pin in
//!   the bucket; on a data directory a restore holds the lock, so none runs meanwhile);
//! - a snapshot whose header cannot be read is never a candidate: it is left for
//!   `stmgr admin verify --repair`;
//! - `latest` names the snapshot with the highest `commit_seq` wherever an id is taken.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::Utc;

use super::wire::{
    KeepPolicy, SnapshotPruneOut, SnapshotPruneRow, SnapshotRemovedOut, SnapshotRow,
};
use crate::backup::{self, SnapshotManifest, Target};
use crate::store::error::{Result, StoreError};
use crate::store::forget::{self, Candidate, Policy};
use crate::store::pg::catalog::Listed;
use crate::store::snapshot::{self, SnapshotInfo, valid_tag};
use crate::time::format_ts;

/// The word that names the newest snapshot wherever an id is taken.
pub const LATEST: &str = "latest";

/// How long a restore's pin keeps its snapshot from a prune elsewhere, at most.
pub const PIN_TTL: Duration = Duration::from_secs(6 * 3600);

/// Checks tags and returns them as a set.
///
/// # Errors
/// The first tag that is not 1 to 64 letters, digits, `-_.:=`.
pub fn tag_set(tags: &[String]) -> std::result::Result<BTreeSet<String>, String> {
    match tags.iter().find(|t| !valid_tag(t)) {
        Some(bad) => Err(format!(
            "tag {bad:?}: use 1 to 64 letters, digits, '-', '_', '.', ':' or '='"
        )),
        None => Ok(tags.iter().cloned().collect()),
    }
}

/// The policy a [`KeepPolicy`] names.
///
/// # Errors
/// A `keep_within` that is not a duration, or a bad tag.
pub fn policy_of(k: &KeepPolicy) -> std::result::Result<Policy, String> {
    let within = match &k.keep_within {
        Some(w) => Some(
            humantime::parse_duration(w)
                .map_err(|e| format!("keep_within {w:?} is not a duration: {e}"))?,
        ),
        None => None,
    };
    Ok(Policy {
        last: k.keep_last,
        hourly: k.keep_hourly,
        daily: k.keep_daily,
        weekly: k.keep_weekly,
        monthly: k.keep_monthly,
        yearly: k.keep_yearly,
        within,
        tags: tag_set(&k.keep_tags)?,
    })
}

/// `last 3, daily 7, tag release` (`keep everything` for an empty policy).
pub fn describe(p: &Policy) -> String {
    let mut parts = Vec::new();
    for (name, n) in [
        ("last", p.last),
        ("hourly", p.hourly),
        ("daily", p.daily),
        ("weekly", p.weekly),
        ("monthly", p.monthly),
        ("yearly", p.yearly),
    ] {
        if n > 0 {
            parts.push(format!("{name} {n}"));
        }
    }
    if let Some(w) = p.within {
        parts.push(format!("within {}", humantime::format_duration(w)));
    }
    parts.extend(p.tags.iter().map(|t| format!("tag {t}")));
    if parts.is_empty() {
        "keep everything".into()
    } else {
        parts.join(", ")
    }
}

/// One snapshot as a prune sees it, wherever it is.
struct Seen {
    id: String,
    commit_seq: u64,
    created_ms: i64,
    origin: String,
    tags: BTreeSet<String>,
    pinned: bool,
}

/// The plan for `seen` under `policy`, as the answer.
fn plan_out(location: String, policy: &Policy, dry_run: bool, seen: &[Seen]) -> SnapshotPruneOut {
    let candidates: Vec<Candidate> = seen
        .iter()
        .map(|s| Candidate {
            id: s.id.clone(),
            created_ms: s.created_ms,
            tags: s.tags.clone(),
            pinned: s.pinned,
        })
        .collect();
    let rows: Vec<SnapshotPruneRow> = forget::plan(policy, &candidates)
        .into_iter()
        .filter_map(|d| {
            let s = seen.iter().find(|s| s.id == d.snapshot_id)?;
            Some(SnapshotPruneRow {
                snapshot_id: d.snapshot_id,
                commit_seq: s.commit_seq,
                created_at: format_ts(s.created_ms),
                origin: s.origin.clone(),
                tags: s.tags.iter().cloned().collect(),
                keep: d.keep,
                reasons: d.reasons,
            })
        })
        .collect();
    SnapshotPruneOut {
        location,
        dry_run,
        policy: describe(policy),
        kept: rows.iter().filter(|r| r.keep).count() as u64,
        removed: rows.iter().filter(|r| !r.keep).count() as u64,
        snapshots: rows,
    }
}

/// Plans a prune of the snapshots of a data directory (`infos`, from a listing) and removes
/// (unless `dry_run`) those no rule keeps, through `remove` (the engine's file lock, or the
/// caller's directory lock).
///
/// # Errors
/// What `remove` returns.
pub fn prune_local(
    location: String,
    infos: &[SnapshotInfo],
    policy: &Policy,
    dry_run: bool,
    remove: impl FnOnce(&[&SnapshotInfo]) -> Result<()>,
) -> Result<SnapshotPruneOut> {
    let seen: Vec<Seen> = infos
        .iter()
        .filter_map(|i| {
            let m = i.meta.as_ref().ok()?;
            let dir = i.path.parent()?;
            Some(Seen {
                id: i.id.clone(),
                commit_seq: m.commit_seq,
                created_ms: m.created_ms,
                origin: m.origin.as_str().to_owned(),
                tags: snapshot::read_tags(dir, &i.id),
                pinned: false,
            })
        })
        .collect();
    let out = plan_out(location, policy, dry_run, &seen);
    if !dry_run {
        let doomed: Vec<&SnapshotInfo> = out
            .snapshots
            .iter()
            .filter(|r| !r.keep)
            .filter_map(|r| infos.iter().find(|i| i.id == r.snapshot_id))
            .collect();
        remove(&doomed)?;
    }
    Ok(out)
}

/// The id `id` names among a data directory's snapshots: itself, or for `latest` the readable
/// snapshot with the highest `commit_seq`.
///
/// # Errors
/// [`StoreError::UnknownSnapshot`] for `latest` in a directory without readable snapshots.
pub fn resolve_local(infos: &[SnapshotInfo], id: &str) -> Result<String> {
    if id != LATEST {
        return Ok(id.to_owned());
    }
    infos
        .iter()
        .rfind(|i| i.meta.is_ok())
        .map(|i| i.id.clone())
        .ok_or_else(|| StoreError::UnknownSnapshot(LATEST.into()))
}

/// Removes the snapshot `id` (`latest` allowed) of a data directory through `remove`.
///
/// # Errors
/// Unknown snapshot, what `remove` returns.
pub fn remove_local(
    location: String,
    infos: &[SnapshotInfo],
    id: &str,
    remove: impl FnOnce(&[&SnapshotInfo]) -> Result<()>,
) -> Result<SnapshotRemovedOut> {
    let id = resolve_local(infos, id)?;
    let info = infos
        .iter()
        .find(|i| i.id == id)
        .ok_or_else(|| StoreError::UnknownSnapshot(id.clone()))?;
    remove(&[info])?;
    Ok(SnapshotRemovedOut {
        snapshot_id: id,
        location,
    })
}

/// The snapshots stored in a database ([`crate::store::pg::catalog`]) as rows of `snapshot
/// list`, oldest first (no tags: those stay with a server's local copy).
pub fn stored_rows(listed: &[Listed]) -> Vec<SnapshotRow> {
    listed
        .iter()
        .map(|l| match &l.meta {
            Ok(m) => SnapshotRow {
                snapshot_id: l.stored.id.clone(),
                commit_seq: Some(m.commit_seq),
                next_seq: Some(m.next_seq),
                created_at: Some(format_ts(m.created_ms)),
                size: Some(m.size),
                objects: Some(m.objects),
                key_id: (m.key_id != 0).then(|| format!("{:08x}", m.key_id)),
                origin: Some(m.origin.as_str().to_string()),
                tags: Vec::new(),
                error: None,
            },
            Err(e) => SnapshotRow {
                snapshot_id: l.stored.id.clone(),
                commit_seq: Some(l.stored.commit_seq),
                next_seq: Some(l.stored.next_seq),
                created_at: Some(format_ts(l.stored.created_ms)),
                size: Some(l.stored.size),
                objects: None,
                key_id: None,
                origin: Some(l.stored.origin.clone()),
                tags: Vec::new(),
                error: Some(e.clone()),
            },
        })
        .collect()
}

/// Plans a prune of the snapshots stored in a database and removes (unless `dry_run`) those
/// no rule keeps, through `remove` (which refuses what would leave no server able to start).
///
/// # Errors
/// What `remove` returns.
pub fn prune_stored(
    location: String,
    listed: &[Listed],
    policy: &Policy,
    dry_run: bool,
    remove: impl FnOnce(&[String]) -> Result<()>,
) -> Result<SnapshotPruneOut> {
    let seen: Vec<Seen> = listed
        .iter()
        .map(|l| Seen {
            id: l.stored.id.clone(),
            commit_seq: l.stored.commit_seq,
            created_ms: l.stored.created_ms,
            origin: l.stored.origin.clone(),
            tags: BTreeSet::new(),
            pinned: false,
        })
        .collect();
    let out = plan_out(location, policy, dry_run, &seen);
    if !dry_run {
        let doomed: Vec<String> = out
            .snapshots
            .iter()
            .filter(|r| !r.keep)
            .map(|r| r.snapshot_id.clone())
            .collect();
        remove(&doomed)?;
    }
    Ok(out)
}

/// Removes the stored snapshot `id` (`latest`: the highest `commit_seq`) through `remove`.
///
/// # Errors
/// Unknown snapshot, what `remove` returns.
pub fn remove_stored(
    location: String,
    listed: &[Listed],
    id: &str,
    remove: impl FnOnce(&[String]) -> Result<()>,
) -> Result<SnapshotRemovedOut> {
    let found = if id == LATEST {
        listed.last()
    } else {
        listed.iter().find(|l| l.stored.id == id)
    };
    let id = found
        .map(|l| l.stored.id.clone())
        .ok_or_else(|| StoreError::UnknownSnapshot(id.to_owned()))?;
    remove(std::slice::from_ref(&id))?;
    Ok(SnapshotRemovedOut {
        snapshot_id: id,
        location,
    })
}

/// A manifest as a row of `snapshot list`.
pub fn row_of(m: &SnapshotManifest) -> SnapshotRow {
    SnapshotRow {
        snapshot_id: m.snapshot_id.clone(),
        commit_seq: Some(m.commit_seq),
        next_seq: Some(m.next_seq),
        created_at: Some(format_ts(m.created_at.timestamp_millis())),
        size: Some(m.size),
        objects: None,
        key_id: m.key_id.map(|k| format!("{k:08x}")),
        origin: Some(m.origin.clone()),
        tags: m.tags.iter().cloned().collect(),
        error: None,
    }
}

/// The snapshots of a backup location as rows, oldest first.
///
/// # Errors
/// The target's errors.
pub async fn bucket_rows(target: &Target) -> backup::Result<Vec<SnapshotRow>> {
    Ok(target
        .list_snapshots()
        .await?
        .snapshots
        .iter()
        .map(row_of)
        .collect())
}

/// The id `id` names in a backup location (`latest`: the highest `commit_seq`).
///
/// # Errors
/// [`backup::BackupError::NotFound`] for `latest` in an empty location; the target's errors.
pub async fn resolve_bucket(target: &Target, id: &str) -> backup::Result<String> {
    if id != LATEST {
        return Ok(id.to_owned());
    }
    target
        .list_snapshots()
        .await?
        .snapshots
        .last()
        .map(|m| m.snapshot_id.clone())
        .ok_or_else(|| backup::BackupError::NotFound {
            url: target.url("snapshots/latest"),
        })
}

/// Plans a prune of a backup location and removes (unless `dry_run`) what no rule keeps;
/// snapshots a restore has pinned are kept.
///
/// # Errors
/// The target's errors (a removal that fails stops the prune; what was removed stays removed).
pub async fn prune_bucket(
    target: &Target,
    policy: &Policy,
    dry_run: bool,
) -> backup::Result<SnapshotPruneOut> {
    let listing = target.list_snapshots().await?;
    let pinned = target.pinned_snapshots(Utc::now()).await?;
    let seen: Vec<Seen> = listing
        .snapshots
        .iter()
        .map(|m| Seen {
            id: m.snapshot_id.clone(),
            commit_seq: m.commit_seq,
            created_ms: m.created_at.timestamp_millis(),
            origin: m.origin.clone(),
            tags: m.tags.clone(),
            pinned: pinned.contains(&m.snapshot_id),
        })
        .collect();
    let out = plan_out(target.location().to_string(), policy, dry_run, &seen);
    if !dry_run {
        for r in out.snapshots.iter().filter(|r| !r.keep) {
            target.delete_snapshot(&r.snapshot_id).await?;
        }
    }
    Ok(out)
}

/// Removes the snapshot `id` (`latest` allowed) from a backup location.
///
/// # Errors
/// [`backup::BackupError::NotFound`], the target's errors.
pub async fn remove_from_bucket(target: &Target, id: &str) -> backup::Result<SnapshotRemovedOut> {
    let id = resolve_bucket(target, id).await?;
    target.delete_snapshot(&id).await?;
    Ok(SnapshotRemovedOut {
        snapshot_id: id,
        location: target.location().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_read_and_describe() {
        let p = policy_of(&KeepPolicy {
            keep_last: 3,
            keep_daily: 7,
            keep_within: Some("2d".into()),
            keep_tags: vec!["release".into()],
            ..KeepPolicy::default()
        })
        .unwrap();
        assert_eq!(describe(&p), "last 3, daily 7, within 2days, tag release");
        assert_eq!(describe(&Policy::default()), "keep everything");
        assert!(
            policy_of(&KeepPolicy {
                keep_within: Some("soon".into()),
                ..KeepPolicy::default()
            })
            .is_err()
        );
        assert!(tag_set(&["a b".into()]).is_err());
    }
}
