//! The engine through its library API: snapshots under concurrent writes, point-in-time restore,
//! trim safety, the lock, poisoning on a failed sync, watch resume/compaction/overflow, TTL.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use stmgr::store::offline::{dump, restore, trim};
use stmgr::store::options::{Clock, FaultHook};
use stmgr::store::recovery::Target;
use stmgr::store::watch::WatchError;
use stmgr::store::{Body, Engine, EngineOptions, ObjectData, ObjectOp, Op, StoreError};

use crate::util::wait_until;

pub fn options() -> EngineOptions {
    EngineOptions {
        segment_size: 64 * 1024,
        maintenance_interval: Duration::from_millis(20),
        ..EngineOptions::default()
    }
}

pub fn put(ns: &str, id: &str, body: &str) -> Op {
    put_ttl(ns, id, body, None)
}

fn put_ttl(ns: &str, id: &str, body: &str, ttl: Option<u64>) -> Op {
    Op::Object(ObjectOp::Put {
        ns: ns.into(),
        id: id.into(),
        data: Arc::new(
            ObjectData::new("note".into(), Body::from_json(body).expect("valid json"))
                .with_ttl_seconds(ttl),
        ),
    })
}

fn commit(e: &Engine, op: Op) -> u64 {
    e.commit_blocking(move |_| Ok((vec![op], ())))
        .expect("commit")
        .0
        .seq
}

/// `admin dump` output of a data directory as JSON lines.
pub fn dump_lines(dir: &Path, at: Option<u64>) -> Vec<String> {
    let d = stmgr::store::dir::DataDir::new(dir);
    let state = dump::state_at(&d, at).expect("dump");
    dump::objects(&state, None)
        .map(|o| serde_json::to_string(&stmgr::objects::ObjectOut::from(o)).expect("json"))
        .collect()
}

#[test]
fn commit_seq_survives_restart_and_reads_history() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    for i in 1..=50u64 {
        assert_eq!(
            commit(&e, put("agent://a", &format!("k{}", i % 7), &i.to_string())),
            i
        );
    }
    let (_, _, entry) = e
        .view()
        .objects
        .entry("agent://a", "k1")
        .map(|(a, b, c)| (a.clone(), b.clone(), c.clone()))
        .unwrap();
    // k1 was written at 1, 8, 15, ...; at seq 10 its value was 8.
    assert_eq!(
        entry
            .at_seq(10)
            .unwrap()
            .unwrap()
            .data
            .as_ref()
            .unwrap()
            .body
            .get(),
        "8"
    );
    e.close().unwrap();
    drop(e);
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    assert_eq!(e.recovery().commit_seq, 50);
    assert_eq!(commit(&e, put("agent://a", "x", "1")), 51);
}

#[test]
fn snapshot_during_concurrent_writes_equals_state_at_its_seq() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let e = e.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) || i < 200 {
                    commit(
                        &e,
                        put("ns", &format!("w{w}-{}", i % 50), &format!("{{\"i\":{i}}}")),
                    );
                    i += 1;
                }
            })
        })
        .collect();
    wait_until(Duration::from_secs(30), "some commits", || {
        e.view().seq > 300
    });
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    assert!(
        e.view().seq > snap.commit_seq,
        "writes went on after the snapshot"
    );
    e.close().unwrap();
    drop(e);
    // The snapshot alone must equal a replay of the log up to its seq.
    let snap_path = tmp
        .path()
        .join("snapshots")
        .join(format!("{}.snap", snap.id));
    let (state, _) =
        stmgr::store::snapshot::load_snapshot(&snap_path, &Default::default()).unwrap();
    let from_snapshot: Vec<String> = dump::objects(&state, None)
        .map(|o| serde_json::to_string(&stmgr::objects::ObjectOut::from(o)).unwrap())
        .collect();
    std::fs::remove_dir_all(tmp.path().join("snapshots")).unwrap();
    assert_eq!(from_snapshot, dump_lines(tmp.path(), Some(snap.commit_seq)));
}

