//! Which snapshots a retention policy keeps: restic's `forget` rules, decided by a pure function
//! over the snapshots' times and tags, so that a plan can be shown before anything is removed
//! (`--dry-run`) and tested against a fixed clock.
//!
//! Rules (each snapshot kept by any rule is kept, and the plan says by which):
//! - `last N`: the N newest snapshots;
//! - `hourly N`, `daily N`, `weekly N`, `monthly N`, `yearly N`: for each of the last N hours
//!   (days, ISO weeks, months, years) that have snapshots, the newest snapshot of that period.
//!   Periods are counted in UTC, newest first; a period without snapshots does not count;
//! - `within D`: every snapshot taken within D of the newest one;
//! - `tag T`: every snapshot carrying the tag T.
//!
//! Beyond the rules, a plan never removes the newest snapshot, nor one listed as `pinned` (a
//! restore in progress needs it, or it is not the policy's to remove). An empty policy keeps
//! everything: removing snapshots always takes a rule that says which to keep.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;

/// How many snapshots of each kind to keep. All zero/empty: keep everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The N newest.
    pub last: usize,
    /// The newest of each of the last N hours with snapshots.
    pub hourly: usize,
    /// The newest of each of the last N days with snapshots.
    pub daily: usize,
    /// The newest of each of the last N ISO weeks with snapshots.
    pub weekly: usize,
    /// The newest of each of the last N months with snapshots.
    pub monthly: usize,
    /// The newest of each of the last N years with snapshots.
    pub yearly: usize,
    /// Every snapshot taken within this of the newest.
    pub within: Option<Duration>,
    /// Every snapshot with one of these tags.
    pub tags: BTreeSet<String>,
}

impl Policy {
    /// Whether the policy names no rule (and so keeps everything).
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }
}

/// One snapshot as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// `snap-<ULID>`.
    pub id: String,
    /// When it was taken (ms since the epoch).
    pub created_ms: i64,
    /// Its tags.
    pub tags: BTreeSet<String>,
    /// Kept whatever the rules say (a restore needs it, or it is not the policy's to remove).
    pub pinned: bool,
}

/// What happens to one snapshot, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// `snap-<ULID>`.
    pub snapshot_id: String,
    /// Whether it is kept.
    pub keep: bool,
    /// The rules that keep it (`last 3`, `daily 7`, `newest`, `pinned`, …); empty when removed.
    pub reasons: Vec<String>,
}

/// The period a time falls in, as a comparable key (year, then what the rule counts).
type PeriodOf = fn(DateTime<Utc>) -> (i32, u32, u32, u32);

/// The rules that keep each candidate, newest first.
pub fn plan(policy: &Policy, candidates: &[Candidate]) -> Vec<Decision> {
    let mut order: Vec<&Candidate> = candidates.iter().collect();
    order.sort_by(|a, b| (b.created_ms, &b.id).cmp(&(a.created_ms, &a.id)));
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); order.len()];
    let keep_all = policy.is_empty();
    for (i, c) in order.iter().enumerate() {
        if i == 0 {
            reasons[i].push("newest".into());
        }
        if c.pinned {
            reasons[i].push("pinned".into());
        }
        if keep_all {
            reasons[i].push("no policy".into());
        }
        if i < policy.last {
            reasons[i].push(format!("last {}", policy.last));
        }
        if let Some(t) = c.tags.iter().find(|t| policy.tags.contains(*t)) {
            reasons[i].push(format!("tag {t}"));
        }
    }
    if let (Some(within), Some(newest)) = (policy.within, order.first()) {
        let floor = newest.created_ms - i64::try_from(within.as_millis()).unwrap_or(i64::MAX);
        for (i, c) in order.iter().enumerate() {
            if c.created_ms >= floor {
                reasons[i].push(format!("within {}", humantime::format_duration(within)));
            }
        }
    }
    let periods: [(&str, usize, PeriodOf); 5] = [
        ("hourly", policy.hourly, |t| {
            (t.year(), t.ordinal(), t.hour(), 0)
        }),
        ("daily", policy.daily, |t| (t.year(), t.ordinal(), 0, 0)),
        ("weekly", policy.weekly, |t| {
            let w = t.iso_week();
            (w.year(), w.week(), 0, 0)
        }),
        ("monthly", policy.monthly, |t| (t.year(), t.month(), 0, 0)),
        ("yearly", policy.yearly, |t| (t.year(), 0, 0, 0)),
    ];
    for (name, n, period_of) in periods {
        let mut seen = 0;
        let mut last = None;
        for (i, c) in order.iter().enumerate() {
            if seen == n {
                break;
            }
            let at = DateTime::from_timestamp_millis(c.created_ms).unwrap_or_default();
            let p = period_of(at);
            if last != Some(p) {
                last = Some(p);
                seen += 1;
                reasons[i].push(format!("{name} {n}"));
            }
        }
    }
    order
        .iter()
        .zip(reasons)
        .map(|(c, reasons)| Decision {
            snapshot_id: c.id.clone(),
            keep: !reasons.is_empty(),
            reasons,
        })
        .collect()
}

#[cfg(test)]
mod tests;
