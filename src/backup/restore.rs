//! Restoring from a backup location: which snapshot and which WAL pieces reproduce the state at
//! a target ([`Target::plan_restore`]), and fetching them, verified, into a directory laid out
//! like a data directory's `snapshots/` and `wal/` ([`Target::fetch_restore`]).
//!
//! # The lineage
//! The newest generation's history is followed back through `generation.json` parent links:
//! a generation that branched at `{generation, seq}` includes its parent's records up to `seq`
//! only; the parent's records above it belong to another history and are cut off (a piece
//! crossing the branch point is truncated after `seq` once fetched). The lineage is a list of
//! elements, oldest first, each a generation and the seq range of it that belongs.
//!
//! # The snapshot
//! Replay never crosses from one element to the next (their seqs jump at a branch), so the
//! snapshot must start the replay inside the element holding the target: its `next_seq` lies in
//! that element's range (the base snapshot a restore wrote starts the element after it). A
//! snapshot belongs to the lineage when its `generation` is an element's (and its `commit_seq`
//! is not past that element's branch point), when an element names it as its base, or, when
//! the location has at most one generation, when it has no generation. For `--to-time` the
//! newest such snapshot whose commit time (`state_at`) is at or before the target is taken.
//! With no snapshot, the root generation's pieces must start at seq 1.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::error::{BackupError, Result};
use super::layout::keys;
use super::snapshots::SnapshotManifest;
use super::target::Target;
use super::wal::{Generation, WalPiece};
use crate::store::lineage::{self, Lineage};
use crate::store::wal::segment::{self, HEADER_LEN, SegmentHeader};

/// The point a restore goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointInTime {
    /// Everything the location holds.
    Latest,
    /// Up to and including this commit_seq.
    Seq(u64),
    /// Every commit at or before this time.
    Time(DateTime<Utc>),
}

/// One generation of the lineage and the seqs of it that belong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageElement {
    /// The generation.
    pub generation: Generation,
    /// Its last seq in this history (`None`: it is the newest, open-ended).
    pub until: Option<u64>,
}

/// A WAL piece to fetch, and where to cut it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPiece {
    /// The piece.
    pub piece: WalPiece,
    /// Keep its records up to this seq only (the parent's branch point).
    pub keep_through: Option<u64>,
    /// Its key, relative to the location's prefix.
    pub key: String,
}

/// What a restore from a backup location fetches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestorePlan {
    /// The snapshot to start from (`None`: the WAL from seq 1).
    pub snapshot: Option<SnapshotManifest>,
    /// The pieces to replay, in order.
    pub pieces: Vec<PlannedPiece>,
    /// The lineage followed, oldest first.
    pub lineage: Vec<LineageElement>,
    /// Bytes to download.
    pub bytes: u64,
}

impl Target {
    /// The lineage of the newest generation, oldest first (empty without generations).
    ///
    /// # Errors
    /// A parent link to a generation that is missing or a loop ([`BackupError::Corrupt`] naming
    /// the `generation.json` with the link), the target's errors.
    pub async fn lineage(&self) -> Result<Vec<LineageElement>> {
        let gens = self.list_generations().await?;
        let Some(newest) = gens.last() else {
            return Ok(Vec::new());
        };
        let mut out = vec![LineageElement {
            generation: newest.clone(),
            until: None,
        }];
        let mut seen = BTreeSet::from([newest.generation.clone()]);
        while let Some(p) = out.last().and_then(|e| e.generation.parent.clone()) {
            let child = out.last().map(|e| e.generation.generation.clone());
            let link = self.url(&keys::generation(&child.unwrap_or_default()));
            if !seen.insert(p.generation.clone()) {
                return Err(BackupError::corrupt(link, "the parent links loop"));
            }
            let parent = match gens.iter().find(|g| g.generation == p.generation) {
                Some(g) => g.clone(),
                None => self.read_generation(&p.generation).await.map_err(|e| {
                    BackupError::corrupt(link, format!("its parent {}: {e}", p.generation))
                })?,
            };
            out.push(LineageElement {
                generation: parent,
                until: Some(p.seq),
            });
        }
        out.reverse();
        Ok(out)
    }

