//! `admin verify`: checks every WAL frame and every snapshot, reports the first bad file and
//! offset; `--repair` cuts the damage away after copying what it cuts into `aside/`.
//!
//! Sealed files are opened with the [`DataDir`]'s keys: a missing or wrong key ends the check
//! with that error (it is not damage, and a repair must never cut a file for it), while a
//! record or chunk that fails to authenticate is reported as corruption at its offset.

use std::fs;
use std::path::PathBuf;

use serde::Serialize;

use crate::store::crypto::{self, record::decode_record};
use crate::store::dir::DataDir;
use crate::store::error::{Result, StoreError};
use crate::store::recovery::{self, Base, Damaged, Target, missing_base};
use crate::store::snapshot;
use crate::store::state::HistoryPolicy;
use crate::store::wal::frame::{self, ScanEnd};
use crate::store::wal::segment::{self, HEADER_LEN, SegmentHeader, fsync_dir};

/// The verdict on one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Status {
    /// Everything verifies.
    Ok,
    /// The last segment ends in an incomplete frame (a crash mid-write; recovery cuts it).
    TornTail {
        /// Where the torn frame starts.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// Damage that recovery refuses to pass.
    Corrupt {
        /// Where the damage starts.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
}

/// One checked file.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// `wal` or `snapshot`.
    pub kind: &'static str,
    /// The file.
    pub path: PathBuf,
    /// Records (WAL) or items (snapshot) that verified.
    pub records: u64,
    /// First and last seq of the verified records (WAL), or the snapshot's commit_seq.
    pub first_seq: Option<u64>,
    /// Last verified seq.
    pub last_seq: Option<u64>,
    /// The verdict.
    #[serde(flatten)]
    pub status: Status,
}

/// Whether recovery has a base to replay the WAL from: the newest snapshot that verifies (or
/// nothing, from commit_seq 1), and the log continuing exactly where it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseCheck {
    /// The snapshot recovery starts from (`None`: none verifies; the log must start at 1).
    pub snapshot_id: Option<String>,
    /// The first seq the WAL must hold after it.
    pub needs_from: u64,
    /// The first seq the WAL holds after it (`None`: nothing after it).
    pub wal_from: Option<u64>,
    /// Why the directory cannot be opened (`None`: it can).
    pub problem: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Every file, WAL segments first.
    pub files: Vec<FileCheck>,
    /// Whether the WAL has a base to replay from.
    pub base: BaseCheck,
}

impl VerifyReport {
    /// The first corrupt file, if any.
    pub fn first_corruption(&self) -> Option<&FileCheck> {
        self.files
            .iter()
            .find(|f| matches!(f.status, Status::Corrupt { .. }))
    }

    /// Why a server could not open the directory as it is, if it could not: the first
    /// corruption, else a WAL without a base.
    pub fn problem(&self) -> Option<String> {
        if let Some(bad) = self.first_corruption()
            && let Status::Corrupt { offset, reason } = &bad.status
        {
            return Some(format!(
                "corruption in {} at offset {offset}: {reason}",
                bad.path.display()
            ));
        }
        self.base.problem.clone()
    }
}