#[test]
fn restore_to_seq_and_time_reproduces_that_point_and_never_reuses_seqs() {
    let tmp = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(1_700_000_000_000));
    let clock_now = now.clone();
    let opts = EngineOptions {
        clock: Clock::from_fn(move || clock_now.load(Ordering::SeqCst)),
        ..options()
    };
    let e = Engine::open(tmp.path(), opts.clone(), "test").unwrap();
    for i in 1..=20u64 {
        commit(&e, put("ns", &format!("k{}", i % 5), &i.to_string()));
        now.fetch_add(1000, Ordering::SeqCst);
    }
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    for i in 21..=120u64 {
        if i % 10 == 0 {
            e.commit_blocking(move |_| {
                Ok((
                    vec![Op::Object(ObjectOp::Delete {
                        ns: "ns".into(),
                        id: format!("k{}", i % 5).into(),
                        reason: stmgr::store::DeleteReason::Deleted,
                    })],
                    (),
                ))
            })
            .unwrap();
        } else {
            commit(&e, put("ns", &format!("k{}", i % 9), &i.to_string()));
        }
        now.fetch_add(1000, Ordering::SeqCst);
    }
    e.close().unwrap();
    drop(e);
    let expected_at_77 = dump_lines(tmp.path(), Some(77));
    let d = stmgr::store::dir::DataDir::new(tmp.path());
    let _lock = d.lock("test restore").unwrap();
    let out = restore::restore(&d, &snap.id, Target::Seq(77), &mut |_| {}).unwrap();
    drop(_lock);
    assert_eq!(out.restored_seq, 77);
    assert_eq!(out.next_seq, 121);
    assert!(
        out.moved_aside_to.join("wal").is_dir(),
        "old WAL kept aside"
    );
    assert_eq!(dump_lines(tmp.path(), None), expected_at_77);

    let e = Engine::open(tmp.path(), opts.clone(), "test").unwrap();
    assert_eq!(
        commit(&e, put("ns", "new", "1")),
        121,
        "seqs continue above the highest issued"
    );
    now.fetch_add(1000, Ordering::SeqCst);
    // A watcher that had seen seq 100 (lost by the restore) is told to re-list.
    let mut sub = e.subscribe(100, None);
    assert!(matches!(sub.try_next(), Err(WatchError::Reset { .. })));
    let snap2 = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    commit(&e, put("ns", "after", "2"));
    e.close().unwrap();
    drop(e);
    let e = Engine::open(tmp.path(), opts.clone(), "test").unwrap();
    assert_eq!(e.recovery().commit_seq, 122);
    drop(e);

    // Restore to a time between commits 121 and 122 (one second apart) keeps 121.
    let at_121 = dump_lines(tmp.path(), Some(121));
    let _lock = d.lock("test restore").unwrap();
    let t = now.load(Ordering::SeqCst) - 1;
    let out = restore::restore(&d, &snap2.id, Target::Time(t), &mut |_| {}).unwrap();
    assert_eq!(out.restored_seq, 121);
    assert_eq!(out.next_seq, 123);
    assert_eq!(dump_lines(tmp.path(), None), at_121);
}

#[test]
fn trim_never_removes_what_the_snapshot_does_not_cover() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    let big = format!("\"{}\"", "x".repeat(2000));
    for i in 0..200 {
        commit(&e, put("ns", &format!("k{i}"), &big));
    }
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    for i in 0..100 {
        commit(&e, put("ns", &format!("z{i}"), &big));
    }
    let before = dump_lines(tmp.path(), None);
    e.close().unwrap();
    drop(e);
    let d = stmgr::store::dir::DataDir::new(tmp.path());
    let plan = trim::plan(&d, &snap.id).unwrap();
    assert!(plan.segments.iter().any(|s| s.remove), "something to trim");
    assert!(
        plan.segments
            .iter()
            .any(|s| !s.remove && s.last_seq.is_some()),
        "segments past the snapshot kept"
    );
    for s in &plan.segments {
        if s.remove {
            assert!(s.last_seq.unwrap() <= snap.commit_seq);
        }
    }
    assert!(
        !plan.segments.last().unwrap().remove,
        "never the active segment"
    );
    trim::apply(&d, &plan).unwrap();
    assert_eq!(dump_lines(tmp.path(), None), before);
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    assert_eq!(e.recovery().commit_seq, 300);
    // Watching from before the horizon is an explicit error carrying the oldest seq.
    let mut sub = e.subscribe(5, None);
    match sub.try_next() {
        Err(WatchError::Compacted {
            oldest_available, ..
        }) => assert!(oldest_available > 5 && oldest_available <= snap.commit_seq + 1),
        other => panic!("expected compacted, got {other:?}"),
    }
}

