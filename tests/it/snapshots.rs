//! Snapshots and the admin commands as an operator meets them, against the real binary: one
//! JSON schema per command whether it runs through a server or on a data directory; which of
//! the two a command uses; a directory that is not a data directory; what an interrupted
//! snapshot leaves; a snapshot that fails (a 5xx with its cause, the metrics, the ERROR line);
//! and `admin verify`, `--repair` and `server start` when the WAL has lost its base.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use predicates::prelude::*;
use serde_json::Value;
use stmgr::store::Engine;

use crate::engine::{options, put};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes));
    })
}

/// Every key path of a JSON document (`a`, `a.b`, `a[].c`): two documents of one schema have
/// the same paths, whatever their values.
pub(crate) fn keys(v: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, at: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let path = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    out.insert(path.clone());
                    walk(v, &path, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{at}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

/// `stmgr ARGS --output json` with `setup` applied; its stdout as JSON.
pub(crate) fn stmgr_json(
    t: &TestDir,
    setup: impl FnOnce(&mut assert_cmd::Command),
    args: &[&str],
) -> Value {
    let mut cmd = t.stmgr();
    setup(&mut cmd);
    let out = cmd.args(args).args(["--output", "json"]).assert().success();
    json(&out.get_output().stdout)
}

/// A data directory with `n` objects written by an engine in this process (closed again).
pub(crate) fn data_dir_with(t: &TestDir, n: usize) -> std::path::PathBuf {
    let data = t.path().join("state");
    let e = Engine::open(&data, options(), "test").unwrap();
    for i in 0..n {
        let op = put("ns", &format!("k{i}"), &format!("{{\"i\":{i}}}"));
        e.commit_blocking(move |_| Ok((vec![op], ()))).unwrap();
    }
    e.close().unwrap();
    data
}

#[test]
fn every_admin_command_prints_one_schema_through_a_server_and_on_a_data_directory() {
    let t = TestDir::new();
    let data = data_dir_with(&t, 5);
    let srv = ServerProc::start(&t, &data);
    let url = srv.url.clone();
    let online = |c: &mut assert_cmd::Command| {
        c.args(["--server", &url]);
    };
    let snap_on = stmgr_json(&t, online, &["snapshot"]);
    let id = snap_on["snapshot_id"].as_str().unwrap().to_string();
    let kept_on = stmgr_json(
        &t,
        online,
        &["snapshot", "--tag", "nightly", "--keep-last", "5"],
    );
    let prune_on = stmgr_json(
        &t,
        online,
        &["snapshot", "prune", "--keep-last", "1", "--dry-run"],
    );
    let rm_on = stmgr_json(&t, online, &["snapshot", "rm", "latest"]);
    let list_on = stmgr_json(&t, online, &["snapshot", "list"]);
    let trim_on = stmgr_json(&t, online, &["trim-wal", "--snapshot-id", &id, "--dry-run"]);
    let dump_on = stmgr_json(&t, online, &["admin", "dump"]);
    assert_eq!(srv.terminate().code(), Some(0));

    let offline = |c: &mut assert_cmd::Command| {
        c.arg("--data-dir").arg(&data);
    };
    let snap_off = stmgr_json(&t, offline, &["snapshot"]);
    let kept_off = stmgr_json(
        &t,
        offline,
        &["snapshot", "--tag", "nightly", "--keep-last", "5"],
    );
    let prune_off = stmgr_json(
        &t,
        offline,
        &["snapshot", "prune", "--keep-last", "1", "--dry-run"],
    );
    let rm_off = stmgr_json(&t, offline, &["snapshot", "rm", "latest"]);
    let list_off = stmgr_json(&t, offline, &["snapshot", "list"]);
    let trim_off = stmgr_json(
        &t,
        offline,
        &["trim-wal", "--snapshot-id", &id, "--dry-run"],
    );
    let dump_off = stmgr_json(&t, offline, &["admin", "dump"]);

    // The documented schema of `snapshot` (and of POST /admin/snapshot).
    let documented: BTreeSet<String> = [
        "snapshot_id",
        "commit_seq",
        "last_seq",
        "next_seq",
        "created_at",
        "size",
        "objects",
        "entries",
        "key_id",
        "origin",
        "tags",
        "shipped_to",
        "prune",
    ]
    .map(String::from)
    .into();
    assert_eq!(keys(&snap_on), documented, "{snap_on}");
    assert_eq!(kept_on["tags"], serde_json::json!(["nightly"]));
    assert_eq!(kept_on["prune"]["policy"], "last 5");
    assert_eq!(prune_on["dry_run"], true);
    assert_eq!(rm_on["snapshot_id"], kept_on["snapshot_id"], "latest");
    for (what, on, off) in [
        ("snapshot", &snap_on, &snap_off),
        ("snapshot --keep-last", &kept_on, &kept_off),
        ("snapshot prune", &prune_on, &prune_off),
        ("snapshot rm", &rm_on, &rm_off),
        ("snapshot list", &list_on, &list_off),
        ("trim-wal", &trim_on, &trim_off),
        ("admin dump", &dump_on, &dump_off),
    ] {
        assert!(!keys(on).is_empty(), "{what}: {on}");
        assert_eq!(keys(on), keys(off), "{what}: server {on} / data dir {off}");
    }
    // Same values where both saw the same thing.
    assert_eq!(snap_on["commit_seq"], 5);
    assert_eq!(snap_on["last_seq"], 5);
    assert_eq!(snap_on["origin"], "manual");
    assert_eq!(snap_off["commit_seq"], 5);
    assert_eq!(dump_on, dump_off, "the same objects, field for field");
    assert_eq!(trim_on["snapshot_id"], trim_off["snapshot_id"]);
    let listed = list_off.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{list_off}");
    assert!(
        listed
            .iter()
            .all(|s| s["origin"] == "manual" && s["error"].is_null())
    );
    assert_eq!(list_on[0], listed[0], "the same row for the same snapshot");
}

#[test]
fn the_mode_follows_where_server_and_data_directory_are_configured() {
    let t = TestDir::new();
    let data = data_dir_with(&t, 3);
    let srv = ServerProc::start(&t, &data);
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["snapshot_id"].as_str().unwrap().to_string())
            .collect()
    };
    let taken = stmgr_json(
        &t,
        |c| {
            c.args(["--server", &srv.url]);
        },
        &["snapshot"],
    );
    let want = vec![taken["snapshot_id"].as_str().unwrap().to_string()];
    // The default data directory does not exist: only the server can answer these.
    let by_flag = stmgr_json(
        &t,
        |c| {
            c.args(["--server", &srv.url]);
        },
        &["snapshot", "list"],
    );
    let by_env = stmgr_json(
        &t,
        |c| {
            c.env("STMGR_SERVER", &srv.url);
        },
        &["snapshot", "list"],
    );
    t.write(
        "config/stmgr/config.toml",
        &format!("server = \"{}\"\n", srv.url),
    );
    let by_file = stmgr_json(&t, |_| {}, &["snapshot", "list"]);
    assert_eq!(ids(&by_flag), want);
    assert_eq!(by_flag, by_env);
    assert_eq!(
        by_flag, by_file,
        "server = … in the config file selects the server too"
    );

    // Both in the config file: the server, and a note naming the data directory not used.
    t.write(
        "config/stmgr/config.toml",
        &format!(
            "server = \"{}\"\ndata_dir = \"{}\"\n",
            srv.url,
            data.display()
        ),
    );
    t.stmgr()
        .args(["snapshot", "list", "--output", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(&want[0]))
        .stderr(predicate::str::contains("note: using the server"))
        .stderr(predicate::str::contains(data.display().to_string()));
    // A data directory given as a flag outranks the file's server: the offline form runs
    // (a snapshot beside the running server is refused), and the note says so.
    t.stmgr()
        .args(["snapshot", "--data-dir"])
        .arg(&data)
        .assert()
        .code(11)
        .stderr(predicate::str::contains("note: using the data directory"))
        .stderr(predicate::str::contains("stop the server first"));
    // -q silences the note, not the result.
    t.stmgr()
        .args(["snapshot", "list", "-q", "--output", "json"])
        .assert()
        .success()
        .stderr("");

    // Offline-only commands given a server say what they need instead of verifying the
    // default data directory.
    std::fs::remove_file(t.default_config_file()).unwrap();
    for (flag, env) in [(true, false), (false, true)] {
        for args in [
            &["admin", "verify"][..],
            &["restore", "--snapshot-id", "x", "--yes"],
        ] {
            let mut c = t.stmgr();
            if flag {
                c.args(["--server", &srv.url]);
            }
            if env {
                c.env("STMGR_SERVER", &srv.url);
            }
            c.args(args)
                .assert()
                .code(2)
                .stderr(predicate::str::contains("works on a data directory"))
                .stderr(predicate::str::contains("--data-dir"));
        }
    }
    // With a data directory as explicit as the server, they run on it.
    t.stmgr()
        .args(["--server", &srv.url, "admin", "verify", "--data-dir"])
        .arg(&data)
        .assert()
        .success();
}

#[test]
fn offline_commands_refuse_a_directory_that_is_not_a_data_directory() {
    let t = TestDir::new();
    let foreign = t.path().join("photos");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("holiday.jpg"), b"not a WAL").unwrap();
    let empty = t.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for dir in [&foreign, &empty] {
        let before = list_dir(dir);
        for args in [
            &["snapshot"][..],
            &["snapshot", "list"],
            &["trim-wal", "--snapshot-id", "snap-x"],
            &["admin", "verify"],
            &["admin", "verify", "--repair"],
            &["admin", "dump"],
            &["restore", "--snapshot-id", "snap-x", "--yes"],
        ] {
            t.stmgr()
                .args(args)
                .arg("--data-dir")
                .arg(dir)
                .assert()
                .code(1)
                .stderr(predicate::str::contains("is not an stmgr data directory"));
        }
        assert_eq!(
            list_dir(dir),
            before,
            "nothing created in {}",
            dir.display()
        );
    }
    t.stmgr()
        .args(["snapshot", "--data-dir"])
        .arg(&foreign)
        .assert()
        .stderr(predicate::str::contains("holiday.jpg"));
}

fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_temporary_file_of_an_interrupted_snapshot_goes_on_the_next_open() {
    let t = TestDir::new();
    let data = data_dir_with(&t, 2);
    let leftover = data
        .join("snapshots")
        .join(".tmp-snap-01M94WDXKRGH1NXX5P6NS719RQ");
    std::fs::write(&leftover, vec![7u8; 4096]).unwrap();
    t.stmgr()
        .args(["snapshot", "--data-dir"])
        .arg(&data)
        .assert()
        .success();
    assert!(!leftover.exists(), "an offline command removed it");
    std::fs::write(&leftover, vec![7u8; 4096]).unwrap();
    let srv = ServerProc::start(&t, &data);
    assert!(!leftover.exists(), "the server removed it before listening");
    let list = stmgr_json(
        &t,
        |c| {
            c.args(["--server", &srv.url]);
        },
        &["snapshot", "list"],
    );
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}

/// `GET url`: status and body.
fn blocking_get(url: &str) -> (u16, String) {
    stmgr::client::install_crypto_provider();
    let resp = reqwest::blocking::get(url).unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

/// The value of an unlabelled metric in Prometheus text.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in:\n{text}"))
}

#[test]
fn a_failed_snapshot_is_an_error_with_its_cause_counted_and_logged_at_error() {
    let t = TestDir::new();
    let data = data_dir_with(&t, 2);
    let (child, lines) = ServerProc::spawn(&t, &data, &["--snapshot-every", "1s"]);
    let mut srv = ServerProc::from_spawned(child, lines);
    let snapshots = data.join("snapshots");
    // Where the snapshots go is now a file: every snapshot fails with the OS's answer.
    std::fs::remove_dir_all(&snapshots).unwrap();
    std::fs::write(&snapshots, b"in the way").unwrap();
    stmgr::client::install_crypto_provider();
    let client = reqwest::blocking::Client::new();
    let resp = client
        .post(format!("{}/admin/snapshot", srv.url))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 500);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["error"], "storage_error", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("os error"),
        "the OS error is in the answer: {message}"
    );
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "snapshot"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "one error line: {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("os error"),
        "{stderr}"
    );
    // An automatic round fails too, is counted and logged at ERROR, and removes nothing.
    t.stmgr()
        .args([
            "--server", &srv.url, "put", "ns", "more", "--type", "t", "--body", "1",
        ])
        .assert()
        .success();
    wait_until(
        Duration::from_secs(20),
        "an automatic round to fail",
        || {
            metric(
                &blocking_get(&format!("{}/metrics", srv.url)).1,
                "snapshot_failures_total",
            ) >= 3.0
        },
    );
    let m = blocking_get(&format!("{}/metrics", srv.url)).1;
    assert_eq!(metric(&m, "snapshots_taken_total"), 0.0);
    assert_eq!(metric(&m, "last_snapshot_success_timestamp_seconds"), 0.0);
    // Out of the way again: the next automatic round succeeds, and says so in the metrics.
    std::fs::remove_file(&snapshots).unwrap();
    t.stmgr()
        .args([
            "--server", &srv.url, "put", "ns", "again", "--type", "t", "--body", "1",
        ])
        .assert()
        .success();
    wait_until(Duration::from_secs(20), "an automatic snapshot", || {
        metric(
            &blocking_get(&format!("{}/metrics", srv.url)).1,
            "snapshots_taken_total",
        ) >= 1.0
    });
    let m = blocking_get(&format!("{}/metrics", srv.url)).1;
    let last = metric(&m, "last_snapshot_success_timestamp_seconds");
    let now = chrono::Utc::now().timestamp() as f64;
    assert!((now - 60.0..=now + 1.0).contains(&last), "{last} vs {now}");
    let list = stmgr_json(
        &t,
        |c| {
            c.args(["--server", &srv.url]);
        },
        &["snapshot", "list"],
    );
    assert_eq!(list[0]["origin"], "automatic", "{list}");
    let status = srv.terminate_with_stderr();
    assert!(
        status.1.iter().any(|l| l.contains("ERROR")
            && l.contains("automatic snapshot failed")
            && l.contains("os error")),
        "{:#?}",
        status.1
    );
}

