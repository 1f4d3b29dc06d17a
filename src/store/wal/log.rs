//! The WAL as the commit thread's [`Log`]: appends each batch's frames to the active segment
//! (rolling it when full) and syncs per the durability mode. Nobody else appends, so
//! [`Log::begin`] never has commits to hand back.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::store::command::Record;
use crate::store::error::{Result, StoreError};
use crate::store::log::{Log, Tail};
use crate::store::options::{Clock, Durability};
use crate::store::wal::active::ActiveSegment;
use crate::store::wal::frame;
use crate::store::writer::Shared;

/// The embedded engine's log.
pub struct WalLog {
    pub(crate) shared: Arc<Shared>,
    pub(crate) segment: ActiveSegment,
    pub(crate) durability: Durability,
    pub(crate) sync_interval: Duration,
    pub(crate) clock: Clock,
    /// Since when appended frames wait for a sync (`interval` mode).
    pub(crate) dirty_since: Option<Instant>,
}

impl WalLog {
    fn timed_sync(&mut self) -> Result<()> {
        let t = Instant::now();
        self.segment.sync()?;
        self.shared.stats.synced(t.elapsed());
        Ok(())
    }
}

impl Log for WalLog {
    fn begin(&mut self, _applied: u64, _write: bool) -> Result<Tail> {
        Ok(Vec::new())
    }

    fn append(&mut self, buf: &[u8], records: usize) -> Result<()> {
        if self.segment.is_full() {
            // The first record of this batch starts the new segment.
            let first = Record::peek(&buf[frame::FRAME_HEADER_LEN..])
                .map(|(seq, _)| seq)
                .map_err(StoreError::Encoding)?;
            self.segment.roll(first, self.clock.now_ms())?;
            self.shared.active_first_seq.store(first, Ordering::Release);
            self.shared.stats.segment_rolled();
        }
        self.segment.append(buf)?;
        match self.durability {
            Durability::Always => self.timed_sync()?,
            Durability::Interval => {
                let since = *self.dirty_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= self.sync_interval {
                    self.dirty_since = None;
                    self.timed_sync()?;
                }
            }
            Durability::Never => {}
        }
        self.shared.stats.appended(buf.len() as u64, records as u64);
        Ok(())
    }

    fn release(&mut self) {}

    fn idle_wait(&self) -> Duration {
        match (self.durability, self.dirty_since) {
            (Durability::Interval, Some(t)) => self.sync_interval.saturating_sub(t.elapsed()),
            _ => Duration::from_secs(3600),
        }
    }

    fn idle(&mut self, _applied: u64) -> Result<Tail> {
        if self.dirty_since.take().is_some() {
            self.timed_sync()?;
        }
        Ok(Vec::new())
    }

    fn close(&mut self) -> Result<()> {
        self.timed_sync()
    }

    fn failures_poison(&self) -> bool {
        true
    }
}
