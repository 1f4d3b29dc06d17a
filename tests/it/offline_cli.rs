//! The offline commands through the real binary: `snapshot`, `snapshot list`, `trim-wal`,
//! `restore`, `admin dump`, `admin verify [--repair]`, good and bad cases.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use stmgr::store::Engine;

use crate::engine::{options, put};
use crate::util::TestDir;

/// A data directory with `n` commits over two namespaces (small segments: several of them).
fn populated(t: &TestDir, n: u64) -> PathBuf {
    let dir = t.path().join("state");
    let e = Engine::open(&dir, options(), "test").unwrap();
    let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(500));
    for i in 1..=n {
        let ns = if i % 3 == 0 { "agent://b" } else { "agent://a" };
        let op = put(
            ns,
            &format!("k{}", i % 40),
            &body.replace('x', &(i % 10).to_string()),
        );
        e.commit_blocking(move |_| Ok((vec![op], ()))).unwrap();
    }
    e.close().unwrap();
    dir
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

fn take_snapshot(t: &TestDir, dir: &Path) -> serde_json::Value {
    let out = t
        .stmgr()
        .args(["snapshot", "--output", "json", "--data-dir"])
        .arg(dir)
        .assert()
        .success();
    json(&out.get_output().stdout)
}

fn dump(t: &TestDir, dir: &Path, extra: &[&str]) -> String {
    let out = t
        .stmgr()
        .args(["admin", "dump", "--data-dir"])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn snapshot_then_list_shows_it() {
    let t = TestDir::new();
    let dir = populated(&t, 120);
    let snap = take_snapshot(&t, &dir);
    assert_eq!(snap["commit_seq"], 120);
    assert_eq!(snap["objects"], 80);
    let id = snap["snapshot_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("snap-"));
    t.stmgr()
        .args(["snapshot", "list", "--data-dir"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(&id))
        .stdout(predicate::str::contains("120"));
    let out = t
        .stmgr()
        .args(["snapshot", "list", "--output", "json", "--data-dir"])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(
        json(&out.get_output().stdout)[0]["snapshot_id"],
        id.as_str()
    );
}

#[test]
fn offline_commands_refuse_a_missing_directory() {
    let t = TestDir::new();
    let missing = t.path().join("nope");
    for args in [
        &["snapshot"][..],
        &["snapshot", "list"],
        &["trim-wal", "--snapshot-id", "snap-x"],
        &["admin", "dump"],
        &["admin", "verify"],
        &["restore", "--snapshot-id", "snap-x", "--yes"],
    ] {
        t.stmgr()
            .args(args)
            .arg("--data-dir")
            .arg(&missing)
            .assert()
            .code(1)
            .stderr(
                predicate::str::starts_with("error: data directory")
                    .and(predicate::str::contains("does not exist")),
            );
    }
    assert!(
        !missing.exists(),
        "offline commands never create a data directory"
    );
}

#[test]
fn offline_commands_refuse_a_directory_a_server_holds() {
    let t = TestDir::new();
    let dir = populated(&t, 10);
    let snap = take_snapshot(&t, &dir);
    let id = snap["snapshot_id"].as_str().unwrap();
    let _server = Engine::open(&dir, options(), "stmgr server start").unwrap();
    for args in [
        &["snapshot"][..],
        &["trim-wal", "--snapshot-id", id],
        &["restore", "--snapshot-id", id, "--yes"],
        &["admin", "verify", "--repair"],
    ] {
        t.stmgr()
            .args(args)
            .arg("--data-dir")
            .arg(&dir)
            .assert()
            .code(11)
            .stderr(predicate::str::contains("stop the server first"))
            .stderr(predicate::str::contains("stmgr server start"));
    }
    // Read-only commands work beside it.
    assert_eq!(dump(&t, &dir, &[]).lines().count(), 10);
    t.stmgr()
        .args(["admin", "verify", "--data-dir"])
        .arg(&dir)
        .assert()
        .success();
}

#[test]
fn unknown_snapshot_id_is_an_error() {
    let t = TestDir::new();
    let dir = populated(&t, 5);
    for args in [
        &["trim-wal", "--snapshot-id", "snap-NOPE"][..],
        &["restore", "--yes", "--snapshot-id", "snap-NOPE"],
        &["trim-wal", "--snapshot-id", "../../etc/passwd"],
    ] {
        t.stmgr()
            .args(args)
            .arg("--data-dir")
            .arg(&dir)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("no snapshot"));
    }
}

#[test]
fn trim_wal_dry_run_then_trim_keeps_the_state() {
    let t = TestDir::new();
    let dir = populated(&t, 400);
    let id = take_snapshot(&t, &dir)["snapshot_id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = dump(&t, &dir, &[]);
    let segs = || std::fs::read_dir(dir.join("wal")).unwrap().count();
    let n = segs();
    assert!(n > 2, "test needs several segments, has {n}");
    let out = t
        .stmgr()
        .args([
            "trim-wal",
            "--dry-run",
            "--output",
            "json",
            "--snapshot-id",
            &id,
            "--data-dir",
        ])
        .arg(&dir)
        .assert()
        .success();
    let plan = json(&out.get_output().stdout);
    assert_eq!(plan["deleted"].as_array().unwrap().len(), n - 1);
    assert_eq!(segs(), n, "dry run removes nothing");
    t.stmgr()
        .args(["trim-wal", "--snapshot-id", &id, "--data-dir"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("removed"))
        .stdout(predicate::str::contains("active segment"));
    assert_eq!(segs(), 1);
    assert_eq!(dump(&t, &dir, &[]), before);
}

#[test]
fn trim_wal_refuses_a_damaged_snapshot() {
    let t = TestDir::new();
    let dir = populated(&t, 50);
    let id = take_snapshot(&t, &dir)["snapshot_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = dir.join("snapshots").join(format!("{id}.snap"));
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    let segs = std::fs::read_dir(dir.join("wal")).unwrap().count();
    t.stmgr()
        .args(["trim-wal", "--snapshot-id", &id, "--data-dir"])
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("corruption in").and(predicate::str::contains(&id)));
    assert_eq!(std::fs::read_dir(dir.join("wal")).unwrap().count(), segs);
}

#[test]
fn restore_to_a_seq_matches_the_dump_at_that_seq() {
    let t = TestDir::new();
    let dir = populated(&t, 30);
    let id = take_snapshot(&t, &dir)["snapshot_id"]
        .as_str()
        .unwrap()
        .to_string();
    let e = Engine::open(&dir, options(), "test").unwrap();
    for i in 0..30 {
        let op = put("agent://a", &format!("late{i}"), "1");
        e.commit_blocking(move |_| Ok((vec![op], ()))).unwrap();
    }
    drop(e);
    let at_45 = dump(&t, &dir, &["--at-seq", "45"]);
    // No TTY and no --yes: refused, nothing changed.
    t.stmgr()
        .args([
            "restore",
            "--snapshot-id",
            &id,
            "--to-seq",
            "45",
            "--data-dir",
        ])
        .arg(&dir)
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    t.stmgr()
        .args([
            "restore",
            "--yes",
            "--snapshot-id",
            &id,
            "--to-seq",
            "45",
            "--data-dir",
        ])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("45"))
        .stdout(predicate::str::contains("61"));
    assert_eq!(dump(&t, &dir, &[]), at_45);
    assert!(
        dir.join("aside").read_dir().unwrap().count() == 1,
        "previous contents moved aside"
    );
    // Beyond the end of the log: an error, nothing changed.
    t.stmgr()
        .args(["restore", "--yes", "--snapshot-id"])
        .arg(take_snapshot(&t, &dir)["snapshot_id"].as_str().unwrap())
        .args(["--to-seq", "9999", "--data-dir"])
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("never written"));
    t.stmgr()
        .args([
            "restore",
            "--yes",
            "--snapshot-id",
            "snap-x",
            "--to-time",
            "yesterday",
            "--data-dir",
        ])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("RFC 3339"));
}

#[test]
fn dump_formats_and_filters() {
    let t = TestDir::new();
    let dir = populated(&t, 9);
    let lines = dump(&t, &dir, &["--ns", "agent://b"]);
    assert_eq!(lines.lines().count(), 3);
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["ns"], "agent://b");
    assert_eq!(first["id"], "k3");
    assert_eq!(first["commit_seq"], 3);
    assert!(first["body"]["pad"].is_string());
    let all = json(dump(&t, &dir, &["--output", "json"]).as_bytes());
    assert_eq!(all.as_array().unwrap().len(), 9);
    assert_eq!(dump(&t, &dir, &["--at-seq", "4"]).lines().count(), 4);
    assert!(dump(&t, &dir, &["--output", "table"]).contains("agent://a"));
}