/// A data directory whose only snapshot is the base of a trimmed WAL, then damaged.
fn directory_without_base(t: &TestDir) -> (std::path::PathBuf, String) {
    let data = t.path().join("state");
    let opts = stmgr::store::EngineOptions {
        segment_size: 4096,
        ..options()
    };
    let e = Engine::open(&data, opts, "test").unwrap();
    let big = format!("\"{}\"", "x".repeat(1500));
    for i in 0..12 {
        let op = put("ns", &format!("k{i}"), &big);
        e.commit_blocking(move |_| Ok((vec![op], ()))).unwrap();
    }
    let snap = e
        .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
        .unwrap();
    let op = put("ns", "after", "1");
    e.commit_blocking(move |_| Ok((vec![op], ()))).unwrap();
    e.close().unwrap();
    drop(e);
    t.stmgr()
        .args(["trim-wal", "--snapshot-id", &snap.id, "--data-dir"])
        .arg(&data)
        .assert()
        .success();
    let path = data.join("snapshots").join(format!("{}.snap", snap.id));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[150] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    (data, snap.id)
}

#[test]
fn a_wal_without_its_base_is_reported_by_verify_repair_and_start_naming_the_snapshot() {
    let t = TestDir::new();
    let (data, id) = directory_without_base(&t);
    t.stmgr()
        .args(["admin", "verify", "--data-dir"])
        .arg(&data)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("NO BASE"))
        .stderr(predicate::str::contains(&id));
    let out = t
        .stmgr()
        .args(["admin", "verify", "--output", "json", "--data-dir"])
        .arg(&data)
        .assert()
        .code(1);
    let report = json(&out.get_output().stdout);
    assert!(
        report["base"]["problem"].as_str().unwrap().contains(&id),
        "{report}"
    );
    // The server refuses to start, and blames the damaged snapshot, not removed segments.
    let out = t
        .std_command()
        .args(["server", "start", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = stderr.lines().find(|l| l.starts_with("error: ")).unwrap();
    assert!(
        error.contains(&id) && error.contains("does not verify"),
        "{error}"
    );
    assert!(!error.contains("segments were removed"), "{error}");
    // A repair cannot bring the base back: it moves the snapshot aside and says the directory
    // still cannot be opened (exit 1, not 0).
    t.stmgr()
        .args(["admin", "verify", "--repair", "--data-dir"])
        .arg(&data)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot be opened"))
        .stderr(predicate::str::contains("aside"));
    assert!(data.join("aside").exists());
}
