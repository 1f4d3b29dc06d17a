//! Reads the log across segments: decodes records in seq order from a starting seq, checks that
//! `commit_seq` runs without gap or duplicate, and reports where the written data ends.
//!
//! Only the last segment may end in a torn frame; anything else that fails to verify is
//! corruption, reported with its file and offset. Within a segment seqs must run without gap
//! from the header's `first_seq`; between segments a jump is legal only where a snapshot bridges
//! it (after a restore or a repair), so callers check continuity of what they consume.
//! Sealed segments (header `key_id` ≠ 0) are opened with the keyring's key of that id; a
//! missing or wrong key is an error naming the segment, raised only when one of its records must be decoded.
//! This module never modifies files.

use std::path::{Path, PathBuf};

use super::frame::{self, ScanEnd};
use super::segment::{self, HEADER_LEN, SegmentFile, SegmentHeader};
use crate::store::command::Record;
use crate::store::crypto::{self, Keyring, record::decode_record};
use crate::store::error::{Result, StoreError};

/// Where the log ends, as found by [`read_log`].
#[derive(Debug, Clone)]
pub struct LogEnd {
    /// The seq the next commit must get according to the log (`last record + 1`, or the last
    /// segment's `first_seq` when it is empty); `None` when there are no segments.
    pub next_seq: Option<u64>,
    /// The last segment, if any.
    pub last_segment: Option<LastSegment>,
    /// Seq of the first record still present in the log (the trimmed horizon), if any.
    pub first_seq: Option<u64>,
}

/// The segment new commits are appended to.
#[derive(Debug, Clone)]
pub struct LastSegment {
    /// Its file.
    pub path: PathBuf,
    /// Its header.
    pub header: SegmentHeader,
    /// Logical end of the written frames.
    pub end: u64,
    /// Set when a torn frame was found at `end` (the caller truncates it).
    pub torn: Option<String>,
}

/// Reads every record with `seq >= from` in order, calling `visit(record, frame_len)`.
/// `visit` may stop early by returning `Ok(false)`. `keys` open sealed segments.
///
/// # Errors
/// Corruption (bad frame before the tail, a bad header, a seq gap, a record that does not
/// decrypt), a missing or wrong key, I/O errors, and whatever `visit` returns.
pub fn read_log(
    wal_dir: &Path,
    keys: &Keyring,
    from: u64,
    mut visit: impl FnMut(Record, usize) -> Result<bool>,
) -> Result<LogEnd> {
    let segments = segment::list_segments(wal_dir)?;
    let mut end = LogEnd {
        next_seq: None,
        last_segment: None,
        first_seq: segments.first().map(|s| s.first_seq),
    };
    let mut stopped = false;
    let mut buf = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let is_last = i + 1 == segments.len();
        if let Some(next) = segments.get(i + 1)
            && next.first_seq <= from
        {
            continue; // every record here is below `from`
        }
        let header = segment::read_segment(seg, &mut buf)?;
        let mut next = seg.first_seq;
        let scan_end = scan_segment(
            seg,
            &header,
            keys,
            &buf,
            (from, &mut next, &mut stopped),
            &mut visit,
        )?;
        if stopped {
            // The caller has what it wanted; the end of the log is not known.
            return Ok(LogEnd {
                next_seq: None,
                last_segment: None,
                first_seq: end.first_seq,
            });
        }
        match scan_end {
            ScanEnd::Clean { offset } => {
                if is_last {
                    end.last_segment = Some(LastSegment {
                        path: seg.path.clone(),
                        header,
                        end: offset,
                        torn: None,
                    });
                }
            }
            ScanEnd::Torn { offset, reason } if is_last => {
                end.last_segment = Some(LastSegment {
                    path: seg.path.clone(),
                    header,
                    end: offset,
                    torn: Some(reason),
                });
            }
            ScanEnd::Torn { offset, reason } | ScanEnd::Corrupt { offset, reason } => {
                return Err(StoreError::Corrupt {
                    path: seg.path.clone(),
                    offset,
                    reason,
                });
            }
        }
        end.next_seq = Some(next);
    }
    Ok(end)
}

/// Bytes of the segment files [`read_log`] would read from `from` on (an upper bound of the
/// records' size: the last segment is preallocated).
///
/// # Errors
/// I/O errors naming the directory or file.
pub fn log_bytes(wal_dir: &Path, from: u64) -> Result<u64> {
    let segments = segment::list_segments(wal_dir)?;
    let mut total = 0;
    for (i, seg) in segments.iter().enumerate() {
        if segments
            .get(i + 1)
            .is_some_and(|next| next.first_seq <= from)
        {
            continue;
        }
        let meta =
            std::fs::metadata(&seg.path).map_err(|e| StoreError::io("stat", &seg.path, e))?;
        total += meta.len();
    }
    Ok(total)
}

/// Scans one segment: records below `from` are skipped, `next` tracks the seq expected next,
/// `stopped` is set when `visit` asks to stop.
fn scan_segment(
    seg: &SegmentFile,
    header: &SegmentHeader,
    keys: &Keyring,
    buf: &[u8],
    (from, next, stopped): (u64, &mut u64, &mut bool),
    visit: &mut impl FnMut(Record, usize) -> Result<bool>,
) -> Result<ScanEnd> {
    frame::scan(buf, HEADER_LEN, *next, |offset, payload| {
        let (seq, _) = Record::peek(payload).map_err(|reason| StoreError::Corrupt {
            path: seg.path.clone(),
            offset,
            reason,
        })?;
        if seq != *next {
            return Err(StoreError::SeqGap {
                path: seg.path.clone(),
                offset,
                expected: *next,
                found: seq,
            });
        }
        *next = seq + 1;
        if seq < from || *stopped {
            return Ok(());
        }
        let fk = crypto::file_key(header.key_id, keys, &seg.path)?;
        let record = decode_record(fk, payload).map_err(|reason| StoreError::Corrupt {
            path: seg.path.clone(),
            offset,
            reason,
        })?;
        if !visit(record, payload.len() + frame::FRAME_HEADER_LEN)? {
            *stopped = true;
        }
        Ok(())
    })
}
