//! Snapshots and trim on the PostgreSQL backend: `POST /admin/snapshot` stores the snapshot
//! in the database and says so; the leader trims `stmgr_log` below it (keeping the configured
//! tail) and records the floor; a server started afterwards starts from the snapshot plus the
//! tail (the trimmed rows are gone, so replaying the whole log cannot be what it did), serves
//! every object, resumes watches inside the tail and answers "compacted" below it; the leader
//! takes snapshots by itself after N commits.

use std::time::Duration;

use futures_util::StreamExt;

use super::harness::{Pg, Server};
use super::{put, rt, watch};
use crate::util::wait_until;

fn meta(pg: &Pg) -> (i64, i64) {
    let row = pg
        .client()
        .query_one("SELECT commit_seq, compact_seq FROM stmgr_meta", &[])
        .unwrap();
    (row.get(0), row.get(1))
}

fn stored(pg: &Pg) -> Vec<(String, i64)> {
    pg.client()
        .query(
            "SELECT id, commit_seq FROM stmgr_snapshot ORDER BY commit_seq",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[test]
fn a_snapshot_is_stored_the_log_trimmed_and_a_new_server_starts_from_it() {
    let Some(pg) = Pg::start() else { return };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=0&stmgr_log_keep=5",
        pg.url()
    );
    let a = Server::start_url(&url, &[]);
    let rt = rt();
    let snap_id = rt.block_on(async {
        let ca = a.client();
        for i in 1..=50u64 {
            assert_eq!(put(&ca, &format!("k{i}"), i, None).await.unwrap(), i);
        }
        let snap = ca.snapshot().await.unwrap();
        assert_eq!(snap.commit_seq, 50);
        let home = snap.shipped_to.expect("the answer says where it went");
        assert!(home.contains("stmgr_snapshot"), "{home}");
        assert!(home.starts_with("postgres://"), "{home}");
        snap.snapshot_id
    });
    assert_eq!(stored(&pg).len(), 1, "stored in the database");
    // A is the only server: the leader. The floor is min(snapshot 50, head 50 - keep 5).
    assert_eq!(meta(&pg), (50, 45));
    assert_eq!(pg.log_range(), (5, 46, 50), "rows 1..=45 are gone");

    // B can only start from the snapshot: the log no longer holds commits 1..=45.
    let b = Server::start_url(&url, &[]);
    assert_eq!(
        b.logged(&format!("after {snap_id}")),
        1,
        "B names its snapshot"
    );
    rt.block_on(async {
        let cb = b.client();
        for i in [1u64, 17, 45, 46, 50] {
            let got = cb.get("pg", &format!("k{i}"), None, None).await.unwrap();
            assert_eq!(
                got.commit_seq, i,
                "k{i} on the server started from the snapshot"
            );
        }
        // Inside the kept tail a watch resumes from the table; below it, "compacted".
        let seen = watch(&cb, 45, 5).await;
        let seqs: Vec<u64> = seen.iter().map(|(_, s)| *s).collect();
        assert_eq!(seqs, vec![46, 47, 48, 49, 50]);
        let events: Vec<_> = tokio::time::timeout(
            Duration::from_secs(30),
            cb.watch("pg", Some(10), None)
                .await
                .unwrap()
                .take(1)
                .collect::<Vec<_>>(),
        )
        .await
        .expect("the watch ends at once");
        let end = events.last().unwrap().as_ref().unwrap();
        assert_eq!(end.kind, "compacted", "{end:?}");
        assert_eq!(end.data["oldest_available"], 46, "{end:?}");
        // B writes after the snapshot; A reads it (seqs continue densely).
        assert_eq!(put(&cb, "after", 51, None).await.unwrap(), 51);
        let got = a.client().get("pg", "after", None, None).await.unwrap();
        assert_eq!(got.commit_seq, 51);
        // B is not the leader: its snapshot is stored, but it does not trim.
        let snap = cb.snapshot().await.unwrap();
        assert_eq!(snap.commit_seq, 51);
    });
    assert_eq!(stored(&pg).len(), 2);
    assert_eq!(meta(&pg), (51, 45), "only the leader trims");
    drop(a);
    drop(b);
}

#[test]
fn the_leader_snapshots_every_n_commits_and_trims_by_itself() {
    let Some(pg) = Pg::start() else { return };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=20&stmgr_log_keep=0&stmgr_snapshot_keep=2",
        pg.url()
    );
    let a = Server::start_url(&url, &[]);
    let b = Server::start_url(&url, &[]);
    let rt = rt();
    rt.block_on(async {
        let (ca, cb) = (a.client(), b.client());
        for i in 1..=70u64 {
            let c = if i % 2 == 0 { &ca } else { &cb };
            put(c, &format!("k{i}"), i, None).await.unwrap();
        }
    });
    wait_until(
        Duration::from_secs(60),
        "the leader stores a snapshot past commit 50 (the next would be due at 71 at the \
         earliest) and trims the log up to it",
        || {
            let s = stored(&pg);
            s.last()
                .is_some_and(|(_, seq)| *seq > 50 && meta(&pg).1 == *seq)
        },
    );
    let s = stored(&pg);
    assert!(
        !s.is_empty() && s.len() <= 2,
        "the database keeps 2 snapshots: {s:?}"
    );
    let (_, floor) = meta(&pg);
    assert_eq!(pg.log_range().1, if floor < 70 { floor + 1 } else { 0 });
    // A third server starts from the stored snapshot and sees everything.
    let c = Server::start_url(&url, &[]);
    rt.block_on(async {
        let cc = c.client();
        for i in [1u64, 35, 70] {
            let got = cc.get("pg", &format!("k{i}"), None, None).await.unwrap();
            assert_eq!(got.commit_seq, i);
        }
        assert_eq!(put(&cc, "next", 71, None).await.unwrap(), 71);
    });
}

