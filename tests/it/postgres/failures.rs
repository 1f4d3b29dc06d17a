//! Failures under load on the PostgreSQL backend, with real parts: PostgreSQL crashed and
//! restarted (`pg_ctl -m immediate stop`, then `pg_ctl -l logfile start`) while two servers
//! write; a server SIGKILLed at random moments, several rounds, while both write; the LISTEN
//! sessions ended by `pg_terminate_backend` while a watch follows the other server. Each
//! checks: every acknowledged write is there at its seq, no seq is returned twice, the log's
//! seqs are dense.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stmgr::client::{Client, ClientError};

use super::harness::{Pg, Server};
use super::{put, rt, watch};
use crate::util::wait_until;

type Acked = Arc<Mutex<Vec<(String, u64)>>>;

/// Puts `id` until it is acknowledged or `deadline`: refusals while the database is away
/// (503, or a connection the server dropped) are tried again; a write whose outcome was
/// unknown is tried again too (the acknowledged one is then the newest version).
async fn put_until_acked(c: &Client, id: &str, n: u64, deadline: Instant) -> u64 {
    loop {
        match put(c, id, n, None).await {
            Ok(seq) => return seq,
            Err(
                ClientError::Api { status: 503, .. }
                | ClientError::Transport { .. }
                | ClientError::Timeout { .. },
            ) => {
                assert!(Instant::now() < deadline, "{id} was never acknowledged");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("put {id}: {e}"),
        }
    }
}

/// Every acknowledged write is read back at its seq on `c`; no seq was acknowledged twice.
async fn check_acked(c: &Client, acked: &[(String, u64)]) {
    for (id, seq) in acked {
        let got = c.get("pg", id, None, None).await.unwrap();
        assert_eq!(got.commit_seq, *seq, "{id}");
    }
    let seqs: BTreeSet<u64> = acked.iter().map(|(_, s)| *s).collect();
    assert_eq!(seqs.len(), acked.len(), "a seq was acknowledged twice");
}

fn assert_dense(pg: &Pg) {
    let (count, min, max) = pg.log_range();
    assert_eq!((min, max), (1, count), "dense seqs from 1");
}

#[test]
fn a_postgres_crash_and_restart_under_write_load_loses_nothing_acknowledged() {
    let Some(pg) = Pg::start() else { return };
    let a = Server::start(&pg);
    let b = Server::start(&pg);
    let rt = rt();
    let acked: Acked = Arc::default();
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut tasks = Vec::new();
        for w in 0..4u64 {
            let c = if w % 2 == 0 { a.client() } else { b.client() };
            let acked = acked.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..40u64 {
                    let id = format!("w{w}-{i}");
                    let seq = put_until_acked(&c, &id, i, deadline).await;
                    acked.lock().unwrap().push((id, seq));
                }
            }));
        }
        while acked.lock().unwrap().len() < 30 {
            assert!(Instant::now() < deadline, "writes progress");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let at = acked.lock().unwrap().len();
        tokio::task::block_in_place(|| pg.crash_restart());
        let restarted = Instant::now();
        while acked.lock().unwrap().len() <= at + 4 {
            assert!(Instant::now() < deadline, "writes resume after the restart");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        eprintln!(
            "PostgreSQL restarted after {at} acknowledged writes; writes resumed within {:?}",
            restarted.elapsed()
        );
        for t in tasks {
            t.await.unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert_eq!(acked.len(), 160);
        check_acked(&a.client(), &acked).await;
        check_acked(&b.client(), &acked).await;
    });
    assert_dense(&pg);
    eprintln!(
        "reconciliations after a connection lost during COMMIT: {} on A, {} on B",
        a.logged("reconciling"),
        b.logged("reconciling")
    );
}

#[test]
fn sigkill_of_a_server_at_random_moments_over_several_rounds_leaves_no_gap_reuse_or_loss() {
    let Some(pg) = Pg::start() else { return };
    let a = Server::start(&pg);
    let rt = rt();
    let acked: Acked = Arc::default();
    for round in 0..3u64 {
        let b = Server::start(&pg);
        rt.block_on(async {
            let deadline = Instant::now() + Duration::from_secs(90);
            let mut tasks = Vec::new();
            for w in 0..4u64 {
                let on_b = w % 2 == 1;
                let c = if on_b { b.client() } else { a.client() };
                let acked = acked.clone();
                tasks.push(tokio::spawn(async move {
                    for i in 0..30u64 {
                        let id = format!("r{round}-w{w}-{i}");
                        if on_b {
                            // Writers on B stop at its first failure: it was killed.
                            match put(&c, &id, i, None).await {
                                Ok(seq) => acked.lock().unwrap().push((id, seq)),
                                Err(_) => return,
                            }
                        } else {
                            let seq = put_until_acked(&c, &id, i, deadline).await;
                            acked.lock().unwrap().push((id, seq));
                        }
                    }
                }));
            }
            // A moment that differs each round and run: 20-400 ms into the load.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos();
            let wait = Duration::from_millis(20 + u64::from(nanos % 380));
            tokio::time::sleep(wait).await;
            eprintln!("round {round}: SIGKILL of B after {wait:?}");
            tokio::task::block_in_place(|| b.kill());
            for t in tasks {
                t.await.unwrap();
            }
        });
    }
    rt.block_on(async {
        let acked = acked.lock().unwrap().clone();
        let on_a = acked
            .iter()
            .filter(|(id, _)| id.contains("-w0-") || id.contains("-w2-"));
        assert_eq!(on_a.count(), 180, "every write on A went through");
        check_acked(&a.client(), &acked).await;
    });
    assert_dense(&pg);
}

