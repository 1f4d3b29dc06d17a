//! When a watch stream may write: at most once per *slot*, each stream in its own phase of the
//! slot, with the slot's length following the load.
//!
//! A stream whose last write is a slot or more ago writes at once; a busy one collects what
//! comes meanwhile and writes it at the start of its next slot, so a thousand watchers of a fast
//! writer cost a thousand writes per slot, not per commit. The phases are spread evenly over the
//! slot (a golden-ratio sequence over the streams opened): were every stream's next write timed
//! from its previous one, a stall would line them all up, and from then on all of them would
//! wake in the same millisecond, queueing each write behind a thousand others.
//!
//! The slot's length follows the number of open streams ([`Pace`]): writes are what a watch
//! stream costs (most of it in the kernel, on the server's side and the reader's), so the slot
//! keeps the writes of all streams together within a budget per second and core. Past that budget a
//! two-core server saturates, and then every event waits in queues far longer than the slot.
//! On the 2-core machine of the benchmark, 1,000 streams following 1,000 commits/s (the load
//! generator on the same machine) got their events within, at p99: 18 ms with a 17 ms slot
//! (the server 0.89 core), 12.2-13.5 ms with an 11 ms one (0.92-0.95 core), 9.8-11.7 ms with an
//! 8 ms one (1.01 cores, the machine 18% idle), and 10-15 ms, varying from run to run, with a
//! 5 ms one: the knee. The default, 11 ms there, keeps clear of it. A few streams get a short
//! slot, so they see events sooner; an operator may fix the slot instead ([`Pace::new`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// The shortest slot, however few the streams.
const MIN_SLOT: Duration = Duration::from_millis(2);
/// The longest slot, however many the streams.
const MAX_SLOT: Duration = Duration::from_millis(50);
/// The slot grows by this much per open stream on one core (divided by the cores there are): a
/// budget of about 45,000 writes per second and core.
const PER_STREAM_ONE_CORE: Duration = Duration::from_micros(22);

/// The slot length shared by a server's watch streams.
pub struct Pace {
    epoch: Instant,
    /// What each open stream adds to the slot.
    per_stream: Duration,
    /// The slot, whatever the streams, when the operator chose one.
    fixed: Option<Duration>,
    /// Streams open now.
    open: AtomicU64,
    /// Streams opened so far, numbering their phases.
    opened: AtomicU64,
}

