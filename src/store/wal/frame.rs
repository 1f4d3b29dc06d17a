//! WAL frames: `len u32 LE | crc32c(payload) u32 LE | payload`, and the scan that walks a
//! segment's frames and tells a clean end, a torn tail and corruption apart.
//!
//! A bad frame is a torn tail only when nothing valid follows it: if a later frame with a
//! plausible `commit_seq` verifies, the bad bytes sit *inside* the log and are corruption.

use super::super::command::{Record, is_record_format};

/// Bytes of a frame header.
pub const FRAME_HEADER_LEN: usize = 8;
/// Largest payload accepted (a single commit).
pub const MAX_FRAME_LEN: usize = 256 * 1024 * 1024;

/// Starts a frame in `out`: reserves the header and returns the frame's start index; call
/// [`finish_frame`] after appending the payload.
pub fn begin_frame(out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0u8; FRAME_HEADER_LEN]);
    start
}

/// Fills in the header of the frame started at `start` (its payload runs to the end of `out`).
pub fn finish_frame(out: &mut [u8], start: usize) {
    let payload = &out[start + FRAME_HEADER_LEN..];
    let len = payload.len() as u32;
    let crc = crc32c::crc32c(payload);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// Appends a whole frame around `payload`.
pub fn encode_frame(payload: &[u8], out: &mut Vec<u8>) {
    let start = begin_frame(out);
    out.extend_from_slice(payload);
    finish_frame(out, start);
}

/// Outcome of reading one frame at an offset.
#[derive(Debug, PartialEq, Eq)]
pub enum FrameAt<'a> {
    /// A frame whose checksum verifies.
    Ok {
        /// The payload bytes.
        payload: &'a [u8],
        /// Offset just after the frame.
        next: usize,
    },
    /// A zero length field: the end of written data (preallocated space follows).
    Zero,
    /// Fewer bytes left than a header or the declared length.
    Short,
    /// A header or checksum that does not verify.
    Bad(String),
}

/// Reads the frame at `pos` of `buf`.
pub fn frame_at(buf: &[u8], pos: usize) -> FrameAt<'_> {
    let rest = &buf[pos.min(buf.len())..];
    if rest.len() < FRAME_HEADER_LEN {
        if rest.iter().all(|b| *b == 0) {
            return FrameAt::Zero;
        }
        return FrameAt::Short;
    }
    let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    if len == 0 {
        return if crc == 0 {
            FrameAt::Zero
        } else {
            FrameAt::Bad("zero-length frame".into())
        };
    }
    if len > MAX_FRAME_LEN {
        return FrameAt::Bad(format!("frame length {len} exceeds the maximum"));
    }
    if rest.len() < FRAME_HEADER_LEN + len {
        return FrameAt::Short;
    }
    let payload = &rest[FRAME_HEADER_LEN..FRAME_HEADER_LEN + len];
    let actual = crc32c::crc32c(payload);
    if actual != crc {
        return FrameAt::Bad(format!(
            "checksum mismatch (stored {crc:08x}, computed {actual:08x})"
        ));
    }
    FrameAt::Ok {
        payload,
        next: pos + FRAME_HEADER_LEN + len,
    }
}