#[test]
fn a_terminated_listen_session_is_replaced_and_watches_keep_delivering() {
    let Some(pg) = Pg::start() else { return };
    let a = Server::start(&pg);
    let b = Server::start(&pg);
    let rt = rt();
    wait_until(Duration::from_secs(20), "both servers listen", || {
        pg.sessions("stmgr listener") == 2
    });
    rt.block_on(async {
        let (ca, cb) = (a.client(), b.client());
        let watcher = {
            let cb = b.client();
            tokio::spawn(async move { watch(&cb, 0, 40).await })
        };
        let mut acked = Vec::new();
        for i in 0..40u64 {
            if i == 10 || i == 25 {
                let ended = tokio::task::block_in_place(|| pg.terminate("stmgr listener"));
                assert_eq!(ended, 2, "both LISTEN sessions ended");
            }
            let id = format!("k{i}");
            acked.push((id.clone(), put(&ca, &id, i, None).await.unwrap()));
        }
        let seen = watcher.await.unwrap();
        assert_eq!(
            seen, acked,
            "B's watcher saw every write on A once, in order"
        );
        let _ = cb;
    });
    wait_until(Duration::from_secs(20), "both servers listen again", || {
        pg.sessions("stmgr listener") == 2
    });
    assert_dense(&pg);
}

/// A connection lost during COMMIT: a deferred trigger (it runs at COMMIT) holds the commit
/// of the writer's transaction while the test SIGKILLs that session's backend process (so the
/// client gets no error message, only a closed connection; PostgreSQL then restarts every
/// session and recovers). The server cannot tell from the broken connection whether the
/// batch committed; it reconciles by the batch's request
/// id (a new session takes the counter row and looks for it), finds it did not, and answers
/// 503. The seq was not consumed: the next write gets it.
///
/// The other outcome (committed, answer lost) cannot be forced from outside: nothing runs
/// between PostgreSQL writing the commit record and answering the client.
#[test]
fn a_connection_lost_during_commit_is_reconciled_by_its_request_id() {
    let Some(pg) = Pg::start() else { return };
    let a = Server::start(&pg);
    let rt = rt();
    rt.block_on(async { assert_eq!(put(&a.client(), "first", 1, None).await.unwrap(), 1) });
    pg.client()
        .batch_execute(
            "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$; \
             CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON stmgr_log \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();",
        )
        .unwrap();
    let ca = a.client();
    let pending = rt.spawn(async move { put(&ca, "lost", 2, None).await });
    let mut backend = 0;
    wait_until(Duration::from_secs(20), "the writer is in COMMIT", || {
        let rows = pg
            .client()
            .query(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'stmgr writer' \
                 AND state = 'active' AND query = 'COMMIT'",
                &[],
            )
            .unwrap();
        backend = rows.first().map_or(0, |r| r.get::<_, i32>(0));
        backend != 0
    });
    let pid = rustix::process::Pid::from_raw(backend).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::KILL).unwrap();
    let answer = rt.block_on(pending).unwrap();
    assert!(
        matches!(answer, Err(ClientError::Api { status: 503, .. })),
        "{answer:?}"
    );
    wait_until(
        Duration::from_secs(20),
        "the server logs the reconciliation",
        || a.logged("reconciling") == 1,
    );
    pg.client()
        .batch_execute("DROP TRIGGER slow_commit ON stmgr_log")
        .unwrap();
    rt.block_on(async {
        let c = a.client();
        assert!(matches!(
            c.get("pg", "lost", None, None).await,
            Err(ClientError::Api { status: 404, .. })
        ));
        assert_eq!(
            put(&c, "next", 3, None).await.unwrap(),
            2,
            "seq 2 was not consumed"
        );
    });
    assert_dense(&pg);
}