#[test]
fn a_version_1_database_with_data_is_migrated_to_version_2_in_place() {
    let Some(pg) = Pg::start() else { return };
    let a = Server::start(&pg);
    let rt = rt();
    rt.block_on(async {
        for i in 1..=5u64 {
            put(&a.client(), &format!("k{i}"), i, None).await.unwrap();
        }
    });
    a.kill();
    // What stmgr with schema version 1 left: no snapshot tables.
    pg.client()
        .batch_execute(
            "DROP TABLE stmgr_snapshot_chunk; DROP TABLE stmgr_snapshot; \
             UPDATE stmgr_meta SET schema_version = 1",
        )
        .unwrap();
    let b = Server::start(&pg);
    let version: i32 = pg
        .client()
        .query_one("SELECT schema_version FROM stmgr_meta", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 2);
    rt.block_on(async {
        let cb = b.client();
        assert_eq!(cb.get("pg", "k5", None, None).await.unwrap().commit_seq, 5);
        assert_eq!(cb.snapshot().await.unwrap().commit_seq, 5);
        assert_eq!(put(&cb, "k6", 6, None).await.unwrap(), 6);
    });
    assert_eq!(stored(&pg).len(), 1);
}

/// `stmgr restore --backend URL --to-seq N`: from the stored snapshot at 10 plus the log
/// up to 15; refused while a server is connected and below what the log still reaches.
#[test]
fn restore_of_the_database_to_a_seq_from_its_snapshot_and_log() {
    let Some(pg) = Pg::start() else { return };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=0&stmgr_log_keep=0",
        pg.url()
    );
    let a = Server::start_url(&url, &[]);
    let rt = rt();
    let snap_id = rt.block_on(async {
        let ca = a.client();
        for i in 1..=10u64 {
            put(&ca, &format!("k{i}"), i, None).await.unwrap();
        }
        let id = ca.snapshot().await.unwrap().snapshot_id;
        for i in 11..=20u64 {
            put(&ca, &format!("k{i}"), i, None).await.unwrap();
        }
        id
    });
    assert_eq!(meta(&pg), (20, 10));
    let restore = |seq: &str| {
        crate::util::stmgr()
            .args(["restore", "--backend", &url, "--to-seq", seq, "--yes"])
            .args(["--output", "json"])
            .assert()
    };
    let out = restore("15").code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("stop them first"), "{err}");
    a.kill();
    wait_until(Duration::from_secs(20), "A's sessions end", || {
        pg.sessions("stmgr writer") + pg.sessions("stmgr listener") == 0
    });
    let out = restore("5").code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("trimmed up to 10"), "{err}");
    let out = restore("15").success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["restored_seq"], 15, "{v}");
    assert_eq!(v["replayed"], 5, "{v}");
    assert_eq!(v["from_snapshot"], snap_id.as_str(), "{v}");
    assert_eq!(v["next_seq"], 21, "{v}");
    assert_eq!(meta(&pg), (20, 20));
    let b = Server::start_url(&url, &[]);
    rt.block_on(async {
        let cb = b.client();
        assert_eq!(
            cb.get("pg", "k15", None, None).await.unwrap().commit_seq,
            15
        );
        for gone in ["k16", "k20"] {
            assert!(matches!(
                cb.get("pg", gone, None, None).await,
                Err(stmgr::client::ClientError::Api { status: 404, .. })
            ));
        }
        // Seqs 16..=20 were issued before: the next commit gets 21.
        assert_eq!(put(&cb, "after", 21, None).await.unwrap(), 21);
    });
}