#[test]
fn second_open_is_refused_naming_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let _e = Engine::open(tmp.path(), options(), "first holder").unwrap();
    let err = Engine::open(tmp.path(), options(), "second").unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("first holder"), "{err}");
}

#[derive(Debug)]
struct FailSyncAfter(std::sync::atomic::AtomicU32);

impl FaultHook for FailSyncAfter {
    fn before_sync(&self, _: &Path) -> io::Result<()> {
        if self.0.fetch_sub(1, Ordering::SeqCst) == 0 {
            return Err(io::Error::other("injected EIO"));
        }
        Ok(())
    }
}

#[test]
fn failed_fsync_poisons_writes_but_reads_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = EngineOptions {
        fault: Some(Arc::new(FailSyncAfter(3.into()))),
        ..options()
    };
    let e = Engine::open(tmp.path(), opts, "test").unwrap();
    for i in 0..3 {
        commit(&e, put("ns", &format!("k{i}"), "1"));
    }
    let err = e
        .commit_blocking(|_| Ok((vec![put("ns", "lost", "1")], ())))
        .unwrap_err();
    assert!(matches!(err, StoreError::Poisoned(_)), "{err}");
    assert!(
        e.view().objects.get("ns", "lost").is_none(),
        "an unsynced commit is never visible"
    );
    let err = e
        .commit_blocking(|_| Ok((vec![put("ns", "later", "1")], ())))
        .unwrap_err();
    assert!(err.to_string().contains("injected EIO"), "{err}");
    assert_eq!(e.view().objects.live_count(), 3);
    assert!(e.poisoned().is_some());
}

#[test]
fn watch_resumes_without_gap_and_overflow_is_explicit() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = EngineOptions {
        watch_ring_events: 16,
        watch_buffer_events: 8,
        ..options()
    };
    let e = Engine::open(tmp.path(), opts.clone(), "test").unwrap();
    for i in 1..=100u64 {
        commit(&e, put("ns", &format!("k{i}"), "1"));
    }
    // From the WAL (older than the ring), then the ring, then live.
    let mut sub = e.subscribe(10, None);
    let mut seen = Vec::new();
    while let Some(ev) = sub.try_next().unwrap() {
        seen.push(ev.seq);
    }
    assert_eq!(seen, (11..=100).collect::<Vec<_>>());
    commit(&e, put("ns", "live", "1"));
    assert_eq!(sub.try_next().unwrap().unwrap().seq, 101);
    // A live watcher that does not read overflows with an explicit error.
    let mut slow = e.subscribe(101, None);
    assert!(slow.try_next().unwrap().is_none());
    for i in 0..20 {
        commit(&e, put("ns", &format!("o{i}"), "1"));
    }
    let mut got = 0;
    let err = loop {
        match slow.try_next() {
            Ok(Some(_)) => got += 1,
            Ok(None) => panic!("overflow was skipped silently"),
            Err(e) => break e,
        }
    };
    assert_eq!(got, 8);
    assert!(
        matches!(
            err,
            WatchError::Overflow {
                last_delivered: 109
            }
        ),
        "{err:?}"
    );
    // Resuming after a restart from the middle loses nothing.
    e.close().unwrap();
    drop(e);
    let e = Engine::open(tmp.path(), opts, "test").unwrap();
    let mut sub = e.subscribe(109, None);
    let seqs: Vec<u64> = std::iter::from_fn(|| sub.try_next().unwrap())
        .map(|ev| ev.seq)
        .collect();
    assert_eq!(seqs, (110..=121).collect::<Vec<_>>());
    // A resume point ahead of the log is refused.
    assert!(matches!(
        e.subscribe(500, None).try_next(),
        Err(WatchError::Reset { .. })
    ));
}

#[test]
fn ttl_expiry_is_a_commit_watchers_see() {
    let tmp = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(1_000_000));
    let n2 = now.clone();
    let opts = EngineOptions {
        clock: Clock::from_fn(move || n2.load(Ordering::SeqCst)),
        ..options()
    };
    let e = Engine::open(tmp.path(), opts, "test").unwrap();
    commit(&e, put_ttl("ns", "short", "1", Some(1)));
    commit(&e, put("ns", "keep", "1"));
    let mut sub = e.subscribe(2, None);
    now.fetch_add(1500, Ordering::SeqCst);
    wait_until(Duration::from_secs(10), "the expiry commit", || {
        e.view().seq == 3
    });
    assert!(e.view().objects.get("ns", "short").is_none());
    assert!(e.view().objects.get("ns", "keep").is_some());
    let ev = sub.try_next().unwrap().expect("expiry event");
    assert!(matches!(
        &ev.ops[0],
        Op::Object(ObjectOp::Delete {
            reason: stmgr::store::DeleteReason::Expired,
            ..
        })
    ));
}

