//! The engine seam as the domains use it: a transaction's value comes back with its commit, a
//! transaction that writes nothing still answers its value, and refusals come back as errors.

use std::sync::Arc;

use stmgr::store::{Body, Engine, ObjectData, ObjectOp, Op, Rejection, StoreError};

use crate::engine::{options, put};

fn open(dir: &std::path::Path) -> Engine {
    Engine::open(dir, options(), "seam test").expect("open")
}

#[test]
fn a_transaction_returns_its_value_with_its_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let e = open(tmp.path());
    let (info, seen) = e
        .commit_blocking(|s| Ok((vec![put("ns", "a", "1")], s.seq)))
        .unwrap();
    assert_eq!(
        (info.seq, seen),
        (1, 0),
        "the value is what the closure saw"
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        // A value that is not Copy, built from the state the transaction ran against.
        let (info, ids) = e
            .commit(|s| {
                let ids: Vec<String> = s
                    .objects
                    .list("ns", None)
                    .map(|o| o.id.to_string())
                    .collect();
                Ok((vec![put("ns", "b", "2")], ids))
            })
            .await
            .unwrap();
        assert_eq!((info.seq, ids), (2, vec!["a".to_string()]));
        // Writing nothing answers the value and no commit.
        let (none, n) = e
            .transact(|s| Ok((Vec::new(), s.objects.live_count())))
            .await
            .unwrap();
        assert_eq!((none, n), (None, 2));
        // `commit` insists on a write.
        let err = e.commit(|_| Ok((Vec::new(), ()))).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Rejected(Rejection::Unchanged)),
            "{err}"
        );
        // A refusal is the error, and nothing is written.
        let err = e
            .transact(|_| -> Result<(Vec<Op>, ()), _> { Err(Rejection::Conflict("no".into())) })
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Rejected(Rejection::Conflict(_))),
            "{err}"
        );
        // A panic refuses the transaction and the engine goes on.
        let err = e
            .transact(|_| -> Result<(Vec<Op>, ()), _> { panic!("boom") })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("panicked"), "{err}");
        let info = e
            .commit_ops(vec![Op::Object(ObjectOp::Put {
                ns: "ns".into(),
                id: "c".into(),
                data: Arc::new(ObjectData::new("t".into(), Body::from_json("3").unwrap())),
            })])
            .await
            .unwrap();
        assert_eq!(info.seq, 3, "refusals and no-ops took no seq");
    });
    e.close().unwrap();
}

#[test]
fn concurrent_transactions_each_get_their_own_value() {
    let tmp = tempfile::tempdir().unwrap();
    let e = open(tmp.path());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let e = e.clone();
            std::thread::spawn(move || {
                (0..50)
                    .map(|i| {
                        let id = format!("t{t}-{i}");
                        let (info, echoed) = e
                            .commit_blocking({
                                let id = id.clone();
                                move |_| Ok((vec![put("ns", &id, "1")], id))
                            })
                            .unwrap();
                        assert_eq!(echoed, id);
                        info.seq
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seqs: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=400).collect::<Vec<_>>(),
        "one seq per commit, none twice"
    );
    e.close().unwrap();
}

#[test]
fn the_v1_domains_decide_by_the_engine_clock() {
    use std::sync::atomic::{AtomicI64, Ordering};

    use stmgr::leases::{LeaseInput, Leases};
    use stmgr::objects::{Conditions, Error, Fence, ObjectInput, Objects};
    use stmgr::store::options::Clock;

    const T0: i64 = 1_700_000_000_000;
    let now = Arc::new(AtomicI64::new(T0));
    let clock = {
        let now = now.clone();
        Clock::from_fn(move || now.load(Ordering::SeqCst))
    };
    let tmp = tempfile::tempdir().unwrap();
    let e = Engine::open(
        tmp.path(),
        stmgr::store::EngineOptions { clock, ..options() },
        "seam test",
    )
    .unwrap();
    let (leases, objects) = (Leases::new(e.clone()), Objects::new(e.clone()));
    let input = |ttl: Option<u64>, token: Option<u64>| LeaseInput {
        key: "leader".into(),
        owner: "w1".into(),
        ttl,
        token,
    };
    let doc = || -> ObjectInput {
        serde_json::from_value(serde_json::json!({"type": "t", "body": 1, "id": "x"})).unwrap()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let lease = leases.acquire("ns", input(Some(10), None)).await.unwrap();
        assert_eq!(lease.token, 1, "the token is the granting commit's seq");
        assert_eq!(lease.expires_at, stmgr::time::format_ts(T0 + 10_000));
        let fenced = || Conditions {
            fence: Some(Fence::new("leader", lease.token)),
            ..Conditions::default()
        };
        let put = objects.put("ns", doc(), fenced()).await.unwrap();
        assert_eq!(put.object.ts, stmgr::time::format_ts(T0), "commit time");
        // Ten seconds later by the engine's clock, not the wall clock: the lease has lapsed.
        now.store(T0 + 10_000, Ordering::SeqCst);
        let err = objects.put("ns", doc(), fenced()).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Store(StoreError::Rejected(Rejection::Conflict(_)))
            ),
            "{err}"
        );
        let err = leases
            .renew("ns", input(Some(10), Some(lease.token)))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("lapsed"), "{err}");
    });
    e.close().unwrap();
}

#[test]
fn online_trims_take_turns_and_never_touch_the_segment_being_written() {
    let tmp = tempfile::tempdir().unwrap();
    let e = open(tmp.path());
    let big = format!("\"{}\"", "x".repeat(2000));
    for i in 0..200 {
        e.commit_blocking({
            let op = put("ns", &format!("k{i}"), &big);
            move |_| Ok((vec![op], ()))
        })
        .unwrap();
    }
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    let before = e.wal_segments().unwrap().len();
    assert!(before > 3, "{before} segments");
    // Writers roll new segments while four trims run at once, each against the same snapshot:
    // without the engine's file lock, two of them remove the same file and one fails.
    let writer = {
        let (e, big) = (e.clone(), big.clone());
        std::thread::spawn(move || {
            for i in 0..300 {
                e.commit_blocking({
                    let op = put("ns", &format!("z{i}"), &big);
                    move |_| Ok((vec![op], ()))
                })
                .unwrap();
            }
        })
    };
    let trims: Vec<_> = (0..4)
        .map(|_| {
            let (e, id) = (e.clone(), snap.id.clone());
            std::thread::spawn(move || {
                (0..5)
                    .map(|_| e.trim_wal(&id, false).map(|p| p.segments.len()))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in trims {
        for r in t.join().unwrap() {
            r.expect("every trim succeeds");
        }
    }
    writer.join().unwrap();
    let after = e.wal_segments().unwrap();
    assert!(
        after.first().unwrap().first_seq <= snap.commit_seq + 1,
        "nothing after the snapshot went"
    );
    let live = e.view().objects.live_count();
    e.close().unwrap();
    drop(e);
    let e = open(tmp.path());
    assert_eq!(
        e.recovery().commit_seq,
        500,
        "the log after the snapshot is whole"
    );
    assert_eq!(e.view().objects.live_count(), live);
    e.close().unwrap();
}
