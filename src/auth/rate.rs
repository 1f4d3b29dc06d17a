//! [`RateLimiter`]: token buckets keyed by string (a token's `kid:jti`, a namespace), for the
//! `max_qps` claim and server-wide limits.
//!
//! Each key has a bucket holding at most `rate` tokens (at least 1), refilled at `rate` tokens
//! per second; a request takes one token or is refused with the time until one is available.
//! Memory is bounded: a bucket that has been idle long enough to be full again behaves exactly
//! like a new one, so it is dropped; when the limiter still holds `max_keys` buckets, the least
//! recently used tenth of them is dropped to make room. Time is passed in ([`Instant`]), so tests never
//! sleep.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many buckets a limiter keeps by default.
pub const DEFAULT_MAX_KEYS: usize = 100_000;

/// How often, at most, idle buckets are swept when the limiter is not full.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
    /// When the bucket is full again if left alone (it can then be forgotten).
    full_at: Instant,
}

#[derive(Debug)]
struct Inner {
    buckets: HashMap<String, Bucket>,
    last_sweep: Option<Instant>,
}

/// Token buckets keyed by string; shareable between threads (`&self` methods).
#[derive(Debug)]
pub struct RateLimiter {
    inner: Mutex<Inner>,
    max_keys: usize,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(DEFAULT_MAX_KEYS)
    }
}

impl RateLimiter {
    /// A limiter that keeps at most `max_keys` buckets (at least 1).
    pub fn new(max_keys: usize) -> Self {
        RateLimiter {
            inner: Mutex::new(Inner {
                buckets: HashMap::new(),
                last_sweep: None,
            }),
            max_keys: max_keys.max(1),
        }
    }

    /// Takes one token from the bucket of `key`, which refills at `rate` per second and holds
    /// at most `max(rate, 1)` tokens (a new bucket starts full).
    ///
    /// A `rate` that is not a positive finite number refuses nothing.
    ///
    /// # Errors
    /// The time until a token is available (for `Retry-After`) when the bucket is empty.
    pub fn check(&self, key: &str, rate: f64, now: Instant) -> Result<(), Duration> {
        if !(rate.is_finite() && rate > 0.0) {
            return Ok(());
        }
        let capacity = rate.max(1.0);
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.sweep(now, self.max_keys);

        let bucket = match inner.buckets.get_mut(key) {
            Some(bucket) => bucket,
            None => {
                if inner.buckets.len() >= self.max_keys {
                    inner.evict_least_recent(self.max_keys);
                }
                inner.buckets.entry(key.to_owned()).or_insert(Bucket {
                    tokens: capacity,
                    last: now,
                    full_at: now,
                })
            }
        };
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.last = bucket.last.max(now);
        let result = if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        };
        let to_full =
            Duration::try_from_secs_f64((capacity - bucket.tokens) / rate).unwrap_or(Duration::MAX);
        bucket.full_at = bucket
            .last
            .checked_add(to_full)
            .unwrap_or(bucket.last + Duration::from_secs(86_400 * 365));
        result
    }

    /// Number of buckets held.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .buckets
            .len()
    }

    /// True when no bucket is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Inner {
    /// Drops buckets that are full again, when the map is full or every [`SWEEP_EVERY`].
    fn sweep(&mut self, now: Instant, max_keys: usize) {
        let due = self
            .last_sweep
            .is_none_or(|last| now.saturating_duration_since(last) >= SWEEP_EVERY);
        if due || self.buckets.len() >= max_keys {
            self.buckets.retain(|_, bucket| bucket.full_at > now);
            self.last_sweep = Some(now);
        }
    }

    /// Drops the least recently used tenth of `max_keys` buckets (at least one), so a flood of
    /// new keys costs one scan per tenth of the capacity, not one per request.
    fn evict_least_recent(&mut self, max_keys: usize) {
        if self.buckets.is_empty() {
            return;
        }
        let n = (max_keys / 10).clamp(1, self.buckets.len());
        let mut by_age: Vec<(Instant, String)> = self
            .buckets
            .iter()
            .map(|(key, bucket)| (bucket.last, key.clone()))
            .collect();
        by_age.select_nth_unstable_by_key(n - 1, |(last, _)| *last);
        for (_, key) in by_age.into_iter().take(n) {
            self.buckets.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn burst_of_rate_then_refusal_with_retry_after() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(limiter.check("k", 5.0, t0), Ok(()));
        }
        let retry = limiter.check("k", 5.0, t0).unwrap_err();
        assert!(retry > ms(190) && retry <= ms(200), "{retry:?}");
        // One token back after 200 ms, not before.
        assert!(limiter.check("k", 5.0, t0 + ms(150)).is_err());
        assert_eq!(limiter.check("k", 5.0, t0 + ms(200)), Ok(()));
        assert!(limiter.check("k", 5.0, t0 + ms(200)).is_err());
    }

    #[test]
    fn keys_are_independent() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert_eq!(limiter.check("a", 1.0, t0), Ok(()));
        assert!(limiter.check("a", 1.0, t0).is_err());
        assert_eq!(limiter.check("b", 1.0, t0), Ok(()));
    }

    #[test]
    fn fractional_rates_allow_one_request_then_wait() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert_eq!(limiter.check("k", 0.5, t0), Ok(()));
        let retry = limiter.check("k", 0.5, t0).unwrap_err();
        assert_eq!(retry, Duration::from_secs(2));
        assert_eq!(limiter.check("k", 0.5, t0 + Duration::from_secs(2)), Ok(()));
    }

    #[test]
    fn refill_never_exceeds_capacity() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert_eq!(limiter.check("k", 2.0, t0), Ok(()));
        let later = t0 + Duration::from_secs(3600);
        assert_eq!(limiter.check("k", 2.0, later), Ok(()));
        assert_eq!(limiter.check("k", 2.0, later), Ok(()));
        assert!(limiter.check("k", 2.0, later).is_err());
    }

    #[test]
    fn no_rate_means_no_limit() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            for _ in 0..100 {
                assert_eq!(limiter.check("k", rate, t0), Ok(()));
            }
        }
        assert!(limiter.is_empty());
    }

    #[test]
    fn time_going_backwards_does_not_add_tokens() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now() + Duration::from_secs(10);
        assert_eq!(limiter.check("k", 1.0, t0), Ok(()));
        assert!(
            limiter
                .check("k", 1.0, t0 - Duration::from_secs(5))
                .is_err()
        );
        assert!(limiter.check("k", 1.0, t0 + ms(500)).is_err());
        assert_eq!(limiter.check("k", 1.0, t0 + ms(1000)), Ok(()));
    }

    #[test]
    fn idle_buckets_are_swept() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..100 {
            limiter.check(&format!("k{i}"), 10.0, t0).unwrap();
        }
        assert_eq!(limiter.len(), 100);
        // 0.1 s later every bucket is full again; the next sweep (10 s after the first) drops them.
        limiter.check("fresh", 10.0, t0 + SWEEP_EVERY).unwrap();
        assert_eq!(limiter.len(), 1);
    }

    #[test]
    fn memory_is_bounded_and_busy_buckets_survive() {
        let limiter = RateLimiter::new(10);
        let t0 = Instant::now();
        // A bucket that is emptied at once and stays in use: evicting it would refill it.
        limiter.check("busy", 1.0, t0).unwrap();
        for i in 1..1000u64 {
            let now = t0 + ms(i);
            limiter.check(&format!("k{i}"), 1.0, now).unwrap();
            assert!(limiter.len() <= 10, "{} buckets", limiter.len());
            assert!(limiter.check("busy", 1.0, now).is_err(), "at {i} ms");
        }
    }
}
