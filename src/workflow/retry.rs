//! Retry delays: [`delay_ms`] computes how long the n-th automatic retry waits under a
//! [`RetryPolicy`], as upstream's `compute_delay` does.
//!
//! With `b = backoff_factor`, `e = exponent` and `n ≥ 1` the retry number, the base is
//! `b·e^(n-1)` (EXPONENTIAL), `b·n` (LINEAR) or `b` (FIXED). FULL_JITTER draws `U(0, base)`,
//! EQUAL_JITTER `base/2 + U(0, base/2)`; the result is truncated to whole milliseconds and
//! then capped by `max_delay`. Arithmetic saturates at `u64::MAX` (no overflow for large n).
//! Randomness comes from the caller, so the function stays pure and testable.

use super::model::{RetryPolicy, RetryStrategy};

/// The delay in milliseconds before retry number `attempt` (1 = the first retry; 0 is taken
/// as 1). `rng` returns uniform values in `[0, 1)`; values outside are clamped into range.
/// It is only called by the jitter strategies, once per call.
pub fn delay_ms(policy: &RetryPolicy, attempt: u32, rng: &mut impl FnMut() -> f64) -> u64 {
    let n = attempt.max(1);
    let b = policy.backoff_factor;
    let exponential = || b.saturating_mul(u64::from(policy.exponent).saturating_pow(n - 1));
    let linear = || b.saturating_mul(u64::from(n));
    use RetryStrategy::*;
    let delay = match policy.strategy {
        Exponential => exponential(),
        Linear => linear(),
        Fixed => b,
        ExponentialFullJitter => full_jitter(exponential(), rng),
        LinearFullJitter => full_jitter(linear(), rng),
        FixedFullJitter => full_jitter(b, rng),
        ExponentialEqualJitter => equal_jitter(exponential(), rng),
        LinearEqualJitter => equal_jitter(linear(), rng),
        FixedEqualJitter => equal_jitter(b, rng),
    };
    match policy.max_delay {
        Some(cap) => delay.min(cap),
        None => delay,
    }
}

fn unit(rng: &mut impl FnMut() -> f64) -> f64 {
    let r = rng();
    if r.is_nan() { 0.0 } else { r.clamp(0.0, 1.0) }
}

/// `U(0, base)`, truncated (`as` saturates for huge bases).
fn full_jitter(base: u64, rng: &mut impl FnMut() -> f64) -> u64 {
    ((base as f64) * unit(rng)) as u64
}

