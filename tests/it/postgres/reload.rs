//! A running server the log was trimmed past recovers by itself: A is SIGSTOPped while B (the
//! leader) writes, snapshots every few commits and trims the log to the snapshot; once
//! continued, A finds the gap, reloads the newest stored snapshot plus the log after it (its
//! log line and `log_reloads_total` say so), serves B's last write to a linearizable read,
//! ends the watch that was live on it before the stop with `compacted` (nothing delivered
//! past what it had, nothing twice), and writes again with dense seqs. A reload that fails
//! backs off instead of fetching at every idle tick.

use std::time::Duration;

use futures_util::StreamExt;

use super::harness::{Pg, Server};
use super::{put, rt};
use crate::util::wait_until;

fn meta(pg: &Pg) -> (i64, i64) {
    let row = pg
        .client()
        .query_one("SELECT commit_seq, compact_seq FROM stmgr_meta", &[])
        .unwrap();
    (row.get(0), row.get(1))
}

fn signal(s: &Server, sig: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(s.pid() as i32).unwrap();
    rustix::process::kill_process(pid, sig).unwrap();
}

/// The value of the unlabelled metric `name` on `s`.
fn metric(s: &Server, name: &str) -> f64 {
    let text = reqwest::blocking::get(format!("{}/metrics", s.url))
        .unwrap()
        .text()
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in:\n{text}"))
}

/// Waits until `c` serves `key` at `seq` (its reads fail until it has caught up), at most
/// `within`.
async fn served(c: &stmgr::client::Client, key: &str, seq: u64, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match c.get("pg", key, None, None).await {
            Ok(got) => {
                assert_eq!(got.commit_seq, seq, "{key}");
                return;
            }
            Err(e) => assert!(
                tokio::time::Instant::now() < deadline,
                "{key} never served: {e}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn a_server_the_log_was_trimmed_past_reloads_the_snapshot_and_goes_on() {
    let Some(pg) = Pg::start() else { return };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=10&stmgr_log_keep=0&stmgr_snapshot_keep=1",
        pg.url()
    );
    // B first: the leader, which snapshots and trims.
    let b = Server::start_url(&url, &[]);
    let a = Server::start_url(&url, &[]);
    let rt = rt();
    let (ca, cb) = (a.client(), b.client());
    let mut stream = rt.block_on(async {
        for i in 1..=3u64 {
            assert_eq!(put(&cb, &format!("k{i}"), i, None).await.unwrap(), i);
        }
        // A watch on A, live before the stop, has seen 1..=3.
        let mut stream = Box::pin(ca.watch("pg", Some(0), None).await.unwrap());
        let mut seen = Vec::new();
        while seen.len() < 3 {
            let ev = stream.next().await.unwrap().unwrap();
            if ev.kind == "put" || ev.kind == "message" {
                seen.push(ev.data["commit_seq"].as_u64().unwrap());
            }
        }
        assert_eq!(seen, vec![1, 2, 3]);
        stream
    });
    assert_eq!(metric(&a, "log_reloads_total"), 0.0);

    signal(&a, rustix::process::Signal::STOP);
    let last = rt.block_on(async {
        let mut last = 0;
        for i in 4..=40u64 {
            last = put(&cb, &format!("k{i}"), i, None).await.unwrap();
        }
        last
    });
    assert_eq!(last, 40);
    wait_until(
        Duration::from_secs(20),
        "the leader trims the log past A (seq 3)",
        || meta(&pg).1 >= 10,
    );
    signal(&a, rustix::process::Signal::CONT);

    rt.block_on(async {
        // A linearizable read on A sees B's last write.
        served(&ca, "k40", 40, Duration::from_secs(20)).await;
        let got = ca.get("pg", "k5", None, None).await.unwrap();
        assert_eq!(
            got.commit_seq, 5,
            "the state before the snapshot is there too"
        );
        // The watch live before the stop ends with `compacted`: its next commit (4) is gone.
        let end = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let ev = stream
                    .next()
                    .await
                    .expect("the stream ends with an event")
                    .unwrap();
                if ev.kind == "put" || ev.kind == "message" {
                    panic!("an event past the gap was delivered: {ev:?}");
                }
                if ev.kind == "compacted" {
                    return ev;
                }
            }
        })
        .await
        .expect("the watch ends");
        assert_eq!(end.data["from_commit"], 3, "{end:?}");
        let oldest = end.data["oldest_available"].as_u64().unwrap();
        assert!(oldest > 4, "{end:?}");
    });
    // The log line reaches stderr through the logger's writer thread: poll for it.
    wait_until(Duration::from_secs(10), "A logs the reload", || {
        a.logged("reloaded from the newest stored snapshot") > 0
    });
    assert_eq!(
        a.logged("reloaded from the newest stored snapshot"),
        1,
        "A says it reloaded, once"
    );
    assert_eq!(metric(&a, "log_reloads_total"), 1.0);
    let floor = meta(&pg).1 as u64;
    rt.block_on(async {
        // A writes afterwards: the seq after B's last.
        assert_eq!(put(&ca, "after", 41, None).await.unwrap(), 41);
        let got = cb.get("pg", "after", None, None).await.unwrap();
        assert_eq!(got.commit_seq, 41);
        // A new watch on A from inside the kept log is served from it.
        let mut s = Box::pin(ca.watch("pg", Some(floor), None).await.unwrap());
        let mut seqs = Vec::new();
        while seqs.last() != Some(&41) {
            let ev = tokio::time::timeout(Duration::from_secs(20), s.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if ev.kind == "put" || ev.kind == "message" {
                seqs.push(ev.data["commit_seq"].as_u64().unwrap());
            }
        }
        assert_eq!(seqs, (floor + 1..=41).collect::<Vec<_>>());
    });
    let (count, min, max) = pg.log_range();
    assert_eq!(max, 41);
    assert_eq!(count, max - min + 1, "seqs are dense");
}

