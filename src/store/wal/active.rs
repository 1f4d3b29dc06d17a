//! The segment being appended to: positioned writes at the logical end, zero-filled
//! preallocation ahead of the data (so a sync after an append rarely allocates blocks),
//! rollover to a new segment, and the sync itself. Every segment it creates carries the key id
//! of the records the writer seals into it (0: plaintext).

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::segment::{self, HEADER_LEN, SegmentHeader};
use crate::store::error::{Result, StoreError};
use crate::store::options::FaultHook;

/// Preallocation step (capped by the segment size).
const PREALLOC_CHUNK: u64 = 4 * 1024 * 1024;

/// The open tail segment of the log.
#[derive(Debug)]
pub struct ActiveSegment {
    wal_dir: PathBuf,
    file: File,
    path: PathBuf,
    /// Logical end: where the next frame goes.
    end: u64,
    /// Bytes of the file already written (data or zero fill).
    allocated: u64,
    segment_size: u64,
    key_id: u32,
    zeros: Vec<u8>,
    fault: Option<Arc<dyn FaultHook>>,
}

impl ActiveSegment {
    /// Reopens an existing segment whose written frames end at `end`, sealed with `key_id`.
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn reopen(
        wal_dir: &Path,
        path: &Path,
        key_id: u32,
        end: u64,
        segment_size: u64,
        fault: Option<Arc<dyn FaultHook>>,
    ) -> Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| StoreError::io("open", path, e))?;
        let allocated = file
            .metadata()
            .map_err(|e| StoreError::io("stat", path, e))?
            .len()
            .max(end);
        Ok(ActiveSegment {
            wal_dir: wal_dir.to_path_buf(),
            file,
            path: path.to_path_buf(),
            end,
            allocated,
            segment_size,
            key_id,
            zeros: Vec::new(),
            fault,
        })
    }

    /// Creates a new segment whose first record will be `first_seq`, for records sealed with
    /// `key_id` (0: plaintext). `replace` atomically replaces an existing segment of that name
    /// (only ever one that holds no record).
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn create(
        wal_dir: &Path,
        first_seq: u64,
        key_id: u32,
        created_ms: i64,
        segment_size: u64,
        fault: Option<Arc<dyn FaultHook>>,
        replace: bool,
    ) -> Result<Self> {
        let header = SegmentHeader {
            first_seq,
            created_ms,
            key_id,
        };
        let (file, path) = segment::create_segment(wal_dir, header, replace)?;
        Ok(ActiveSegment {
            wal_dir: wal_dir.to_path_buf(),
            file,
            path,
            end: HEADER_LEN as u64,
            allocated: HEADER_LEN as u64,
            segment_size,
            key_id,
            zeros: Vec::new(),
            fault,
        })
    }

    /// The segment's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Id of the key its records are sealed with (0: plaintext).
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Logical end.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Whether the next batch should go to a new segment.
    pub fn is_full(&self) -> bool {
        self.end >= self.segment_size && self.end > HEADER_LEN as u64
    }

    /// Closes this segment (dropping its unused preallocated space) and starts the next one.
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn roll(&mut self, first_seq: u64, created_ms: i64) -> Result<()> {
        self.file
            .set_len(self.end)
            .and_then(|_| self.file.sync_all())
            .map_err(|e| StoreError::io("truncate", &self.path, e))?;
        let next = ActiveSegment::create(
            &self.wal_dir,
            first_seq,
            self.key_id,
            created_ms,
            self.segment_size,
            self.fault.clone(),
            false,
        )?;
        *self = next;
        Ok(())
    }

    /// Writes `frames` at the logical end (not yet synced).
    ///
    /// # Errors
    /// I/O errors naming the file; the caller must poison the engine.
    pub fn append(&mut self, frames: &[u8]) -> Result<()> {
        let need = self.end + frames.len() as u64;
        if need > self.allocated {
            let chunk = PREALLOC_CHUNK.min(self.segment_size.max(64 * 1024));
            let target = need.max(self.allocated + chunk);
            let len = (target - need) as usize;
            if self.zeros.len() < len {
                self.zeros.resize(len, 0);
            }
            self.file
                .write_all_at(&self.zeros[..len], need)
                .map_err(|e| StoreError::io("preallocate", &self.path, e))?;
            self.allocated = target;
        }
        if let Some(f) = &self.fault {
            f.before_write(&self.path)
                .map_err(|e| StoreError::io("write", &self.path, e))?;
        }
        self.file
            .write_all_at(frames, self.end)
            .map_err(|e| StoreError::io("write", &self.path, e))?;
        self.end = need;
        Ok(())
    }

    /// Makes everything appended durable (`fdatasync`).
    ///
    /// # Errors
    /// I/O errors naming the file; the caller must poison the engine.
    pub fn sync(&mut self) -> Result<()> {
        if let Some(f) = &self.fault {
            f.before_sync(&self.path)
                .map_err(|e| StoreError::io("fsync", &self.path, e))?;
        }
        self.file
            .sync_data()
            .map_err(|e| StoreError::io("fsync", &self.path, e))
    }
}