impl Default for Pace {
    /// Paced for the cores this process may use.
    fn default() -> Self {
        Pace::for_cores(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

impl Pace {
    fn for_cores(cores: usize) -> Self {
        let cores = u32::try_from(cores.max(1)).unwrap_or(u32::MAX);
        Pace {
            epoch: Instant::now(),
            per_stream: PER_STREAM_ONE_CORE / cores,
            fixed: None,
            open: AtomicU64::new(0),
            opened: AtomicU64::new(0),
        }
    }

    /// A slot of `fixed` however many streams are open, or with `None` one following the load,
    /// as [`Pace::default`].
    pub fn new(fixed: Option<Duration>) -> Self {
        Pace {
            fixed,
            ..Pace::default()
        }
    }

    /// The current slot length.
    pub fn slot(&self) -> Duration {
        if let Some(slot) = self.fixed {
            return slot;
        }
        let open = u32::try_from(self.open.load(Ordering::Relaxed)).unwrap_or(u32::MAX);
        self.per_stream
            .saturating_mul(open)
            .clamp(MIN_SLOT, MAX_SLOT)
    }

    /// A pacer for a new stream, in the next phase of the sequence; the stream counts as open
    /// until [`Pace::closed`].
    pub(super) fn opened(&self) -> Pacer {
        self.open.fetch_add(1, Ordering::Relaxed);
        let n = self.opened.fetch_add(1, Ordering::Relaxed);
        Pacer {
            phase: golden(n),
            due: None,
        }
    }

    /// A stream from [`Pace::opened`] ended.
    pub fn closed(&self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The `n`th point of the golden-ratio sequence, as a fraction of 2^32: any run of consecutive
/// points is spread nearly evenly over `[0, 1)`.
fn golden(n: u64) -> u32 {
    const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15; // 2^64 / φ
    (n.wrapping_mul(GOLDEN) >> 32) as u32
}

/// One stream's schedule.
pub(super) struct Pacer {
    /// Where in each slot this stream writes, as a fraction of 2^32 of the slot.
    phase: u32,
    /// The start of the stream's next slot; `None` until its first write.
    due: Option<Instant>,
}

impl Pacer {
    /// When the stream may write next: `None` for now, else the start of its next slot.
    pub(super) fn wait_until(&self, now: Instant) -> Option<Instant> {
        self.due.filter(|&due| due > now)
    }

    /// Notes a write at `now` and schedules the next slot, as long as `pace`'s is now.
    pub(super) fn wrote(&mut self, pace: &Pace, now: Instant) {
        self.schedule(pace.epoch, now, pace.slot());
    }

    /// Schedules the next slot, `slot` long, after a write at `now`; phases count from `epoch`.
    fn schedule(&mut self, epoch: Instant, now: Instant, slot: Duration) {
        self.due = Some(match self.due {
            // On time or a little late: the next slot follows this one, keeping the phase.
            Some(due) if now < due + slot / 2 => due + slot,
            // The first write, or the first after a quiet time: back to this stream's phase, at
            // least half a slot ahead.
            _ => {
                let slot_ns = u64::try_from(slot.as_nanos()).unwrap_or(u64::MAX).max(1);
                let offset = (u128::from(self.phase) * u128::from(slot_ns)) >> 32;
                let since =
                    now.saturating_duration_since(epoch).as_nanos() + u128::from(slot_ns / 2);
                let k = since.saturating_sub(offset).div_ceil(u128::from(slot_ns));
                let at = u64::try_from(offset + k * u128::from(slot_ns)).unwrap_or(u64::MAX);
                epoch + Duration::from_nanos(at)
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn pacer(phase: u32) -> Pacer {
        Pacer { phase, due: None }
    }

    #[test]
    fn first_write_goes_out_at_once_and_then_one_per_slot() {
        let pace = Pace::default();
        let t0 = pace.epoch;
        // A phase of a quarter: this stream's slots start at 2.5 ms, 12.5 ms, ...
        let mut p = pacer(1 << 30);
        assert_eq!(p.wait_until(t0 + 4 * MS), None);
        p.schedule(pace.epoch, t0 + 4 * MS, 10 * MS);
        // At least half a slot ahead, in phase.
        let due = t0 + 12 * MS + MS / 2;
        assert_eq!(p.wait_until(t0 + 5 * MS), Some(due));
        assert_eq!(p.wait_until(due), None);
        // Late by a millisecond: the next slot keeps the phase.
        p.schedule(pace.epoch, due + MS, 10 * MS);
        assert_eq!(p.wait_until(due + 2 * MS), Some(due + 10 * MS));
        // After a quiet time, the next write goes out at once, and the one after in phase.
        assert_eq!(p.wait_until(t0 + 100 * MS), None);
        p.schedule(pace.epoch, t0 + 100 * MS, 10 * MS);
        assert_eq!(p.wait_until(t0 + 101 * MS), Some(t0 + 112 * MS + MS / 2));
    }

    #[test]
    fn phases_of_consecutive_streams_spread_over_the_slot() {
        // Any 100 consecutive streams: every tenth of the slot has some, none has most.
        let mut per_tenth = [0u32; 10];
        for n in 500..600 {
            per_tenth[((u64::from(golden(n)) * 10) >> 32) as usize] += 1;
        }
        assert!(
            per_tenth.iter().all(|&c| (5..=15).contains(&c)),
            "{per_tenth:?}"
        );
    }

    #[test]
    fn slot_follows_the_open_streams_and_the_cores_within_bounds() {
        let pace = Pace::for_cores(2);
        assert_eq!(pace.slot(), MIN_SLOT);
        let pacers: Vec<_> = (0..1000).map(|_| pace.opened()).collect();
        assert_eq!(pace.slot(), Duration::from_millis(11));
        for _ in 0..900 {
            pace.closed();
        }
        assert_eq!(pace.slot(), MIN_SLOT);
        let more: Vec<_> = (0..10_000).map(|_| pace.opened()).collect();
        assert_eq!(pace.slot(), MAX_SLOT);
        // Each stream got its own phase.
        assert_ne!(pacers[0].phase, more[0].phase);
        // Twice the cores, twice the writes: half the slot.
        let wide = Pace::for_cores(4);
        let _streams: Vec<_> = (0..1000).map(|_| wide.opened()).collect();
        assert_eq!(wide.slot(), Duration::from_micros(5_500));
    }

    #[test]
    fn a_fixed_slot_ignores_the_streams() {
        let pace = Pace::new(Some(Duration::from_millis(7)));
        assert_eq!(pace.slot(), Duration::from_millis(7));
        let _streams: Vec<_> = (0..5000).map(|_| pace.opened()).collect();
        assert_eq!(pace.slot(), Duration::from_millis(7));
        assert_eq!(Pace::new(None).slot(), MIN_SLOT);
    }
}