/// `committed_at` of commit `seq` in `stmgr_log`.
fn committed_at(pg: &Pg, seq: i64) -> i64 {
    pg.client()
        .query_one(
            "SELECT committed_at FROM stmgr_log WHERE commit_seq = $1",
            &[&seq],
        )
        .unwrap()
        .get(0)
}

#[test]
fn restore_of_the_database_to_a_time_picks_the_newest_commit_at_or_before_it() {
    let Some(pg) = Pg::start() else { return };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=0&stmgr_log_keep=0",
        pg.url()
    );
    let a = Server::start_url(&url, &[]);
    let rt = rt();
    // Commits 10 and 15 each end a millisecond of their own: the commits after them are
    // made once the clock passed their time.
    let after = |ms: i64| {
        wait_until(Duration::from_secs(5), "the clock moves on", || {
            stmgr::time::now_ms() > ms
        })
    };
    rt.block_on(async {
        for i in 1..=10u64 {
            put(&a.client(), &format!("k{i}"), i, None).await.unwrap();
        }
    });
    let ts10 = committed_at(&pg, 10);
    after(ts10);
    rt.block_on(async {
        a.client().snapshot().await.unwrap();
        for i in 11..=15u64 {
            put(&a.client(), &format!("k{i}"), i, None).await.unwrap();
        }
    });
    let ts15 = committed_at(&pg, 15);
    after(ts15);
    rt.block_on(async {
        for i in 16..=20u64 {
            put(&a.client(), &format!("k{i}"), i, None).await.unwrap();
        }
    });
    assert_eq!(meta(&pg), (20, 10), "the log starts after the snapshot");
    a.kill();
    wait_until(Duration::from_secs(20), "A's sessions end", || {
        pg.sessions("stmgr writer") + pg.sessions("stmgr listener") == 0
    });
    let restore = |time: &str| {
        crate::util::stmgr()
            .args(["restore", "--backend", &url, "--to-time", time, "--yes"])
            .args(["--output", "json"])
            .assert()
    };
    let iso = |ms: i64| stmgr::time::format_ts(ms);
    let stderr = |out: &assert_cmd::assert::Assert| {
        String::from_utf8_lossy(&out.get_output().stderr).into_owned()
    };
    // Before everything still stored: the oldest time is the snapshot's (commit 10).
    let out = restore(&iso(ts10 - 1)).code(1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("the oldest time available is {}", iso(ts10))),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let out = restore("yesterday").code(2);
    assert!(stderr(&out).contains("RFC 3339"), "{}", stderr(&out));
    // Commit 15's time, written with an offset: commits 11..=15 replayed on the snapshot.
    let plus_one = chrono::DateTime::from_timestamp_millis(ts15)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
        .to_rfc3339();
    let out = restore(&plus_one).success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["restored_seq"], 15, "{v}");
    assert_eq!(v["replayed"], 5, "{v}");
    assert_eq!(v["next_seq"], 21, "{v}");
    // The log is now empty: a later time lands on the restored snapshot itself.
    let out = restore(&iso(ts15 + 1000)).success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["restored_seq"], 15, "{v}");
    assert_eq!(v["replayed"], 0, "{v}");
    // Commit 10's time is gone now (rolled back and trimmed): the oldest is commit 15's.
    let err = stderr(&restore(&iso(ts10)).code(1));
    assert!(
        err.contains(&format!("the oldest time available is {}", iso(ts15))),
        "{err}"
    );
    let b = Server::start_url(&url, &[]);
    rt.block_on(async {
        let cb = b.client();
        assert_eq!(
            cb.get("pg", "k15", None, None).await.unwrap().commit_seq,
            15
        );
        assert!(matches!(
            cb.get("pg", "k16", None, None).await,
            Err(stmgr::client::ClientError::Api { status: 404, .. })
        ));
    });
}

/// The ids of the snapshot files in a server's own directory.
fn local_snapshots(s: &Server) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(s.data_dir().join("snapshots"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".snap").map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_servers_local_copies_of_manual_snapshots_go_when_the_database_prunes_them() {
    let Some(pg) = Pg::start() else { return };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=0&stmgr_snapshot_keep=2",
        pg.url()
    );
    let a = Server::start_url(&url, &[]);
    let rt = rt();
    let mut taken = Vec::new();
    for i in 1..=4u64 {
        let id = rt.block_on(async {
            put(&a.client(), &format!("k{i}"), i, None).await.unwrap();
            a.client().snapshot().await.unwrap().snapshot_id
        });
        taken.push(id);
        let held: Vec<String> = stored(&pg).into_iter().map(|(id, _)| id).collect();
        let want: Vec<String> = taken.iter().rev().take(2).rev().cloned().collect();
        assert_eq!(held, want, "the database keeps the newest 2");
        let mut held = held;
        held.sort();
        assert_eq!(local_snapshots(&a), held, "the local copies follow it");
    }
}
