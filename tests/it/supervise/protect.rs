//! State protection on a real moto server with real children: checkpoint and restore of a
//! state directory (a copy, never a move; the old directory kept aside; the process restarted),
//! damaged and missing checkpoints that change nothing, and the `db` stack's SQLite copies
//! with retention and the restore before the processes start on a fresh machine.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStoreExt;
use serde_json::Value;

use super::{Sup, pid_of};
use crate::backup::harness::{ACCESS_KEY, Moto, SECRET_KEY};
use crate::util::{TestDir, wait_until};

/// moto with the bucket `protect`, or `None` (skipped outside CI).
pub fn moto() -> Option<Moto> {
    let m = Moto::start()?;
    m.create_bucket("protect");
    Some(m)
}

/// The `[storage]` table (the Go State Manager's form) for `moto` under `prefix`.
pub fn storage(moto: &Moto, prefix: &str) -> String {
    format!(
        "[storage]\nbucket = 'protect'\nendpoint = '{}'\naccess_key = '{ACCESS_KEY}'\n\
         secret_key = '{SECRET_KEY}'\nkey_prefix = '{prefix}'\n",
        moto.endpoint()
    )
}

/// A raw client of moto's bucket, to damage objects as a failing store would.
pub fn raw(moto: &Moto) -> Arc<dyn object_store::ObjectStore> {
    stmgr::client::install_crypto_provider();
    Arc::new(
        object_store::aws::AmazonS3Builder::new()
            .with_bucket_name("protect")
            .with_endpoint(moto.endpoint())
            .with_region("us-east-1")
            .with_allow_http(true)
            .with_access_key_id(ACCESS_KEY)
            .with_secret_access_key(SECRET_KEY)
            .build()
            .expect("raw client"),
    )
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Keys under `prefix` in the bucket.
pub fn keys(moto: &Moto, prefix: &str) -> Vec<String> {
    use futures_util::TryStreamExt;
    let store = raw(moto);
    rt().block_on(async {
        store
            .list(Some(&object_store::path::Path::from(prefix)))
            .map_ok(|m| m.location.to_string())
            .try_collect::<Vec<_>>()
            .await
            .expect("list")
    })
}

/// `supervise ARGS -o json`: the parsed stdout (asserting success).
fn json(sup: &Sup, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let out = sup.cli(&all);
    assert!(out.status.success(), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The whole `GET /` answer.
pub fn overview(sup: &Sup) -> Value {
    json(sup, &["status"])
}

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(dir).unwrap().to_owned();
                out.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn checkpoint_copies_restore_swaps_and_bad_checkpoints_change_nothing() {
    let Some(moto) = moto() else { return };
    let t = TestDir::new();
    let app = t.path().join("app");
    std::fs::create_dir_all(app.join("sub")).unwrap();
    std::fs::write(app.join("a.txt"), "v1").unwrap();
    let blob: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(app.join("sub/b.bin"), &blob).unwrap();
    let procs = format!(
        "[process.app]\ncommand = 'sleep'\nargs = ['1000']\n{}\n[state]\ndir = '{}'\n",
        storage(&moto, "ck"),
        app.display()
    );
    let file = t.write("procs.toml", &procs);
    let sup = Sup::start_in(t, &["--config".into(), file.display().to_string()]);
    let pid = pid_of(&sup.wait_state("app", "RUNNING"));

    // A checkpoint is a copy: the directory is as it was, the process kept running (paused
    // and continued).
    let v1_files = files(&app);
    let c1 = json(&sup, &["checkpoint"]);
    let c1 = c1[0].clone();
    let id1 = c1["checkpoint_id"].as_str().unwrap().to_owned();
    assert!(id1.starts_with("ckpt-"), "{c1}");
    assert_eq!(c1["files"], 2);
    assert_eq!(c1["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(files(&app), v1_files);
    let p = sup.one("app");
    assert_eq!((p["state"].as_str(), pid_of(&p)), (Some("RUNNING"), pid));
    let stat = stmgr::supervisor::leftovers::stat(pid).expect("alive");
    assert_ne!(stat.state, 'T', "left stopped after the checkpoint");
    let stored = keys(&moto, "ck/supervise/checkpoints");
    assert!(
        stored
            .iter()
            .any(|k| k.ends_with(&format!("{id1}.tar.zst"))),
        "{stored:?}"
    );
    assert!(
        stored.iter().any(|k| k.ends_with(&format!("{id1}.json"))),
        "{stored:?}"
    );

    std::fs::write(app.join("a.txt"), "v2").unwrap();
    let c2 = json(&sup, &["checkpoint"])[0].clone();
    let id2 = c2["checkpoint_id"].as_str().unwrap().to_owned();
    std::fs::write(app.join("a.txt"), "v3").unwrap();
    std::fs::write(app.join("new.txt"), "only in v3").unwrap();
    std::fs::remove_file(app.join("sub/b.bin")).unwrap();
    let v3_files = files(&app);
    let listed = json(&sup, &["checkpoints"]);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["checkpoint_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id1.as_str(), id2.as_str()]);
    assert_eq!(
        overview(&sup)["last_checkpoint"]["checkpoint_id"],
        id2.as_str()
    );

    let unchanged = |what: &str| {
        assert_eq!(files(&app), v3_files, "{what} changed the directory");
        let p = sup.one("app");
        assert_eq!(pid_of(&p), pid, "{what} restarted the process");
        let parent: Vec<String> = std::fs::read_dir(app.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !parent
                .iter()
                .any(|n| n.contains(".restore-") || n.contains(".before-")),
            "{what} left {parent:?}"
        );
    };
    // A missing checkpoint.
    let out = sup.cli(&["restore", "ckpt-01ARZ3NDEKTSV4RRFFQ69G5FAV"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("no checkpoint"),
        "{err}"
    );
    unchanged("a missing checkpoint");
    let out = sup.cli(&["restore", "not-an-id"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    unchanged("a malformed id");
    // A damaged one: one byte flipped in the archive in the bucket.
    let store = raw(&moto);
    let key = object_store::path::Path::from(format!("ck/supervise/checkpoints/{id2}.tar.zst"));
    rt().block_on(async {
        let mut bytes = store
            .get(&key)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x55;
        store.put(&key, bytes.into()).await.unwrap();
    });
    let out = sup.cli(&["restore", &id2]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("corrupt") && err.contains("sha256"), "{err}");
    unchanged("a damaged checkpoint");
    // An archive gone from under its manifest.
    rt().block_on(async { store.delete(&key).await.unwrap() });
    let out = sup.cli(&["restore", &id2]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    unchanged("a checkpoint without its archive");

    // A good one: the directory is v1 again, v3 kept aside, the process restarted.
    let report = json(&sup, &["restore", &id1]);
    assert_eq!(report["checkpoint"]["checkpoint_id"], id1.as_str());
    assert_eq!(files(&app), v1_files);
    let aside = PathBuf::from(report["kept_aside"].as_str().expect("kept aside"));
    assert!(
        aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("app.before-{id1}-"))
    );
    assert_eq!(files(&aside), v3_files);
    let p = sup.wait_for("app", "running again", |p| {
        p["state"] == "RUNNING" && p["pid"].as_i64().is_some_and(|n| n as i32 != pid)
    });
    assert!(stmgr::supervisor::leftovers::stat(pid).is_none_or(|s| s.state == 'Z'));
    assert_ne!(pid_of(&p), pid);
}

fn write_rows(db: &Path, upto: i64) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT);",
    )
    .unwrap();
    let start: i64 = c
        .query_row("SELECT COALESCE(MAX(id), 0) FROM t", [], |r| r.get(0))
        .unwrap();
    let tx = c.unchecked_transaction().unwrap();
    for i in start + 1..=upto {
        tx.execute(
            "INSERT INTO t (id, v) VALUES (?1, ?2)",
            (i, format!("row {i}")),
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn count(db: &Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn sqlite_is_copied_with_retention_and_restored_before_start_on_a_fresh_machine() {
    let Some(moto) = moto() else { return };
    let t = TestDir::new();
    let data = t.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let db = data.join("app.db");
    write_rows(&db, 1000);
    // The process fails at once if the database is not there when it starts.
    let procs = format!(
        "stacks = ['db']\n[process.app]\ncommand = 'sh'\n\
         args = ['-c', 'test -f {db} || exit 3; exec sleep 1000']\n\
         {}\n[db]\npath = '{db}'\ninterval = '300ms'\nkeep = 3\n",
        storage(&moto, "sq"),
        db = db.display()
    );
    let file = t.write("procs.toml", &procs);
    let config_arg = ["--config".to_owned(), file.display().to_string()];
    let mut sup = Sup::start_in(t, &config_arg);
    sup.wait_state("app", "RUNNING");
    let copies = |sup: &Sup| overview(sup)["sqlite"]["copies"].as_u64().unwrap_or(0);
    wait_until(Duration::from_secs(30), "a first copy", || {
        copies(&sup) >= 1
    });
    write_rows(&db, 2500);
    let before = copies(&sup);
    wait_until(Duration::from_secs(30), "copies after the write", || {
        copies(&sup) >= before + 4
    });
    let o = overview(&sup);
    assert!(o["sqlite"]["lag_seconds"].is_number(), "{o}");
    assert!(o["sqlite_lag_ms"].is_u64(), "{o}");
    assert!(o["sqlite"]["last_error"].is_null(), "{o}");
    let (code, metrics) = sup.http("GET", "/metrics", None);
    assert_eq!(code, 200);
    assert!(
        metrics.contains("stmgr_supervise_sqlite_lag_seconds"),
        "{metrics}"
    );
    // Retention: at most `keep` manifests (one more while a copy is between its manifest and
    // its retention pass).
    wait_until(Duration::from_secs(10), "retention", || {
        let k = keys(&moto, "sq/supervise/sqlite/app");
        let manifests = k.iter().filter(|k| k.ends_with(".json")).count();
        let data = k.iter().filter(|k| k.ends_with(".sqlite.zst")).count();
        manifests <= 3 && data <= 3 && manifests >= 1
    });
    assert!(sup.stop().success());

    // A fresh machine: no database, no supervisor state. The newest copy is put in place
    // before the process starts (it would exit 3 otherwise).
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::remove_dir_all(&sup.state).unwrap();
    sup.spawn(&config_arg);
    let p = sup.wait_state("app", "RUNNING");
    assert!(
        p["last_exit"].is_null() && p["restarts"] == 0,
        "started before the restore: {p}"
    );
    let o = overview(&sup);
    assert!(o["sqlite"]["restored"].is_string(), "{o}");
    assert_eq!(count(&db), 2500);
}

/// A restore stops and restarts the processes, but not one an operator stopped by hand: it
/// stays `STOPPED` through the hold and after it, while the others run again.
#[test]
fn a_restore_leaves_a_process_stopped_by_hand_stopped() {
    let Some(moto) = moto() else { return };
    let t = TestDir::new();
    let app = t.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("a.txt"), "v1").unwrap();
    let procs = format!(
        "[process.app]\ncommand = 'sleep'\nargs = ['1000']\n\
         [process.side]\ncommand = 'sleep'\nargs = ['1000']\n{}\n[state]\ndir = '{}'\n",
        storage(&moto, "kept"),
        app.display()
    );
    let file = t.write("procs.toml", &procs);
    let sup = Sup::start_in(t, &["--config".into(), file.display().to_string()]);
    let app_pid = pid_of(&sup.wait_state("app", "RUNNING"));
    sup.wait_state("side", "RUNNING");
    let out = sup.cli(&["stop", "side"]);
    assert!(out.status.success(), "{out:?}");
    sup.wait_state("side", "STOPPED");

    let id = json(&sup, &["checkpoint"])[0]["checkpoint_id"]
        .as_str()
        .unwrap()
        .to_owned();
    json(&sup, &["restore", &id]);
    sup.wait_for("app", "running again", |p| {
        p["state"] == "RUNNING" && p["pid"].as_i64().is_some_and(|n| n as i32 != app_pid)
    });
    let side = sup.one("side");
    assert_eq!(side["state"], "STOPPED", "{side}");
    assert!(side["pid"].is_null(), "{side}");
    assert!(side.get("reason").is_none_or(Value::is_null), "{side}");
    // It is still the operator's to start.
    let out = sup.cli(&["start", "side"]);
    assert!(out.status.success(), "{out:?}");
    sup.wait_state("side", "RUNNING");
}

/// A bucket that does not exist is a one-line "not found" naming it (404 from the control
/// interface), not a 500 carrying S3's XML answer.
#[test]
fn a_missing_bucket_is_not_found_in_one_line() {
    let Some(moto) = moto() else { return };
    let t = TestDir::new();
    let app = t.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    let procs = format!(
        "[process.app]\ncommand = 'sleep'\nargs = ['1000']\n{}\n[state]\ndir = '{}'\n",
        storage(&moto, "nb").replace("'protect'", "'protect-missing'"),
        app.display()
    );
    assert!(procs.contains("protect-missing"), "{procs}");
    let file = t.write("procs.toml", &procs);
    let sup = Sup::start_in(t, &["--config".into(), file.display().to_string()]);
    sup.wait_state("app", "RUNNING");
    for args in [&["checkpoints"][..], &["checkpoint"][..]] {
        let out = sup.cli(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains("the bucket does not exist"),
            "{args:?}: {err}"
        );
        assert!(!err.contains('<'), "{args:?}: XML in {err}");
    }
}