    /// Plans a restore to `to`, from `snapshot_id` if given (else the newest fitting one).
    ///
    /// # Errors
    /// [`BackupError::NotFound`] naming what is missing (no snapshot and no WAL from seq 1, a
    /// gap in the WAL, an unknown snapshot), [`BackupError::Corrupt`], the target's errors.
    pub async fn plan_restore(
        &self,
        to: PointInTime,
        snapshot_id: Option<&str>,
    ) -> Result<RestorePlan> {
        let lineage = self.lineage().await?;
        let listing = self.list_snapshots().await?;
        let on_lineage = |m: &SnapshotManifest| -> Option<usize> {
            if lineage.is_empty() {
                return Some(0);
            }
            for (i, e) in lineage.iter().enumerate() {
                let g = &e.generation;
                let named = g.base_snapshot.as_deref() == Some(m.snapshot_id.as_str());
                let ours = m.generation.as_deref() == Some(g.generation.as_str())
                    || (m.generation.is_none() && lineage.len() == 1);
                if named || (ours && e.until.is_none_or(|u| m.commit_seq <= u)) {
                    return Some(i);
                }
            }
            None
        };
        // The element a replay from `next_seq` runs in.
        let element_of_next = |next: u64| -> Option<usize> {
            lineage.iter().rposition(|e| {
                e.generation.first_seq <= next && e.until.is_none_or(|u| next <= u + 1)
            })
        };
        let in_range = |m: &SnapshotManifest| match to {
            PointInTime::Latest => true,
            PointInTime::Seq(n) => m.commit_seq <= n,
            PointInTime::Time(t) => m.state_at.unwrap_or(m.created_at) <= t,
        };
        let snapshot = match snapshot_id {
            Some(id) => {
                let m = listing
                    .snapshots
                    .iter()
                    .find(|m| m.snapshot_id == id)
                    .cloned()
                    .ok_or_else(|| BackupError::NotFound {
                        url: self.url(&keys::snapshot_manifest(id)),
                    })?;
                if !in_range(&m) {
                    return Err(BackupError::NotFound {
                        url: format!(
                            "{} (snapshot at commit_seq {} is past the target)",
                            self.url(&keys::snapshot_manifest(id)),
                            m.commit_seq
                        ),
                    });
                }
                Some(m)
            }
            None => {
                let target_elem = match to {
                    PointInTime::Seq(n) if !lineage.is_empty() => Some(
                        lineage
                            .iter()
                            .rposition(|e| {
                                e.generation.first_seq <= n && e.until.is_none_or(|u| n <= u)
                            })
                            .ok_or_else(|| BackupError::NotFound {
                                url: format!(
                                    "{} (seq {n} is not in the history of generation {})",
                                    self.url(keys::WAL),
                                    lineage
                                        .last()
                                        .map(|e| e.generation.generation.as_str())
                                        .unwrap_or_default()
                                ),
                            })?,
                    ),
                    PointInTime::Latest if !lineage.is_empty() => Some(lineage.len() - 1),
                    _ => None,
                };
                let mut best: Option<&SnapshotManifest> = None;
                for m in &listing.snapshots {
                    if !in_range(m) || on_lineage(m).is_none() {
                        continue;
                    }
                    let elem = element_of_next(m.next_seq);
                    if !lineage.is_empty() && elem.is_none() {
                        continue;
                    }
                    if target_elem.is_some() && elem != target_elem {
                        continue;
                    }
                    let key = |m: &SnapshotManifest| {
                        (m.state_at.unwrap_or(m.created_at), m.next_seq, m.commit_seq)
                    };
                    if best.is_none_or(|b| key(m) > key(b)) {
                        best = Some(m);
                    }
                }
                best.cloned()
            }
        };
        // The element the replay runs in, and from which seq.
        let (elem, from) = match &snapshot {
            Some(m) => (element_of_next(m.next_seq), m.next_seq),
            None => (if lineage.is_empty() { None } else { Some(0) }, 1),
        };
        if let (PointInTime::Time(t), Some(i)) = (to, elem)
            && let Some(next) = lineage.get(i + 1)
            && next.generation.created_at <= t
        {
            return Err(BackupError::NotFound {
                url: format!(
                    "{} (generation {} starts before the target time and no snapshot of it \
                     at or before the target is in the location)",
                    self.url(&keys::generation(&next.generation.generation)),
                    next.generation.generation
                ),
            });
        }
        let mut pieces = Vec::new();
        if let Some(i) = elem {
            let e = &lineage[i];
            let g = &e.generation.generation;
            let listed = self.list_wal(g).await?.pieces;
            let stop = match (to, e.until) {
                (PointInTime::Seq(n), Some(u)) => Some(n.min(u)),
                (PointInTime::Seq(n), None) => Some(n),
                (_, u) => u,
            };
            let mut expected = from;
            for p in listed {
                if p.last_seq < expected {
                    continue;
                }
                if stop.is_some_and(|s| expected > s) {
                    break;
                }
                if p.first_seq > expected {
                    return Err(BackupError::NotFound {
                        url: format!(
                            "{} (seqs {expected} to {} of generation {g} are missing)",
                            self.url(&keys::wal_stem(g, expected, p.first_seq - 1)),
                            p.first_seq - 1
                        ),
                    });
                }
                let keep_through = e.until.filter(|u| p.last_seq > *u);
                expected = p.last_seq + 1;
                let key = format!("{}.wal", keys::wal_stem(g, p.first_seq, p.last_seq));
                pieces.push(PlannedPiece {
                    piece: p,
                    keep_through,
                    key,
                });
            }
            if let Some(s) = stop
                && expected <= s
                && (matches!(to, PointInTime::Seq(_)) || e.until.is_some())
            {
                return Err(BackupError::NotFound {
                    url: format!(
                        "{} (seqs {expected} to {s} of generation {g} are not in the location)",
                        self.url(&format!("{}/{g}", keys::WAL))
                    ),
                });
            }
        }
        if snapshot.is_none() && pieces.first().is_none_or(|p| p.piece.first_seq != 1) {
            return Err(BackupError::NotFound {
                url: format!(
                    "{} (no snapshot at or before the target on the lineage, and no WAL from seq 1)",
                    self.url(keys::SNAPSHOTS)
                ),
            });
        }
        let bytes = snapshot.as_ref().map_or(0, |m| m.size)
            + pieces.iter().map(|p| p.piece.size).sum::<u64>();
        Ok(RestorePlan {
            snapshot,
            pieces,
            lineage,
            bytes,
        })
    }