/// Checks every file of `dir` (read-only).
///
/// # Errors
/// The directory is missing or unreadable; a sealed file and no key or another key.
pub fn verify(dir: &DataDir) -> Result<VerifyReport> {
    dir.require_initialized()?;
    let mut files = Vec::new();
    let segs = segment::list_segments(&dir.wal())?;
    let mut expected: Option<u64> = None;
    for (i, seg) in segs.iter().enumerate() {
        let is_last = i + 1 == segs.len();
        let mut check = FileCheck {
            kind: "wal",
            path: seg.path.clone(),
            records: 0,
            first_seq: None,
            last_seq: None,
            status: Status::Ok,
        };
        let buf = fs::read(&seg.path).map_err(|e| StoreError::io("read", &seg.path, e))?;
        match SegmentHeader::decode(&buf, &seg.path) {
            Err(e) => check.status = corrupt(0, e.to_string()),
            Ok(h) if h.first_seq != seg.first_seq => {
                check.status = corrupt(16, "header first seq does not match the file name".into())
            }
            Ok(h) => {
                let fk = crypto::file_key(h.key_id, dir.keys(), &seg.path)?;
                if let Some(exp) = expected
                    && seg.first_seq != exp
                {
                    // A jump between segments is legal only when a snapshot bridges it.
                    let bridged = snapshot::list_snapshots(&dir.snapshots())?
                        .iter()
                        .filter_map(|s| s.meta.as_ref().ok())
                        .any(|m| m.commit_seq + 1 >= exp && m.next_seq == seg.first_seq);
                    if !bridged {
                        check.status = corrupt(
                            16,
                            format!(
                                "segment starts at {} but the previous one ends at {}",
                                seg.first_seq,
                                exp - 1
                            ),
                        );
                    }
                }
                let mut next = seg.first_seq;
                let scan = frame::scan(
                    &buf,
                    HEADER_LEN,
                    next,
                    |offset, payload| match decode_record(fk, payload) {
                        Ok(r) if r.seq == next => {
                            check.records += 1;
                            check.first_seq.get_or_insert(r.seq);
                            check.last_seq = Some(r.seq);
                            next += 1;
                            Ok(())
                        }
                        Ok(r) => Err((
                            offset,
                            format!("commit_seq {} where {next} was expected", r.seq),
                        )),
                        Err(reason) => Err((offset, reason)),
                    },
                );
                let status = match scan {
                    Err((offset, reason)) => corrupt(offset, reason),
                    Ok(ScanEnd::Clean { .. }) => Status::Ok,
                    Ok(ScanEnd::Torn { offset, reason }) if is_last => {
                        Status::TornTail { offset, reason }
                    }
                    Ok(ScanEnd::Torn { offset, reason } | ScanEnd::Corrupt { offset, reason }) => {
                        corrupt(offset, reason)
                    }
                };
                if check.status == Status::Ok {
                    check.status = status;
                }
                expected = Some(next);
            }
        }
        files.push(check);
    }
    let mut good = Vec::new();
    let mut damaged = Vec::new();
    for info in snapshot::list_snapshots(&dir.snapshots())? {
        let (status, records, seq) = match snapshot::verify_snapshot(&info.path, dir.keys()) {
            Ok(m) => {
                let out = (Status::Ok, m.entries, Some(m.commit_seq));
                good.push(m);
                out
            }
            Err(e) if e.is_key_error() => return Err(e),
            Err(e) => {
                let status = match &e {
                    StoreError::Corrupt { offset, reason, .. } => corrupt(*offset, reason.clone()),
                    other => corrupt(0, other.to_string()),
                };
                damaged.push(Damaged {
                    id: info.id.clone(),
                    header: info.meta.ok(),
                    error: Damaged::why(&e),
                });
                (status, 0, None)
            }
        };
        files.push(FileCheck {
            kind: "snapshot",
            path: info.path,
            records,
            first_seq: seq,
            last_seq: seq,
            status,
        });
    }
    // Recovery starts from the newest snapshot that verifies (the list is in commit order).
    let base = check_base(good.last(), &files, &segs, &damaged, &dir.wal());
    Ok(VerifyReport { files, base })
}

/// Whether the log continues where `base` ends, as recovery requires.
fn check_base(
    base: Option<&snapshot::SnapshotMeta>,
    files: &[FileCheck],
    segs: &[segment::SegmentFile],
    damaged: &[Damaged],
    wal: &std::path::Path,
) -> BaseCheck {
    let needs_from = base.map_or(1, |m| m.next_seq);
    let after = base.map_or(0, |m| m.commit_seq);
    let wal_files: Vec<&FileCheck> = files.iter().filter(|f| f.kind == "wal").collect();
    let wal_from = wal_files
        .iter()
        .find_map(|f| match (f.first_seq, f.last_seq) {
            (Some(first), Some(last)) if last > after => Some(first.max(after + 1)),
            _ => None,
        });
    // Where the last segment expects its next record, when nothing follows the base.
    let log_next = wal_files
        .last()
        .zip(segs.last())
        .map(|(f, s)| f.last_seq.map_or(s.first_seq, |l| l + 1));
    let continues = match wal_from {
        Some(first) => first == needs_from,
        None => log_next.is_none_or(|n| n <= needs_from),
    };
    let problem = (!continues).then(|| {
        missing_base(
            wal,
            base.map(|m| m.id.as_str()),
            needs_from,
            wal_from.or(log_next).unwrap_or(0),
            damaged,
        )
    });
    BaseCheck {
        snapshot_id: base.map(|m| m.id.clone()),
        needs_from,
        wal_from,
        problem,
    }
}

fn corrupt(offset: u64, reason: String) -> Status {
    Status::Corrupt { offset, reason }
}

/// What `--repair` did to one file.
#[derive(Debug, Clone, Serialize)]
pub struct RepairAction {
    /// The damaged file.
    pub path: PathBuf,
    /// What was done.
    pub action: String,
    /// Where the cut bytes or the file were copied.
    pub kept_in: PathBuf,
}

