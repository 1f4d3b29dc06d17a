//! The forget rules against fixed times (UTC).

use std::collections::BTreeSet;
use std::time::Duration;

use super::{Candidate, Policy, plan};

/// A snapshot taken at `at` (RFC 3339), with tags.
fn snap(id: &str, at: &str, tags: &[&str]) -> Candidate {
    Candidate {
        id: id.into(),
        created_ms: chrono::DateTime::parse_from_rfc3339(at)
            .unwrap()
            .timestamp_millis(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        pinned: false,
    }
}

/// `(id, reasons)` of the kept ones, newest first.
fn kept(policy: &Policy, snaps: &[Candidate]) -> Vec<(String, Vec<String>)> {
    plan(policy, snaps)
        .into_iter()
        .filter(|d| d.keep)
        .map(|d| (d.snapshot_id, d.reasons))
        .collect()
}

fn ids(policy: &Policy, snaps: &[Candidate]) -> Vec<String> {
    kept(policy, snaps).into_iter().map(|k| k.0).collect()
}

fn week() -> Vec<Candidate> {
    vec![
        snap("mon-a", "2026-11-30T08:00:00Z", &[]),
        snap("mon-b", "2026-11-30T20:00:00Z", &[]),
        snap("tue", "2026-12-01T10:00:00Z", &["release"]),
        // Nothing on Wednesday.
        snap("thu-a", "2026-12-03T01:00:00Z", &[]),
        snap("thu-b", "2026-12-03T01:30:00Z", &[]),
        snap("thu-c", "2026-12-03T23:59:59Z", &[]),
        snap("fri", "2026-12-04T12:00:00Z", &[]),
    ]
}

#[test]
fn an_empty_policy_keeps_everything() {
    let snaps = week();
    let plan = plan(&Policy::default(), &snaps);
    assert_eq!(plan.len(), snaps.len());
    assert!(
        plan.iter()
            .all(|d| d.keep && d.reasons.contains(&"no policy".into()))
    );
}

#[test]
fn last_keeps_the_newest_and_the_plan_is_newest_first() {
    let policy = Policy {
        last: 2,
        ..Policy::default()
    };
    let all: Vec<String> = plan(&policy, &week())
        .into_iter()
        .map(|d| d.snapshot_id)
        .collect();
    assert_eq!(
        all,
        ["fri", "thu-c", "thu-b", "thu-a", "tue", "mon-b", "mon-a"]
    );
    assert_eq!(
        kept(&policy, &week()),
        [
            ("fri".into(), vec!["newest".into(), "last 2".into()]),
            ("thu-c".into(), vec!["last 2".into()]),
        ]
    );
}

#[test]
fn daily_keeps_the_newest_of_each_of_the_last_days_that_have_snapshots() {
    let policy = Policy {
        daily: 3,
        ..Policy::default()
    };
    // Friday, Thursday (its last one), then Tuesday: Wednesday had none and does not count.
    assert_eq!(ids(&policy, &week()), ["fri", "thu-c", "tue"]);
}

#[test]
fn hourly_counts_hours_not_snapshots() {
    let policy = Policy {
        hourly: 3,
        ..Policy::default()
    };
    // thu-a and thu-b share the 01:00 hour: the newer one stands for it.
    assert_eq!(ids(&policy, &week()), ["fri", "thu-c", "thu-b"]);
}

#[test]
fn weekly_uses_iso_weeks_across_a_new_year() {
    let snaps = vec![
        snap("w52", "2026-12-27T10:00:00Z", &[]), // Sunday of ISO week 2026-W52
        snap("w53-mon", "2026-12-28T10:00:00Z", &[]), // Monday of 2026-W53
        snap("w53-fri", "2027-01-01T10:00:00Z", &[]), // Friday, still 2026-W53
        snap("w1", "2027-01-04T10:00:00Z", &[]),  // Monday of 2027-W01
    ];
    let policy = Policy {
        weekly: 2,
        ..Policy::default()
    };
    assert_eq!(ids(&policy, &snaps), ["w1", "w53-fri"]);
    let yearly = Policy {
        yearly: 2,
        ..Policy::default()
    };
    assert_eq!(ids(&yearly, &snaps), ["w1", "w53-mon"]);
    let monthly = Policy {
        monthly: 5,
        ..Policy::default()
    };
    assert_eq!(ids(&monthly, &snaps), ["w1", "w53-mon"]);
}

#[test]
fn within_tags_and_pins_keep_beside_the_counting_rules() {
    let mut snaps = week();
    snaps[0].pinned = true; // mon-a: a restore is reading it
    let policy = Policy {
        last: 1,
        within: Some(Duration::from_secs(36 * 3600)),
        tags: BTreeSet::from(["release".to_string()]),
        ..Policy::default()
    };
    assert_eq!(
        kept(&policy, &snaps),
        [
            (
                "fri".into(),
                vec!["newest".into(), "last 1".into(), "within 1day 12h".into()]
            ),
            ("thu-c".into(), vec!["within 1day 12h".into()]),
            ("thu-b".into(), vec!["within 1day 12h".into()]),
            ("thu-a".into(), vec!["within 1day 12h".into()]),
            ("tue".into(), vec!["tag release".into()]),
            ("mon-a".into(), vec!["pinned".into()]),
        ]
    );
}

#[test]
fn the_newest_is_always_kept_and_nothing_else_by_a_rule_of_zero() {
    let policy = Policy {
        daily: 0,
        tags: BTreeSet::from(["nothing-has-it".to_string()]),
        ..Policy::default()
    };
    assert_eq!(ids(&policy, &week()), ["fri"]);
    assert!(plan(&policy, &[]).is_empty());
}
