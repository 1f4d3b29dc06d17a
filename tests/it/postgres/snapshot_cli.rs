//! `stmgr snapshot [list|rm|prune] --backend postgres://…`: the snapshots stored in the
//! database, with no server involved (one running meanwhile), each command printing the
//! schema it prints on a data directory (the same key paths, both taken here); a snapshot
//! taken this way reads the log and stores a row without trimming; `rm` refuses the last
//! snapshot a server can start from unless `--force`; prune never needs to.

use std::collections::BTreeSet;

use serde_json::Value;

use super::harness::{Pg, Server};
use super::{put, rt};
use crate::snapshots::{data_dir_with, keys, stmgr_json};
use crate::util::TestDir;

fn meta(pg: &Pg) -> (i64, i64) {
    let row = pg
        .client()
        .query_one("SELECT commit_seq, compact_seq FROM stmgr_meta", &[])
        .unwrap();
    (row.get(0), row.get(1))
}

fn stored(pg: &Pg) -> Vec<String> {
    pg.client()
        .query("SELECT id FROM stmgr_snapshot ORDER BY commit_seq", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The commands of one contract, on a data directory: `snapshot` (twice), `list`,
/// `prune --keep-last 1 --dry-run`, `rm latest`.
fn on_data_dir() -> [Value; 4] {
    let t = TestDir::new();
    let data = data_dir_with(&t, 3);
    let dir = |c: &mut assert_cmd::Command| {
        c.arg("--data-dir").arg(&data);
    };
    let snap = stmgr_json(&t, dir, &["snapshot"]);
    stmgr_json(&t, dir, &["snapshot"]);
    let list = stmgr_json(&t, dir, &["snapshot", "list"]);
    let prune = stmgr_json(
        &t,
        dir,
        &["snapshot", "prune", "--keep-last", "1", "--dry-run"],
    );
    let rm = stmgr_json(&t, dir, &["snapshot", "rm", "latest"]);
    [snap, list, prune, rm]
}

#[test]
fn snapshot_commands_on_the_database_print_the_data_directory_schema_and_guard_the_floor() {
    let Some(pg) = Pg::start() else { return };
    let url = format!(
        "{}?stmgr_snapshot_every_commits=0&stmgr_log_keep=0",
        pg.url()
    );
    let a = Server::start_url(&url, &[]);
    let rt = rt();
    rt.block_on(async {
        for i in 1..=5u64 {
            put(&a.client(), &format!("k{i}"), i, None).await.unwrap();
        }
    });
    let t = TestDir::new();
    let none = |_: &mut assert_cmd::Command| {};
    let backend = ["--backend", url.as_str()];
    let with = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(backend.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let run = |args: &[&str]| {
        let v = with(args);
        let v: Vec<&str> = v.iter().map(String::as_str).collect();
        stmgr_json(&t, none, &v)
    };
    // Taken while A runs, of the state at the log's head; stored, nothing trimmed.
    let snap = run(&["snapshot"]);
    assert_eq!(snap["commit_seq"], 5, "{snap}");
    assert_eq!(snap["origin"], "manual", "{snap}");
    assert_eq!(snap["objects"], 5, "{snap}");
    let home = snap["shipped_to"].as_str().unwrap();
    assert!(home.ends_with("(stmgr_snapshot)"), "{home}");
    assert_eq!(stored(&pg), vec![snap["snapshot_id"].as_str().unwrap()]);
    assert_eq!(meta(&pg), (5, 0), "it does not trim");
    // The leader's snapshot at 10 trims the log to it: only that one reaches the log now.
    let newest = rt.block_on(async {
        for i in 6..=10u64 {
            put(&a.client(), &format!("k{i}"), i, None).await.unwrap();
        }
        a.client().snapshot().await.unwrap().snapshot_id
    });
    assert_eq!(meta(&pg), (10, 10));
    let list = run(&["snapshot", "list"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{list}");
    assert_eq!(rows[0]["snapshot_id"], snap["snapshot_id"]);
    assert_eq!(rows[1]["snapshot_id"], newest.as_str());
    assert_eq!(rows[1]["commit_seq"], 10);
    assert_eq!(rows[1]["objects"], 10, "read from the stored header");
    assert!(rows.iter().all(|r| r["error"].is_null()), "{list}");
    // The table names both.
    let table = t
        .stmgr()
        .args(with(&["snapshot", "list"]))
        .assert()
        .success();
    let table = String::from_utf8_lossy(&table.get_output().stdout).into_owned();
    assert!(table.contains("snapshot_id"), "{table}");
    assert!(table.contains(&newest), "{table}");

    let prune = run(&["snapshot", "prune", "--keep-last", "1", "--dry-run"]);
    assert_eq!(prune["removed"], 1, "{prune}");
    assert_eq!(stored(&pg).len(), 2, "a dry run");

    // The newest is the only one a server can start from: refused, one line, exit 1.
    let out = t
        .stmgr()
        .args(with(&["snapshot", "rm", "latest"]))
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(&format!("cannot remove {newest}")), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(stored(&pg).len(), 2);

    let rm = run(&["snapshot", "rm", snap["snapshot_id"].as_str().unwrap()]);
    assert_eq!(rm["snapshot_id"], snap["snapshot_id"]);
    assert_eq!(stored(&pg), vec![newest.clone()]);
    let unknown = t
        .stmgr()
        .args(with(&["snapshot", "rm", "snap-nope"]))
        .assert()
        .code(1);
    assert!(
        String::from_utf8_lossy(&unknown.get_output().stderr).contains("no snapshot snap-nope")
    );

    // The schema of each command is the data directory's.
    let [d_snap, d_list, d_prune, d_rm] = on_data_dir();
    for (what, db, dir) in [
        ("snapshot", &snap, &d_snap),
        ("snapshot list", &list, &d_list),
        ("snapshot prune", &prune, &d_prune),
        ("snapshot rm", &rm, &d_rm),
    ] {
        let k: BTreeSet<String> = keys(db);
        assert!(!k.is_empty(), "{what}: {db}");
        assert_eq!(k, keys(dir), "{what}: database {db} / data dir {dir}");
    }

    // A snapshot with a keep rule prunes the stored ones after it.
    let kept = run(&["snapshot", "--keep-last", "1"]);
    assert_eq!(kept["commit_seq"], 10, "{kept}");
    assert_eq!(kept["prune"]["removed"], 1, "{kept}");
    let latest = kept["snapshot_id"].as_str().unwrap().to_owned();
    assert_eq!(stored(&pg), vec![latest.clone()]);

    // `--force` removes the last one anyway.
    let forced = run(&["snapshot", "rm", "latest", "--force"]);
    assert_eq!(forced["snapshot_id"], latest.as_str());
    assert!(stored(&pg).is_empty());
    drop(a);
}