/// `base/2 + U(0, base/2)`, truncated.
fn equal_jitter(base: u64, rng: &mut impl FnMut() -> f64) -> u64 {
    let half = base as f64 / 2.0;
    (half + half * unit(rng)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(strategy: RetryStrategy) -> RetryPolicy {
        RetryPolicy {
            strategy,
            backoff_factor: 1000,
            exponent: 3,
            ..RetryPolicy::default()
        }
    }

    fn never() -> impl FnMut() -> f64 {
        || panic!("rng called by a strategy without jitter")
    }

    fn fixed(r: f64) -> impl FnMut() -> f64 {
        move || r
    }

    #[test]
    fn defaults_are_2_4_8_seconds() {
        let p = RetryPolicy::default();
        let d: Vec<u64> = (1..=3).map(|n| delay_ms(&p, n, &mut never())).collect();
        assert_eq!(d, [2000, 4000, 8000]);
        assert_eq!(
            delay_ms(&p, 0, &mut never()),
            2000,
            "attempt 0 is taken as 1"
        );
    }

    #[test]
    fn plain_strategies() {
        use RetryStrategy::*;
        let d = |s, n| delay_ms(&policy(s), n, &mut never());
        assert_eq!(
            [d(Exponential, 1), d(Exponential, 2), d(Exponential, 3)],
            [1000, 3000, 9000]
        );
        assert_eq!(
            [d(Linear, 1), d(Linear, 2), d(Linear, 3)],
            [1000, 2000, 3000]
        );
        assert_eq!([d(Fixed, 1), d(Fixed, 2), d(Fixed, 3)], [1000, 1000, 1000]);
    }

    #[test]
    fn full_jitter_strategies() {
        use RetryStrategy::*;
        for (s, base) in [
            (ExponentialFullJitter, 9000),
            (LinearFullJitter, 3000),
            (FixedFullJitter, 1000),
        ] {
            let p = policy(s);
            assert_eq!(delay_ms(&p, 3, &mut fixed(0.0)), 0);
            assert_eq!(delay_ms(&p, 3, &mut fixed(0.5)), base / 2);
            let top = delay_ms(&p, 3, &mut fixed(0.999_999));
            assert!(top < base && top >= base - 1, "{s:?}: {top}");
        }
    }

    #[test]
    fn equal_jitter_strategies() {
        use RetryStrategy::*;
        for (s, base) in [
            (ExponentialEqualJitter, 9000),
            (LinearEqualJitter, 3000),
            (FixedEqualJitter, 1000),
        ] {
            let p = policy(s);
            assert_eq!(delay_ms(&p, 3, &mut fixed(0.0)), base / 2);
            assert_eq!(delay_ms(&p, 3, &mut fixed(0.5)), base * 3 / 4);
            let top = delay_ms(&p, 3, &mut fixed(0.999_999));
            assert!(top < base && top >= base - 1, "{s:?}: {top}");
        }
    }

    #[test]
    fn jitter_stays_in_bounds_for_any_draw() {
        use RetryStrategy::*;
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut rng = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in 1..=6 {
            let base = 1000 * 3u64.pow(n - 1);
            for _ in 0..200 {
                let f = delay_ms(&policy(ExponentialFullJitter), n, &mut rng);
                assert!(f < base);
                let e = delay_ms(&policy(ExponentialEqualJitter), n, &mut rng);
                assert!(e >= base / 2 && e < base);
            }
        }
        // Out-of-range draws are clamped.
        assert_eq!(delay_ms(&policy(FixedFullJitter), 1, &mut fixed(-3.0)), 0);
        assert_eq!(delay_ms(&policy(FixedFullJitter), 1, &mut fixed(7.0)), 1000);
        assert_eq!(
            delay_ms(&policy(FixedFullJitter), 1, &mut fixed(f64::NAN)),
            0
        );
    }

    #[test]
    fn max_delay_caps_every_strategy() {
        use RetryStrategy::*;
        let mut p = policy(Exponential);
        p.max_delay = Some(2500);
        assert_eq!(delay_ms(&p, 1, &mut never()), 1000);
        assert_eq!(delay_ms(&p, 2, &mut never()), 2500);
        assert_eq!(delay_ms(&p, 10, &mut never()), 2500);
        p.strategy = LinearEqualJitter;
        assert_eq!(delay_ms(&p, 5, &mut fixed(0.9)), 2500);
        p.strategy = FixedFullJitter;
        assert_eq!(delay_ms(&p, 5, &mut fixed(0.5)), 500);
    }

    #[test]
    fn huge_attempts_saturate() {
        use RetryStrategy::*;
        let p = policy(Exponential);
        assert_eq!(delay_ms(&p, u32::MAX, &mut never()), u64::MAX);
        assert_eq!(
            delay_ms(&policy(Linear), u32::MAX, &mut never()),
            1000 * u64::from(u32::MAX)
        );
        let big = RetryPolicy {
            backoff_factor: u64::MAX,
            ..policy(Linear)
        };
        assert_eq!(delay_ms(&big, 2, &mut never()), u64::MAX);
        assert_eq!(
            delay_ms(&policy(ExponentialFullJitter), 1000, &mut fixed(0.5)),
            u64::MAX / 2 + 1
        );
        let e = delay_ms(&policy(ExponentialEqualJitter), 1000, &mut fixed(0.999));
        assert!(e > u64::MAX / 2);
        let mut capped = policy(Exponential);
        capped.max_delay = Some(60_000);
        assert_eq!(delay_ms(&capped, 1000, &mut never()), 60_000);
    }
}