    /// Fetches what `plan` names into `dest` (`dest/snapshots/`, `dest/wal/`, created), every
    /// object checked against its manifest's size and SHA-256 on the way; WAL pieces become
    /// segment files cut at their branch point.
    ///
    /// # Errors
    /// [`BackupError::NotFound`] or [`BackupError::Corrupt`] naming the object, local errors.
    pub async fn fetch_restore(&self, plan: &RestorePlan, dest: &Path) -> Result<()> {
        let snaps = dest.join("snapshots");
        let wal = dest.join("wal");
        for d in [&snaps, &wal] {
            std::fs::create_dir_all(d).map_err(|e| BackupError::local("create", d, e))?;
        }
        if let Some(m) = &plan.snapshot {
            let path = snaps.join(format!("{}.snap", m.snapshot_id));
            self.download_snapshot(&m.snapshot_id, &path).await?;
        }
        for p in &plan.pieces {
            let tmp = wal.join(format!(".fetch-{}", p.piece.first_seq));
            self.download_wal_piece(&p.piece, &tmp).await?;
            let url = self.url(&p.key);
            as_segment(&tmp, &p.piece).map_err(|e| BackupError::corrupt(&url, e))?;
            if let Some(u) = p.keep_through {
                segment::keep_through(&tmp, u)
                    .map_err(|e| BackupError::corrupt(&url, e.to_string()))?;
            }
            let path = wal.join(segment::segment_name(p.piece.first_seq));
            std::fs::rename(&tmp, &path).map_err(|e| BackupError::local("rename", &tmp, e))?;
        }
        // The line of history the fetched state belongs to: the restore names it as its
        // parent, so replication afterwards starts a child generation of the right one (see
        // `crate::store::lineage`).
        let generation = plan
            .pieces
            .last()
            .map(|p| p.piece.generation.clone())
            .or_else(|| plan.snapshot.as_ref().and_then(|m| m.generation.clone()));
        let from = generation.and_then(|g| {
            plan.lineage
                .iter()
                .find(|e| e.generation.generation == g)
                .and_then(|e| e.generation.lineage.clone())
        });
        if let Some(from) = from {
            let l = Lineage {
                lineage: from,
                created_at: Utc::now(),
                parent: None,
                reason: "fetched from a backup location".into(),
            };
            lineage::write(dest, &l).map_err(|e| {
                BackupError::local("write", dest.join(lineage::FILE), io::Error::other(e))
            })?;
        }
        Ok(())
    }
}

/// Makes the fetched piece at `path` a segment file: a piece is the bytes of a segment (its
/// header first) or, cut by a replicator, frames alone, which get the header its manifest
/// describes.
fn as_segment(path: &Path, piece: &WalPiece) -> std::result::Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if bytes.starts_with(b"STMGRWAL") {
        let h = SegmentHeader::decode(&bytes, path).map_err(|e| e.to_string())?;
        if h.first_seq != piece.first_seq {
            return Err(format!(
                "its header starts at seq {}, its manifest at {}",
                h.first_seq, piece.first_seq
            ));
        }
        return Ok(());
    }
    let header = SegmentHeader {
        first_seq: piece.first_seq,
        created_ms: piece.created_at.timestamp_millis(),
        key_id: piece.key_id.unwrap_or(0),
    };
    let mut out = Vec::with_capacity(HEADER_LEN + bytes.len());
    out.extend_from_slice(&header.encode());
    out.extend_from_slice(&bytes);
    std::fs::write(path, out).map_err(|e| e.to_string())
}