/// Cuts every problem the report shows: the first damaged segment is truncated at its damage
/// (the cut bytes copied aside and synced first) and later segments moved aside whole; damaged
/// snapshots are moved aside. When WAL data was cut, a snapshot of what remains is written
/// whose `next_seq` is above every seq found anywhere in the log, so no seq is issued twice.
/// The caller holds the lock.
///
/// # Errors
/// I/O errors naming the file.
pub fn repair(dir: &DataDir, report: &VerifyReport) -> Result<Vec<RepairAction>> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let aside = dir.aside().join(format!("repair-{stamp}"));
    let mut actions = Vec::new();
    let mut cut_rest = false;
    let mut highest = 0u64;
    let mut wal_cut = false;
    for f in report.files.iter().filter(|f| f.kind == "wal") {
        let bytes = fs::read(&f.path).map_err(|e| StoreError::io("read", &f.path, e))?;
        highest = highest.max(frame::max_seq_anywhere(&bytes).unwrap_or(0));
        if let Some(first) = f
            .path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse::<u64>().ok())
        {
            highest = highest.max(first.saturating_sub(1));
        }
    }
    for f in &report.files {
        let name = f.path.file_name().map(PathBuf::from).unwrap_or_default();
        let damage = match &f.status {
            Status::Ok => None,
            Status::TornTail { offset, .. } | Status::Corrupt { offset, .. } => Some(*offset),
        };
        if f.kind == "wal" && cut_rest {
            fs::create_dir_all(&aside)
                .map_err(|e| StoreError::io("create directory", &aside, e))?;
            let to = aside.join(&name);
            fs::rename(&f.path, &to).map_err(|e| StoreError::io("rename", &f.path, e))?;
            actions.push(RepairAction {
                path: f.path.clone(),
                action: "moved aside (follows the cut)".into(),
                kept_in: to,
            });
            wal_cut = true;
            continue;
        }
        let Some(offset) = damage else { continue };
        fs::create_dir_all(&aside).map_err(|e| StoreError::io("create directory", &aside, e))?;
        if f.kind == "snapshot" || (f.kind == "wal" && offset < HEADER_LEN as u64) {
            let to = aside.join(&name);
            fs::rename(&f.path, &to).map_err(|e| StoreError::io("rename", &f.path, e))?;
            actions.push(RepairAction {
                path: f.path.clone(),
                action: "moved aside (damaged)".into(),
                kept_in: to,
            });
            cut_rest |= f.kind == "wal";
            wal_cut |= f.kind == "wal";
            continue;
        }
        let bytes = fs::read(&f.path).map_err(|e| StoreError::io("read", &f.path, e))?;
        let to = aside.join(format!("{}.from-{offset}", name.display()));
        fs::write(&to, &bytes[offset as usize..])
            .and_then(|()| fs::File::open(&to)?.sync_all())
            .map_err(|e| StoreError::io("write", &to, e))?;
        fsync_dir(&aside)?;
        let file = fs::OpenOptions::new()
            .write(true)
            .open(&f.path)
            .map_err(|e| StoreError::io("open", &f.path, e))?;
        file.set_len(offset)
            .and_then(|_| file.sync_all())
            .map_err(|e| StoreError::io("truncate", &f.path, e))?;
        actions.push(RepairAction {
            path: f.path.clone(),
            action: format!("truncated at offset {offset}"),
            kept_in: to,
        });
        cut_rest = true;
        wal_cut = true;
    }
    if !actions.is_empty() {
        fsync_dir(&aside)?;
        fsync_dir(&dir.wal())?;
        fsync_dir(&dir.snapshots())?;
    }
    if wal_cut {
        // Seal the repaired history with a snapshot whose next_seq is above every seq seen, so
        // the commits that were cut are never issued again with other contents.
        let policy = HistoryPolicy {
            versions: 0,
            age_ms: 0,
        };
        let rec = recovery::recover(dir, Base::Newest, Target::Latest, &policy, &mut |_| {})?;
        let next_seq = (highest + 1)
            .max(rec.next_seq.unwrap_or(1))
            .max(rec.state.seq + 1);
        let meta = snapshot::write_snapshot(
            &dir.snapshots(),
            &rec.state,
            next_seq,
            dir.key(),
            snapshot::SnapshotOrigin::Restore,
            // No reserve: a repair must work on the disk as it is, with no server running.
            0,
        )?;
        actions.push(RepairAction {
            path: dir.snapshots().join(format!("{}.snap", meta.id)),
            action: format!(
                "wrote a snapshot at commit_seq {}; new commits start at {next_seq}",
                meta.commit_seq
            ),
            kept_in: aside.clone(),
        });
    }
    Ok(actions)
}
