//! Continuous replication (`stmgr::backup::replicate`) through the library, against a local
//! directory and moto: every committed frame reaches the location byte for byte and in order;
//! an outage is retried, reported and caught up, and held WAL is not trimmed meanwhile; a
//! restart continues its generation; a restore starts a new one naming its parent.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use stmgr::backup::replicate::{ReplicateOptions, Replication};
use stmgr::backup::{Target, WalPiece};
use stmgr::store::snapshot::SnapshotOrigin;
use stmgr::store::wal::frame::{self, FrameAt};
use stmgr::store::wal::segment::{self, HEADER_LEN, SegmentHeader};
use stmgr::store::{Engine, EngineOptions, Record};

use super::harness::{Backend, backends};
use crate::engine::{options, put};
use crate::util::wait_until;

/// A runtime with workers, so the replicator runs while the test thread commits.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Fast rounds and retries for tests.
fn fast() -> ReplicateOptions {
    ReplicateOptions {
        interval: Duration::from_millis(50),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
        ..ReplicateOptions::default()
    }
}

/// Opens the engine in `dir`. A stopped replication may still be finishing a blocking read
/// that holds a clone of the engine it replicated (and so its directory lock) for a moment
/// after `stop` returned: a reopen waits for that, up to a deadline.
fn open(dir: &Path) -> Engine {
    let mut engine = None;
    wait_until(
        Duration::from_secs(10),
        "the directory lock",
        || match Engine::open(dir, options(), "replication test") {
            Ok(e) => {
                engine = Some(e);
                true
            }
            Err(stmgr::store::StoreError::Locked { .. }) => false,
            Err(e) => panic!("open engine: {e}"),
        },
    );
    engine.expect("opened")
}

/// Commits `n` objects (one commit each); the last seq.
fn commit(e: &Engine, from: usize, n: usize) -> u64 {
    let mut seq = 0;
    for i in from..from + n {
        // Now and then a frame larger than one read of the tail (1 MiB).
        let pad = if i % 500 == 7 {
            "y".repeat(1_300_000)
        } else {
            "x".repeat(i % 300)
        };
        let op = put(
            "repl",
            &format!("obj-{i}"),
            &format!("{{\"i\":{i},\"pad\":\"{pad}\"}}"),
        );
        seq = e
            .commit_blocking(move |_| Ok((vec![op], ())))
            .expect("commit")
            .0
            .seq;
    }
    seq
}

/// Every frame of the segment bytes `buf` (header first): seq -> frame bytes.
fn frames_of(buf: &[u8], into: &mut BTreeMap<u64, Vec<u8>>) -> SegmentHeader {
    let header = SegmentHeader::decode(buf, Path::new("piece")).expect("a segment header");
    let mut pos = HEADER_LEN;
    while let FrameAt::Ok { payload, next } = frame::frame_at(buf, pos) {
        let (seq, _) = Record::peek(payload).expect("a record");
        into.insert(seq, buf[pos..next].to_vec());
        pos = next;
    }
    header
}

/// The local WAL's frames.
fn local_frames(e: &Engine) -> BTreeMap<u64, Vec<u8>> {
    let mut out = BTreeMap::new();
    for s in segment::list_segments(&e.dir().wal()).unwrap() {
        frames_of(&std::fs::read(&s.path).unwrap(), &mut out);
    }
    out
}

/// The pieces of `generation` and their frames, each piece checked: a segment header naming
/// its first seq, exactly the frames `first_seq..=last_seq`.
async fn bucket_frames(t: &Target, generation: &str) -> (Vec<WalPiece>, BTreeMap<u64, Vec<u8>>) {
    let listing = t.list_wal(generation).await.unwrap();
    assert!(listing.orphans.is_empty(), "{:?}", listing.orphans);
    let tmp = tempfile::tempdir().unwrap();
    let mut all = BTreeMap::new();
    for p in &listing.pieces {
        let dest = tmp.path().join(format!("{}.wal", p.first_seq));
        t.download_wal_piece(p, &dest).await.unwrap();
        let mut frames = BTreeMap::new();
        let h = frames_of(&std::fs::read(&dest).unwrap(), &mut frames);
        assert_eq!(h.first_seq, p.first_seq);
        let seqs: Vec<u64> = frames.keys().copied().collect();
        assert_eq!(
            seqs,
            (p.first_seq..=p.last_seq).collect::<Vec<_>>(),
            "{p:?}"
        );
        all.extend(frames);
    }
    (listing.pieces, all)
}

/// Waits until everything up to `seq` is replicated.
fn wait_replicated(r: &Replication, seq: u64, within: Duration) {
    let status = r.status().clone();
    wait_until(within, &format!("seq {seq} replicated"), || {
        status.report().replicated_seq >= seq
    });
}