/// A reload that cannot succeed (no stored snapshot reaches the floor: they were deleted) is
/// tried again with a backoff, not at every idle tick; once the leader stores a snapshot, the
/// server reloads it and serves again.
#[test]
fn a_reload_that_fails_backs_off_and_succeeds_once_a_snapshot_is_stored() {
    let Some(pg) = Pg::start() else { return };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=10&stmgr_log_keep=0&stmgr_snapshot_keep=1",
        pg.url()
    );
    let b = Server::start_url(&url, &[]);
    let a = Server::start_url(&url, &[]);
    let rt = rt();
    let (ca, cb) = (a.client(), b.client());
    rt.block_on(async {
        assert_eq!(put(&cb, "k1", 1, None).await.unwrap(), 1);
        assert_eq!(ca.get("pg", "k1", None, None).await.unwrap().commit_seq, 1);
    });
    signal(&a, rustix::process::Signal::STOP);
    rt.block_on(async {
        for i in 2..=25u64 {
            put(&cb, &format!("k{i}"), i, None).await.unwrap();
        }
    });
    wait_until(
        Duration::from_secs(20),
        "the leader trims the log past A (seq 1)",
        || meta(&pg).1 >= 10,
    );
    // Every stored snapshot gone: A cannot reload until one is stored again.
    pg.client()
        .batch_execute("DELETE FROM stmgr_snapshot")
        .unwrap();
    signal(&a, rustix::process::Signal::CONT);
    let failed = || a.logged("reloading from the newest stored snapshot failed");
    wait_until(Duration::from_secs(20), "A's reload fails", || failed() > 0);
    // A fixed observation window (not a wait for readiness): count the tries within it. At
    // every 200 ms idle tick A tried 20 times in 4 s; with the backoff (1 s, 2 s, …) at most 3.
    std::thread::sleep(Duration::from_secs(4));
    let tries = failed();
    assert!(
        (1..=4).contains(&tries),
        "{tries} failed reloads in about 4 s"
    );
    // The leader stores a snapshot; A reloads it at its next try and serves B's last write.
    rt.block_on(async {
        cb.snapshot().await.unwrap();
        served(&ca, "k25", 25, Duration::from_secs(30)).await;
        assert_eq!(put(&ca, "after", 26, None).await.unwrap(), 26);
    });
    wait_until(Duration::from_secs(10), "A logs the reload", || {
        a.logged("reloaded from the newest stored snapshot") > 0
    });
}