#[test]
fn verify_reports_corruption_with_file_and_offset_and_repair_cuts_it() {
    let t = TestDir::new();
    let dir = populated(&t, 100);
    let before_at_5 = dump(&t, &dir, &["--at-seq", "5"]);
    t.stmgr()
        .args(["admin", "verify", "--data-dir"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"));
    let first = dir.join("wal").join("00000000000000000001.wal");
    let mut bytes = std::fs::read(&first).unwrap();
    let off = 64 + 6 * 540; // well inside the first segment
    bytes[off] ^= 0x40;
    std::fs::write(&first, bytes).unwrap();
    t.stmgr()
        .args(["admin", "verify", "--data-dir"])
        .arg(&dir)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CORRUPT"))
        .stderr(predicate::str::contains(
            "00000000000000000001.wal at offset",
        ));
    // The engine refuses to start on it, naming the file.
    let err = Engine::open(&dir, options(), "test").expect_err("refused");
    assert!(
        err.to_string().contains("00000000000000000001.wal"),
        "{err}"
    );
    t.stmgr()
        .args(["admin", "verify", "--repair", "--data-dir"])
        .arg(&dir)
        .assert()
        .success()
        .stderr(predicate::str::contains("truncated at offset"));
    assert!(
        std::fs::read_dir(dir.join("aside"))
            .unwrap()
            .next()
            .is_some(),
        "cut bytes kept"
    );
    let e = Engine::open(&dir, options(), "test").unwrap();
    assert!(e.recovery().commit_seq >= 5 && e.recovery().commit_seq < 100);
    // The cut commits' seqs are never issued again.
    let next = e
        .commit_blocking(|_| Ok((vec![put("agent://a", "after-repair", "1")], ())))
        .unwrap()
        .0
        .seq;
    assert!(next > 100, "seq {next} reuses a seq that was cut");
    drop(e);
    t.stmgr()
        .args(["admin", "verify", "--data-dir"])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(dump(&t, &dir, &["--at-seq", "5"]), before_at_5);
}

#[test]
fn torn_tail_is_cut_on_open_with_a_warning() {
    let t = TestDir::new();
    let dir = populated(&t, 3);
    let seg = dir.join("wal").join("00000000000000000001.wal");
    let mut f = std::fs::OpenOptions::new().append(true).open(&seg).unwrap();
    std::io::Write::write_all(&mut f, b"\x40\x00\x00\x00partial frame").unwrap();
    t.stmgr()
        .args(["admin", "verify", "--data-dir"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("torn tail"));
    let e = Engine::open(&dir, options(), "test").unwrap();
    assert_eq!(e.recovery().commit_seq, 3);
    assert!(e.recovery().truncated_tail.is_some());
    assert_eq!(
        e.commit_blocking(|_| Ok((vec![put("agent://a", "n", "1")], ())))
            .unwrap()
            .0
            .seq,
        4
    );
}