/// The pieces of `generation` hold every seq from its first on, contiguous, and each frame is
/// byte for byte the local one; the last seq they hold.
async fn assert_pieces_match(t: &Target, generation: &str, local: &BTreeMap<u64, Vec<u8>>) -> u64 {
    let g = t.read_generation(generation).await.unwrap();
    let (pieces, frames) = bucket_frames(t, generation).await;
    assert_eq!(pieces.first().map(|p| p.first_seq), Some(g.first_seq));
    for w in pieces.windows(2) {
        assert_eq!(w[0].last_seq + 1, w[1].first_seq, "contiguous: {w:?}");
    }
    let last = pieces.last().unwrap().last_seq;
    // Every local frame of the range is in a piece, byte for byte (the local WAL may have been
    // trimmed below what was shipped).
    let mut compared = 0;
    for (seq, bytes) in local.range(g.first_seq..=last) {
        assert!(
            frames.get(seq) == Some(bytes),
            "seq {seq} differs from the local WAL"
        );
        compared += 1;
    }
    assert!(compared > 0 && local.contains_key(&last));
    last
}

#[test]
fn every_commit_reaches_the_location_byte_for_byte() {
    for b in backends() {
        eprintln!("backend {}", b.name);
        let rt = runtime();
        let _in = rt.enter();
        let data = tempfile::tempdir().unwrap();
        let e = open(data.path());
        commit(&e, 0, 20); // before replication: in its base snapshot
        let r = Replication::start(e.clone(), b.target.clone(), fast());
        let last = commit(&e, 20, 1500);
        wait_replicated(&r, last, Duration::from_secs(60));
        let report = r.status().report();
        assert_eq!(report.status, "ok");
        assert_eq!(report.errors_total, 0, "{report:?}");
        rt.block_on(async {
            let gens = b.target.list_generations().await.unwrap();
            assert_eq!(gens.len(), 1, "{gens:?}");
            let g = &gens[0];
            assert_eq!(report.generation.as_deref(), Some(g.generation.as_str()));
            assert!(g.lineage.is_some() && g.parent.is_none());
            let base = g.base_snapshot.clone().expect("a base snapshot");
            let m = b.target.read_manifest(&base).await.unwrap();
            assert_eq!(m.generation.as_deref(), Some(g.generation.as_str()));
            assert_eq!(m.next_seq, g.first_seq);
            assert!(m.commit_seq >= 20);
            let shipped = assert_pieces_match(&b.target, &g.generation, &local_frames(&e)).await;
            assert_eq!(shipped, last);
            r.stop(Duration::from_secs(10)).await;
        });
        e.close().unwrap();
    }
}

#[test]
fn an_outage_is_retried_reported_and_caught_up_and_held_wal_is_not_trimmed() {
    for mut b in backends() {
        eprintln!("backend {}", b.name);
        let rt = runtime();
        let _in = rt.enter();
        let data = tempfile::tempdir().unwrap();
        let e = open(data.path());
        let r = Replication::start(e.clone(), b.target.clone(), fast());
        let before = commit(&e, 0, 100);
        wait_replicated(&r, before, Duration::from_secs(30));
        let generation = r.status().report().generation.unwrap();

        b.outage();
        // Writes go on (several segments' worth), none refused.
        let last = commit(&e, 100, 600);
        let status = r.status().clone();
        wait_until(Duration::from_secs(30), "failures reported", || {
            let rep = status.report();
            rep.status == "failing" && rep.errors_total >= 2 && rep.last_error.is_some()
        });
        let rep = status.report();
        assert!(
            rep.replicated_seq < last && rep.lag_seconds > 0.0,
            "{rep:?}"
        );
        // A trim meanwhile keeps every segment holding what is not shipped.
        let snap = e.snapshot(SnapshotOrigin::Manual).unwrap();
        let plan = e.trim_wal(&snap.id, false).unwrap();
        assert!(
            plan.segments.iter().any(|s| s.reason.starts_with("held")),
            "{plan:#?}"
        );
        let hold = e.wal_hold().unwrap();
        assert!(hold <= rep.replicated_seq + 1, "hold {hold}, {rep:?}");
        assert!(
            segment::list_segments(&e.dir().wal()).unwrap()[0].first_seq <= hold,
            "the segment holding seq {hold} is still there"
        );

        b.recover();
        wait_replicated(&r, last, Duration::from_secs(60));
        let rep = status.report();
        assert_eq!(rep.status, "ok", "{rep:?}");
        assert!(rep.errors_total >= 2);
        rt.block_on(async {
            let gens = b.target.list_generations().await.unwrap();
            let now = rep.generation.clone().unwrap();
            if b.outage_loses_data() {
                // moto came back empty: a new generation from a fresh snapshot, which holds
                // everything committed during the outage.
                assert_eq!(gens.len(), 1);
                assert_ne!(now, generation);
                let g = &gens[0];
                let base = g.base_snapshot.as_deref().unwrap();
                let m = b.target.read_manifest(base).await.unwrap();
                assert_eq!(m.commit_seq, last);
            } else {
                assert_eq!(now, generation, "the same generation goes on");
                let shipped = assert_pieces_match(&b.target, &now, &local_frames(&e)).await;
                assert_eq!(shipped, last);
            }
            r.stop(Duration::from_secs(10)).await;
        });
        e.close().unwrap();
    }
}