#[test]
fn snapshot_ahead_of_the_log_starts_a_new_segment_and_verifies_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    let mut ends = Vec::new();
    for i in 1..=10u64 {
        commit(&e, put("ns", &format!("k{i}"), "1"));
        ends.push(
            std::fs::metadata(tmp.path().join("wal/00000000000000000001.wal"))
                .unwrap()
                .len(),
        );
    }
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    assert_eq!(snap.commit_seq, 10);
    e.close().unwrap();
    drop(e);
    // Lose the last three commits from the log (as a power loss in `interval` mode would),
    // while the snapshot already holds them.
    let seg = tmp.path().join("wal/00000000000000000001.wal");
    let data = std::fs::read(&seg).unwrap();
    let keep = data.iter().rposition(|b| *b != 0).unwrap() + 1;
    let cut = stmgr::store::wal::reader::read_log(
        &tmp.path().join("wal"),
        &Default::default(),
        1,
        |_, _| Ok(true),
    )
    .unwrap();
    assert!(cut.next_seq == Some(11) && keep > 0);
    let mut offsets = Vec::new();
    stmgr::store::wal::frame::scan::<()>(&data, 64, 1, |off, _| {
        offsets.push(off);
        Ok(())
    })
    .unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&seg)
        .unwrap()
        .set_len(offsets[7])
        .unwrap();
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    assert_eq!(e.view().seq, 10, "the snapshot holds what the log lost");
    assert_eq!(commit(&e, put("ns", "after", "1")), 11);
    e.close().unwrap();
    drop(e);
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    assert_eq!(e.view().seq, 11);
    assert!(e.view().objects.get("ns", "after").is_some());
    drop(e);
    let report =
        stmgr::store::offline::verify::verify(&stmgr::store::dir::DataDir::new(tmp.path()))
            .unwrap();
    assert!(report.first_corruption().is_none(), "{report:?}");
}

#[test]
fn watchers_see_a_restore_even_after_new_commits() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    for i in 1..=5u64 {
        commit(&e, put("ns", &format!("k{i}"), "1"));
    }
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    for i in 6..=9u64 {
        commit(&e, put("ns", &format!("k{i}"), "1"));
    }
    e.close().unwrap();
    drop(e);
    let d = stmgr::store::dir::DataDir::new(tmp.path());
    let lock = d.lock("test").unwrap();
    restore::restore(&d, &snap.id, Target::Seq(6), &mut |_| {}).unwrap();
    drop(lock);
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    assert_eq!(commit(&e, put("ns", "new", "1")), 10);
    // A watcher that had seen seq 9 (rolled back) must re-list; one at 6 continues at 10.
    assert!(matches!(
        e.subscribe(9, None).try_next(),
        Err(WatchError::Reset { .. })
    ));
    assert!(matches!(
        e.subscribe(7, None).try_next(),
        Err(WatchError::Reset { .. })
    ));
    let mut ok = e.subscribe(6, None);
    assert_eq!(ok.try_next().unwrap().unwrap().seq, 10);
    // New watchers from the current seq never see a spurious reset under concurrent commits.
    let writer = {
        let e = e.clone();
        std::thread::spawn(move || {
            for i in 0..300 {
                commit(&e, put("ns", &format!("c{i}"), "1"));
            }
        })
    };
    for _ in 0..300 {
        let mut s = e.subscribe(e.view().seq, None);
        assert!(s.try_next().is_ok());
    }
    writer.join().unwrap();
}

