//! Reads committed frames from the local WAL files, in seq order, from a seq on: the bytes as
//! the commit thread wrote them (sealed frames stay sealed; only each frame's plaintext prefix,
//! its seq and time, is read). The commit path is not involved: a frame whose seq is published
//! ([`crate::store::Engine::view`]) is complete in its file.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::store::Record;
use crate::store::error::StoreError;
use crate::store::wal::frame::{self, FrameAt};
use crate::store::wal::segment::{self, HEADER_LEN, SegmentHeader};

/// Bytes read from a segment at a time (doubled while one frame does not fit).
const READ_BLOCK: usize = 1024 * 1024;

/// Consecutive frames of one segment.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// Seq of the first frame.
    pub first_seq: u64,
    /// Seq of the last frame.
    pub last_seq: u64,
    /// Commit time (ms) of the first frame.
    pub first_ts_ms: i64,
    /// Key id of the segment's header (0: plaintext).
    pub key_id: u32,
    /// The frames, byte for byte.
    pub frames: Vec<u8>,
}

impl Chunk {
    /// The chunk as a WAL segment file of its own: a header naming its first seq and key,
    /// then the frames. This is the format of a WAL piece in a backup location.
    pub fn to_segment(&self, created_ms: i64) -> Vec<u8> {
        let header = SegmentHeader {
            first_seq: self.first_seq,
            created_ms,
            key_id: self.key_id,
        };
        let mut out = Vec::with_capacity(HEADER_LEN + self.frames.len());
        out.extend_from_slice(&header.encode());
        out.extend_from_slice(&self.frames);
        out
    }
}

/// Why the log cannot be followed from where the tail is.
#[derive(Debug, thiserror::Error)]
pub enum TailError {
    /// The seq wanted is no longer (or not) in the local WAL: trimmed, or the log jumps.
    #[error("the local WAL does not continue at seq {expected}: {why}")]
    Gap {
        /// The seq wanted.
        expected: u64,
        /// What was found.
        why: String,
    },
    /// A file could not be read, or a frame does not verify.
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Open {
    path: PathBuf,
    file: File,
    header: SegmentHeader,
    /// Offset of the next frame to read.
    offset: u64,
}

/// A reader of the log from a seq on.
pub struct WalTail {
    wal_dir: PathBuf,
    next_seq: u64,
    open: Option<Open>,
}

impl WalTail {
    /// A tail of the WAL in `wal_dir` whose next frame is `next_seq`.
    pub fn new(wal_dir: &Path, next_seq: u64) -> WalTail {
        WalTail {
            wal_dir: wal_dir.to_path_buf(),
            next_seq,
            open: None,
        }
    }

    /// The seq of the next frame [`WalTail::read`] returns.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    fn open_segment(&mut self, exact: bool) -> Result<bool, TailError> {
        let segs = segment::list_segments(&self.wal_dir)?;
        let found = if exact {
            segs.iter().find(|s| s.first_seq == self.next_seq)
        } else {
            segs.iter().rev().find(|s| s.first_seq <= self.next_seq)
        };
        let Some(seg) = found else {
            if exact {
                if let Some(s) = segs.iter().find(|s| s.first_seq > self.next_seq) {
                    return Err(TailError::Gap {
                        expected: self.next_seq,
                        why: format!("the next segment starts at seq {}", s.first_seq),
                    });
                }
                return Ok(false); // not written yet
            }
            return Err(TailError::Gap {
                expected: self.next_seq,
                why: match segs.first() {
                    Some(s) => format!("the oldest segment starts at seq {}", s.first_seq),
                    None => "there are no segments".into(),
                },
            });
        };
        let file = File::open(&seg.path).map_err(|e| StoreError::io("open", &seg.path, e))?;
        let mut head = [0u8; HEADER_LEN];
        file.read_exact_at(&mut head, 0)
            .map_err(|e| StoreError::io("read", &seg.path, e))?;
        let header = SegmentHeader::decode(&head, &seg.path)?;
        self.open = Some(Open {
            path: seg.path.clone(),
            file,
            header,
            offset: HEADER_LEN as u64,
        });
        Ok(true)
    }

    /// The frames from the next seq up to `upto` (inclusive), at most about `max_bytes` (at
    /// least one frame), all from one segment; `None` when there is nothing up to `upto` yet.
    /// Frames below the next seq (the start of a segment) are skipped.
    ///
    /// # Errors
    /// [`TailError::Gap`] when the log does not continue at the next seq; read errors and
    /// frames that do not verify.
    pub fn read(&mut self, upto: u64, max_bytes: usize) -> Result<Option<Chunk>, TailError> {
        if self.next_seq > upto {
            return Ok(None);
        }
        if self.open.is_none() && !self.open_segment(false)? {
            return Ok(None);
        }
        let mut chunk: Option<Chunk> = None;
        let mut block = READ_BLOCK;
        loop {
            let Some(open) = self.open.as_mut() else {
                return Ok(chunk);
            };
            let mut buf = vec![0u8; block];
            let n = read_at_most(&open.file, &mut buf, open.offset, &open.path)?;
            buf.truncate(n);
            let mut pos = 0;
            let mut progressed = false;
            let at_end = loop {
                match frame::frame_at(&buf, pos) {
                    FrameAt::Ok { payload, next } => {
                        let (seq, ts) =
                            Record::peek(payload).map_err(|reason| StoreError::Corrupt {
                                path: open.path.clone(),
                                offset: open.offset + pos as u64,
                                reason,
                            })?;
                        if seq < self.next_seq {
                            pos = next;
                            progressed = true;
                            continue;
                        }
                        if seq != self.next_seq {
                            return Err(TailError::Gap {
                                expected: self.next_seq,
                                why: format!("{} holds seq {seq} next", open.path.display()),
                            });
                        }
                        if seq > upto {
                            open.offset += pos as u64;
                            return Ok(chunk);
                        }
                        let c = chunk.get_or_insert_with(|| Chunk {
                            first_seq: seq,
                            last_seq: seq,
                            first_ts_ms: ts,
                            key_id: open.header.key_id,
                            frames: Vec::new(),
                        });
                        c.last_seq = seq;
                        c.frames.extend_from_slice(&buf[pos..next]);
                        self.next_seq = seq + 1;
                        pos = next;
                        progressed = true;
                        if c.frames.len() >= max_bytes || seq == upto {
                            open.offset += pos as u64;
                            return Ok(chunk);
                        }
                    }
                    // A buffer cut inside a frame header may look like zeros or too short:
                    // the end only when the file had no more to read.
                    FrameAt::Zero if n < block || buf.len() - pos >= frame::FRAME_HEADER_LEN => {
                        break true;
                    }
                    FrameAt::Zero | FrameAt::Short if n == block => break false,
                    FrameAt::Zero | FrameAt::Short => break true,
                    FrameAt::Bad(reason) => {
                        return Err(StoreError::Corrupt {
                            path: open.path.clone(),
                            offset: open.offset + pos as u64,
                            reason,
                        }
                        .into());
                    }
                }
            };
            open.offset += pos as u64;
            if !at_end {
                // A frame larger than what was read: read again from it, more at once.
                if !progressed {
                    block *= 2;
                }
                continue;
            }
            // The written end of this segment: the next seq is in the next one.
            if chunk.is_some() {
                return Ok(chunk);
            }
            self.open = None;
            if !self.open_segment(true)? {
                return Ok(None);
            }
        }
    }
}

fn read_at_most(
    file: &File,
    buf: &mut [u8],
    offset: u64,
    path: &Path,
) -> Result<usize, StoreError> {
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StoreError::io("read", path, e)),
        }
    }
    Ok(n)
}