#[test]
fn a_restart_continues_its_generation_and_a_restore_starts_a_new_one() {
    for b in backends() {
        eprintln!("backend {}", b.name);
        run_generations(&b);
    }
}

fn run_generations(b: &Backend) {
    let rt = runtime();
    let _in = rt.enter();
    let data = tempfile::tempdir().unwrap();
    let e = open(data.path());
    commit(&e, 0, 50);
    let base = e.snapshot(SnapshotOrigin::Manual).unwrap();
    let r = Replication::start(e.clone(), b.target.clone(), fast());
    let first_end = commit(&e, 50, 50);
    wait_replicated(&r, first_end, Duration::from_secs(30));
    let g1 = r.status().report().generation.unwrap();
    rt.block_on(r.stop(Duration::from_secs(10)));
    e.close().unwrap();
    drop(e);

    // A restart: the same generation goes on where it stopped.
    let e = open(data.path());
    let r = Replication::start(e.clone(), b.target.clone(), fast());
    let second_end = commit(&e, 100, 30);
    wait_replicated(&r, second_end, Duration::from_secs(30));
    assert_eq!(r.status().report().generation.as_deref(), Some(g1.as_str()));
    rt.block_on(r.stop(Duration::from_secs(10)));
    e.close().unwrap();
    drop(e);

    // Restore to seq 70: a new lineage, so a new generation branching from g1 at 70.
    let dir = stmgr::store::dir::DataDir::new(data.path());
    let _lock = dir.lock("restore").unwrap();
    let out = stmgr::store::offline::restore::restore(
        &dir,
        &base.id,
        stmgr::store::recovery::Target::Seq(70),
        &mut |_| {},
    )
    .unwrap();
    drop(_lock);
    assert_eq!(out.restored_seq, 70);
    let e = Engine::open(data.path(), EngineOptions { ..options() }, "test").unwrap();
    let r = Replication::start(e.clone(), b.target.clone(), fast());
    let third_end = commit(&e, 200, 20);
    assert!(third_end > second_end, "commit_seq never goes back");
    wait_replicated(&r, third_end, Duration::from_secs(30));
    let g2 = r.status().report().generation.unwrap();
    assert_ne!(g2, g1);
    rt.block_on(async {
        let gens = b.target.list_generations().await.unwrap();
        assert_eq!(
            gens.iter()
                .map(|g| g.generation.clone())
                .collect::<Vec<_>>(),
            vec![g1.clone(), g2.clone()]
        );
        let (old, new) = (&gens[0], &gens[1]);
        assert_ne!(old.lineage, new.lineage);
        let parent = new.parent.clone().expect("a parent");
        assert_eq!((parent.generation.as_str(), parent.seq), (g1.as_str(), 70));
        // The base snapshot is taken when the generation starts: the restored state at 70,
        // or with some of the new commits; pieces go on from its next seq, above every seq
        // g1 holds (the restore never reissues one).
        let m = b
            .target
            .read_manifest(new.base_snapshot.as_deref().unwrap())
            .await
            .unwrap();
        assert!(m.commit_seq == 70 || m.commit_seq > second_end, "{m:?}");
        assert_eq!(new.first_seq, m.next_seq);
        assert!(new.first_seq > second_end);
        // g1 is untouched by the new history.
        let (p1, _) = bucket_frames(&b.target, &g1).await;
        assert_eq!(p1.last().unwrap().last_seq, second_end);
        // On a busy machine the generation may start after every new commit: its base
        // snapshot then holds them all and it has no pieces yet.
        let shipped = if m.commit_seq >= third_end {
            m.commit_seq
        } else {
            assert_pieces_match(&b.target, &g2, &local_frames(&e)).await
        };
        assert_eq!(shipped, third_end);
        r.stop(Duration::from_secs(10)).await;
    });
    e.close().unwrap();
}