#[test]
fn automatic_snapshots_keep_the_newest_and_trim_only_what_they_cover() {
    use stmgr::store::retention::{PolicyState, SnapshotPolicy};
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    let policy = SnapshotPolicy {
        every_bytes: Some(20_000),
        every: None,
        keep_last: 2,
        keep: None,
    };
    let mut st = PolicyState::new(&e);
    assert!(
        policy.run_once(&e, &mut st).unwrap().is_none(),
        "nothing due yet"
    );
    let big = format!("\"{}\"", "x".repeat(3000));
    let mut taken = Vec::new();
    for round in 0..5 {
        for i in 0..10 {
            commit(&e, put("ns", &format!("r{round}-{i}"), &big));
        }
        let r = policy
            .run_once(&e, &mut st)
            .unwrap()
            .expect("due after 30 KB");
        taken.push(r.snapshot_id.unwrap());
    }
    let snaps = stmgr::store::snapshot::list_snapshots(&tmp.path().join("snapshots")).unwrap();
    let ids: Vec<&str> = snaps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        taken[3..].iter().map(String::as_str).collect::<Vec<_>>(),
        "the newest two kept"
    );
    let segs = stmgr::store::wal::segment::list_segments(&tmp.path().join("wal")).unwrap();
    let oldest_kept = snaps[0].meta.as_ref().unwrap().commit_seq;
    assert!(
        segs[0].first_seq <= oldest_kept + 1,
        "the oldest kept snapshot can still replay forward"
    );
    assert!(segs[0].first_seq > 1, "older segments were trimmed");
    drop(e);
    // Point-in-time restore from the oldest kept snapshot still works.
    let d = stmgr::store::dir::DataDir::new(tmp.path());
    let want = dump_lines(tmp.path(), Some(oldest_kept + 5));
    let lock = d.lock("test").unwrap();
    restore::restore(&d, &snaps[0].id, Target::Seq(oldest_kept + 5), &mut |_| {}).unwrap();
    drop(lock);
    assert_eq!(dump_lines(tmp.path(), None), want);
}

#[test]
fn retention_keeps_manual_snapshots_and_never_trades_a_good_snapshot_for_a_damaged_one() {
    use stmgr::store::retention::{PolicyState, SnapshotPolicy};
    use stmgr::store::snapshot::{SnapshotOrigin, list_snapshots};
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(tmp.path(), options(), "test").unwrap();
    let policy = SnapshotPolicy {
        every_bytes: Some(20_000),
        every: None,
        keep_last: 2,
        keep: None,
    };
    let mut st = PolicyState::new(&e);
    let big = format!("\"{}\"", "x".repeat(3000));
    let round = |e: &Engine, st: &mut PolicyState, n: usize| {
        for i in 0..10 {
            commit(e, put("ns", &format!("r{n}-{i}"), &big));
        }
        policy.run_once(e, st).unwrap().expect("due after 30 KB")
    };
    // A cron job's snapshot, taken by hand before the automatic ones.
    let manual = e.snapshot(SnapshotOrigin::Manual).unwrap();
    let first = round(&e, &mut st, 0).snapshot_id.unwrap();
    let second = round(&e, &mut st, 1).snapshot_id.unwrap();
    // The newest automatic snapshot gets damaged on disk.
    let path = tmp.path().join("snapshots").join(format!("{second}.snap"));
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    // A fresh process state: the damaged one is found by verifying, not remembered.
    let mut st = PolicyState::new(&e);
    let third = round(&e, &mut st, 2);
    assert_eq!(
        third
            .snapshots_damaged
            .iter()
            .map(|d| d.0.as_str())
            .collect::<Vec<_>>(),
        [second.as_str()],
        "{third:?}"
    );
    assert!(
        third.snapshots_removed.is_empty(),
        "two good automatic snapshots: {third:?}"
    );
    let fourth = round(&e, &mut st, 3);
    assert_eq!(
        fourth.snapshots_removed,
        std::slice::from_ref(&first),
        "the oldest good one goes"
    );
    let ids: Vec<String> = list_snapshots(&tmp.path().join("snapshots"))
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(
        ids.contains(&manual.id),
        "the manual snapshot stays: {ids:?}"
    );
    assert!(
        ids.contains(&second),
        "the damaged one is left for admin verify: {ids:?}"
    );
    assert!(!ids.contains(&first));
    assert_eq!(
        ids.len(),
        4,
        "manual, damaged, and the two newest good ones: {ids:?}"
    );
    let origins: Vec<SnapshotOrigin> = list_snapshots(&tmp.path().join("snapshots"))
        .unwrap()
        .into_iter()
        .map(|s| s.meta.unwrap().origin)
        .collect();
    assert_eq!(
        origins
            .iter()
            .filter(|o| **o == SnapshotOrigin::Automatic)
            .count(),
        3
    );
}
