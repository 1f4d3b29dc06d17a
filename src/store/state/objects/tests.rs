use std::sync::Arc;

use super::*;
use crate::store::command::{Body, DeleteReason};

fn put(ns: &str, id: &str, n: u64, ttl: Option<u64>) -> ObjectOp {
    ObjectOp::Put {
        ns: ns.into(),
        id: id.into(),
        data: Arc::new(
            ObjectData::new(
                "t".into(),
                Body::from_json(format!("{{\"n\":{n}}}")).unwrap(),
            )
            .with_ttl_seconds(ttl),
        ),
    }
}

fn del(ns: &str, id: &str) -> ObjectOp {
    ObjectOp::Delete {
        ns: ns.into(),
        id: id.into(),
        reason: DeleteReason::Deleted,
    }
}

fn body_at(s: &ObjectState, id: &str, seq: u64) -> Result<Option<String>, OutOfWindow> {
    let (_, _, e) = s.entry("ns", id).ok_or(OutOfWindow)?;
    e.at_seq(seq)
        .map(|v| v.and_then(|v| v.data.as_ref().map(|d| d.body.get().to_string())))
}

#[test]
fn history_is_bounded_by_count() {
    let policy = HistoryPolicy {
        versions: 2,
        age_ms: i64::MAX,
    };
    let mut s = ObjectState::default();
    for seq in 1..=5 {
        s.apply(seq, seq as i64, &put("ns", "a", seq, None), &policy);
    }
    assert_eq!(body_at(&s, "a", 5).unwrap().unwrap(), r#"{"n":5}"#);
    assert_eq!(body_at(&s, "a", 4).unwrap().unwrap(), r#"{"n":4}"#);
    assert_eq!(body_at(&s, "a", 3).unwrap().unwrap(), r#"{"n":3}"#);
    assert!(
        body_at(&s, "a", 2).is_err(),
        "version 2 fell out of the window"
    );
    assert_eq!(s.live_count(), 1);
}

#[test]
fn history_is_bounded_by_age_and_tombstones_go() {
    let policy = HistoryPolicy {
        versions: 100,
        age_ms: 10,
    };
    let mut s = ObjectState::default();
    s.apply(1, 0, &put("ns", "a", 1, None), &policy);
    s.apply(2, 5, &put("ns", "a", 2, None), &policy);
    s.apply(3, 100, &put("ns", "a", 3, None), &policy);
    // Version 1 was superseded at ts 5, long before 100 - 10.
    assert!(body_at(&s, "a", 1).is_err());
    // Version 2 was superseded at ts 100: still in the window.
    assert_eq!(body_at(&s, "a", 2).unwrap().unwrap(), r#"{"n":2}"#);
    s.apply(4, 101, &del("ns", "a"), &policy);
    assert!(s.get("ns", "a").is_none());
    assert_eq!(body_at(&s, "a", 3).unwrap().unwrap(), r#"{"n":3}"#);
    assert_eq!(s.live_count(), 0);
    s.prune_history(1_000, &policy);
    assert!(s.entry("ns", "a").is_none(), "old tombstone dropped");
    assert!(s.namespaces().is_empty());
}

#[test]
fn ttl_index_follows_puts_and_deletes() {
    let policy = HistoryPolicy {
        versions: 0,
        age_ms: 0,
    };
    let mut s = ObjectState::default();
    s.apply(1, 1_000, &put("ns", "a", 1, Some(1)), &policy);
    s.apply(2, 1_000, &put("ns", "b", 1, Some(5)), &policy);
    assert_eq!(s.expired(1_999, 10).len(), 0);
    assert_eq!(s.expired(2_000, 10).len(), 1);
    s.apply(3, 1_500, &put("ns", "a", 2, None), &policy);
    assert_eq!(
        s.expired(2_000, 10).len(),
        0,
        "rewrite without ttl clears expiry"
    );
    s.apply(4, 1_600, &del("ns", "b"), &policy);
    assert_eq!(s.expired(10_000, 10).len(), 0);
    assert!(s.entry("ns", "b").is_none(), "no history kept: entry gone");
}

#[test]
fn list_pages_in_id_order() {
    let policy = HistoryPolicy {
        versions: 0,
        age_ms: 0,
    };
    let mut s = ObjectState::default();
    for (seq, id) in ["c", "a", "b"].iter().enumerate() {
        s.apply(seq as u64 + 1, 0, &put("ns", id, 0, None), &policy);
    }
    s.apply(4, 0, &put("other", "z", 0, None), &policy);
    let ids: Vec<String> = s.list("ns", None).map(|o| o.id.to_string()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let ids: Vec<String> = s.list("ns", Some("a")).map(|o| o.id.to_string()).collect();
    assert_eq!(ids, ["b", "c"]);
    assert_eq!(s.namespaces().len(), 2);
    assert_eq!(s.iter().count(), 4);
}
