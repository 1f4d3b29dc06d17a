//! Restart timing: the capped exponential delay with jitter, and the start limit (N starts
//! within a window). Pure functions over the spec, so they are tested without processes.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::config::ProcessSpec;

/// Jitter added to a delay: up to this fraction of it.
const JITTER: f64 = 0.1;

/// The delay before restart number `failures` (1 for the first restart after a healthy run):
/// `restart_delay × 2^(failures-1)`, capped at `max_restart_delay`, plus up to 10% jitter
/// (`unit` is a random number in [0, 1)) so restarts of many processes spread out.
pub fn delay(spec: &ProcessSpec, failures: u32, unit: f64) -> Duration {
    let exp = failures.saturating_sub(1).min(30);
    let base = spec
        .restart_delay
        .saturating_mul(1u32 << exp)
        .min(spec.max_restart_delay.max(spec.restart_delay));
    base + base.mul_f64(JITTER * unit.clamp(0.0, 1.0))
}

/// A random number in [0, 1).
pub fn random_unit() -> f64 {
    let n = getrandom::u64().unwrap_or(0) >> 11;
    n as f64 / (1u64 << 53) as f64
}

/// Start times within the window of the start limit.
#[derive(Debug, Default)]
pub struct StartLimit {
    starts: VecDeque<Instant>,
}

impl StartLimit {
    /// Records a start at `now` and returns true, or returns false (recording nothing) when
    /// `limit` starts already happened within `window` before it. A limit of 0 never refuses.
    pub fn allow(&mut self, now: Instant, limit: u32, window: Duration) -> bool {
        while self
            .starts
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.starts.pop_front();
        }
        if limit > 0 && self.starts.len() >= limit as usize {
            return false;
        }
        self.starts.push_back(now);
        true
    }

    /// Forgets every start (a reset by command).
    pub fn reset(&mut self) {
        self.starts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_up_to_the_cap_with_bounded_jitter() {
        let mut spec = ProcessSpec::command("x", vec![]);
        spec.restart_delay = Duration::from_millis(100);
        spec.max_restart_delay = Duration::from_millis(1000);
        let d: Vec<u128> = (1..=6).map(|n| delay(&spec, n, 0.0).as_millis()).collect();
        assert_eq!(d, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(delay(&spec, 0, 0.0).as_millis(), 100);
        let j = delay(&spec, 1, 0.999);
        assert!(j > Duration::from_millis(100) && j < Duration::from_millis(111));
        assert_eq!(delay(&spec, 1000, 0.0).as_millis(), 1000);
        let u = random_unit();
        assert!((0.0..1.0).contains(&u));
    }

    #[test]
    fn the_start_limit_counts_starts_within_the_window() {
        let mut l = StartLimit::default();
        let t = Instant::now();
        let w = Duration::from_secs(10);
        assert!(l.allow(t, 3, w));
        assert!(l.allow(t + Duration::from_secs(1), 3, w));
        assert!(l.allow(t + Duration::from_secs(2), 3, w));
        assert!(!l.allow(t + Duration::from_secs(3), 3, w));
        // The first start left the window.
        assert!(l.allow(t + Duration::from_secs(10), 3, w));
        l.reset();
        assert!(l.allow(t + Duration::from_secs(11), 3, w));
        let mut none = StartLimit::default();
        assert!((0..100).all(|_| none.allow(t, 0, w)));
    }
}