/// Where a scan of a segment stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanEnd {
    /// The data ends at `offset`; only zeros (or nothing) follow.
    Clean {
        /// Logical end of the segment.
        offset: u64,
    },
    /// An incomplete or damaged last frame at `offset`, with nothing valid after it.
    Torn {
        /// Where the damaged frame starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A damaged frame at `offset` with valid frames after it.
    Corrupt {
        /// Where the damaged frame starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
}

/// Walks the frames of `buf` from `start`, calling `visit(offset, payload)` for each valid frame
/// in order; `visit` returns `Err` to stop (e.g. on a seq gap). `expected_seq` is the seq the
/// first frame should carry (used to recognise later valid frames after a bad one).
///
/// # Errors
/// Whatever `visit` returns.
pub fn scan<E>(
    buf: &[u8],
    start: usize,
    mut expected_seq: u64,
    mut visit: impl FnMut(u64, &[u8]) -> Result<(), E>,
) -> Result<ScanEnd, E> {
    let mut pos = start;
    loop {
        match frame_at(buf, pos) {
            FrameAt::Ok { payload, next } => {
                visit(pos as u64, payload)?;
                if let Ok((seq, _)) = Record::peek(payload) {
                    expected_seq = seq + 1;
                }
                pos = next;
            }
            FrameAt::Zero if buf[pos..].iter().all(|b| *b == 0) => {
                return Ok(ScanEnd::Clean { offset: pos as u64 });
            }
            FrameAt::Zero => return Ok(classify(buf, pos, expected_seq, "zero-length frame")),
            FrameAt::Short => {
                return Ok(classify(buf, pos, expected_seq, "incomplete frame"));
            }
            FrameAt::Bad(reason) => return Ok(classify(buf, pos, expected_seq, &reason)),
        }
    }
}

/// The highest seq of any verifying frame anywhere in `buf` (header, garbage and damaged frames
/// skipped): what a repair must stay above so that no seq is ever issued twice.
pub fn max_seq_anywhere(buf: &[u8]) -> Option<u64> {
    let mut best = None;
    let mut p = 0;
    while p + FRAME_HEADER_LEN + 17 <= buf.len() {
        let rest = &buf[p..];
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if len >= 17
            && len <= rest.len() - FRAME_HEADER_LEN
            && is_record_format(rest[8])
            && let FrameAt::Ok { payload, next } = frame_at(buf, p)
        {
            if let Ok((seq, _)) = Record::peek(payload) {
                best = best.max(Some(seq));
            }
            p = next;
            continue;
        }
        p += 1;
    }
    best
}

/// Decides whether the bad bytes at `pos` are a torn tail or corruption: corruption if any
/// later offset holds a verifying frame whose seq is at or after `expected_seq`.
fn classify(buf: &[u8], pos: usize, expected_seq: u64, reason: &str) -> ScanEnd {
    let later_valid = (pos + 1..buf.len().saturating_sub(FRAME_HEADER_LEN)).any(|p| {
        // Cheap filters first: plausible length, record format byte, seq in range.
        let rest = &buf[p..];
        if rest.len() < FRAME_HEADER_LEN + 17 {
            return false;
        }
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if len < 17 || len > rest.len() - FRAME_HEADER_LEN || !is_record_format(rest[8]) {
            return false;
        }
        let seq = u64::from_le_bytes(rest[9..17].try_into().unwrap_or_default());
        if seq < expected_seq || seq > expected_seq.saturating_add(1 << 24) {
            return false;
        }
        matches!(frame_at(buf, p), FrameAt::Ok { .. })
    });
    if later_valid {
        ScanEnd::Corrupt {
            offset: pos as u64,
            reason: reason.to_string(),
        }
    } else {
        ScanEnd::Torn {
            offset: pos as u64,
            reason: reason.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::command::{Body, ObjectData, ObjectOp, Op};
    use std::sync::Arc;

    fn record(seq: u64) -> Vec<u8> {
        let op = Op::Object(ObjectOp::Put {
            ns: "ns".into(),
            id: format!("id-{seq}").into(),
            data: Arc::new(ObjectData::new(
                "t".into(),
                Body::from_json(format!("{{\"n\":{seq}}}")).unwrap(),
            )),
        });
        let mut out = Vec::new();
        Record::encode_into(seq, 1000 + seq as i64, &[op], &mut out).unwrap();
        out
    }

    fn log(n: u64) -> (Vec<u8>, Vec<usize>) {
        let mut buf = Vec::new();
        let mut starts = Vec::new();
        for seq in 1..=n {
            starts.push(buf.len());
            encode_frame(&record(seq), &mut buf);
        }
        (buf, starts)
    }

    fn seqs(buf: &[u8]) -> (Vec<u64>, ScanEnd) {
        let mut seen = Vec::new();
        let end = scan::<()>(buf, 0, 1, |_, p| {
            seen.push(Record::decode(p).unwrap().seq);
            Ok(())
        })
        .unwrap();
        (seen, end)
    }

    #[test]
    fn round_trip_and_clean_end_with_preallocated_zeros() {
        let (mut buf, _) = log(5);
        let end = buf.len() as u64;
        assert_eq!(
            seqs(&buf),
            (vec![1, 2, 3, 4, 5], ScanEnd::Clean { offset: end })
        );
        buf.extend_from_slice(&[0u8; 4096]);
        assert_eq!(
            seqs(&buf),
            (vec![1, 2, 3, 4, 5], ScanEnd::Clean { offset: end })
        );
    }

    #[test]
    fn torn_tail_at_every_byte_of_the_last_frame() {
        let (buf, starts) = log(4);
        let last = starts[3];
        for cut in last + 1..buf.len() {
            let (seen, end) = seqs(&buf[..cut]);
            assert_eq!(seen, vec![1, 2, 3], "cut at {cut}");
            assert!(
                matches!(end, ScanEnd::Torn { offset, .. } if offset == last as u64),
                "cut at {cut}: {end:?}"
            );
            // The same with zeros after the cut (a torn write into preallocated space).
            let mut padded = buf[..cut].to_vec();
            padded.resize(buf.len() + 512, 0);
            let (seen, end) = seqs(&padded);
            if buf[cut..].iter().all(|b| *b == 0) {
                // The cut bytes were zeros anyway: the frame is intact.
                assert_eq!(seen, vec![1, 2, 3, 4]);
                continue;
            }
            assert_eq!(seen, vec![1, 2, 3]);
            assert!(
                matches!(end, ScanEnd::Torn { offset, .. } | ScanEnd::Clean { offset } if offset == last as u64),
                "padded cut at {cut}: {end:?}"
            );
        }
    }

    #[test]
    fn garbage_appended_is_a_torn_tail() {
        let (mut buf, _) = log(3);
        let end = buf.len() as u64;
        buf.extend_from_slice(b"\x13\x00\x00\x00garbage that is not a frame at all");
        let (seen, scan_end) = seqs(&buf);
        assert_eq!(seen, vec![1, 2, 3]);
        assert!(matches!(scan_end, ScanEnd::Torn { offset, .. } if offset == end));
    }

    #[test]
    fn bit_flip_mid_log_is_corruption() {
        let (buf, starts) = log(6);
        for byte in [
            starts[2],
            starts[2] + 3,
            starts[2] + 5,
            starts[2] + 12,
            starts[3] - 1,
        ] {
            let mut bad = buf.clone();
            bad[byte] ^= 0x10;
            let (seen, end) = seqs(&bad);
            assert_eq!(seen, vec![1, 2], "flip at {byte}");
            assert!(
                matches!(end, ScanEnd::Corrupt { offset, .. } if offset == starts[2] as u64),
                "flip at {byte}: {end:?}"
            );
        }
    }

    proptest::proptest! {
        /// Any bytes either decode or yield a typed verdict: the scan never panics.
        #[test]
        fn scan_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096), start in 0usize..64) {
            let _ = scan::<()>(&bytes, start.min(bytes.len()), 1, |_, p| {
                let _ = Record::decode(p);
                Ok(())
            });
            let _ = max_seq_anywhere(&bytes);
        }

        /// A valid log with one byte changed never yields a record that was not written.
        #[test]
        fn damage_never_invents_records(n in 1u64..20, at in 0usize..10_000, flip in 1u8..=255) {
            let (mut buf, _) = log(n);
            let at = at % buf.len();
            buf[at] ^= flip;
            let mut seen = Vec::new();
            let _ = scan::<()>(&buf, 0, 1, |_, p| {
                if let Ok(r) = Record::decode(p) {
                    seen.push(r.seq);
                }
                Ok(())
            });
            proptest::prop_assert!(seen.iter().enumerate().all(|(i, s)| *s == i as u64 + 1));
        }
    }

    #[test]
    fn crc_mismatch_is_reported() {
        let (mut buf, _) = log(1);
        let n = buf.len();
        buf[n - 1] ^= 1;
        assert!(matches!(frame_at(&buf, 0), FrameAt::Bad(r) if r.contains("checksum")));
    }
}
