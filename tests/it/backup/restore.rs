//! `stmgr restore --from` a backup location, local directory and moto alike: a fresh data
//! directory gets the source's exact objects at the target seq (snapshot + WAL pieces of a
//! generation); `--dry-run` prints the plan and changes nothing; a damaged piece fails with
//! its key and changes nothing; an unreachable bucket exits 10.

use std::path::Path;

use serde_json::Value;
use stmgr::backup::{Location, NewGeneration, PieceData, Target, UploadInfo};
use stmgr::store::files;
use stmgr::store::snapshot::{SnapshotOrigin, snapshot_path};
use stmgr::store::{Engine, EngineOptions};

use super::harness::{ACCESS_KEY, SECRET_KEY, backends, free_port, runtime};
use crate::engine::{options, put};
use crate::util::TestDir;

/// A source directory: 60 commits in small segments, a snapshot after commit 20; its id.
fn source(dir: &Path) -> String {
    let e = Engine::open(
        dir,
        EngineOptions {
            segment_size: 4096,
            ..options()
        },
        "restore test",
    )
    .expect("open engine");
    let mut snap = String::new();
    for i in 0..60 {
        let op = put(
            "r",
            &format!("obj-{i:02}"),
            &format!("{{\"i\":{i},\"pad\":\"{}\"}}", "p".repeat(90)),
        );
        e.commit_blocking(move |_| Ok((vec![op], ())))
            .expect("commit");
        if i == 19 {
            snap = e.snapshot(SnapshotOrigin::Manual).expect("snapshot").id;
        }
    }
    e.close().expect("close");
    snap
}

/// Uploads the snapshot and every segment of `dir` as pieces of one generation.
async fn ship(t: &Target, dir: &Path, snap: &str) {
    let d = stmgr::store::dir::DataDir::new(dir);
    t.upload_snapshot(&snapshot_path(&d.snapshots(), snap), UploadInfo::default())
        .await
        .expect("upload snapshot");
    let g = t
        .create_generation(NewGeneration {
            first_seq: 1,
            reason: "test".into(),
            ..Default::default()
        })
        .await
        .expect("generation");
    let segs = files::wal_segments(&d).expect("segments");
    assert!(segs.len() > 2, "several segments: {}", segs.len());
    for (i, s) in segs.iter().enumerate() {
        let last = segs.get(i + 1).map_or(60, |n| n.first_seq - 1);
        t.upload_wal_piece(
            &g.generation,
            s.first_seq,
            last,
            None,
            PieceData::File(&s.path),
        )
        .await
        .expect("upload piece");
    }
}

fn url(l: &Location) -> String {
    l.to_string()
}

fn stmgr(t: &TestDir) -> assert_cmd::Command {
    let mut c = t.stmgr();
    c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// The ids of `admin dump` on `dir`.
fn dump_ids(t: &TestDir, dir: &Path) -> Vec<String> {
    let out = stmgr(t)
        .args(["admin", "dump", "--data-dir"])
        .arg(dir)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout)
        .lines()
        .map(|l| json(l.as_bytes())["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn restore_from_a_location_reproduces_the_source_at_the_target_seq() {
    let src = tempfile::tempdir().unwrap();
    let data = src.path().join("data");
    let snap = source(&data);
    for b in backends() {
        eprintln!("backend {}", b.name);
        runtime().block_on(ship(&b.target, &data, &snap));
        let t = TestDir::new();
        let fresh = t.path().join("fresh");

        // The plan: the snapshot at 20, the pieces from 21 to 45; nothing written.
        let out = stmgr(&t)
            .args([
                "restore",
                "--from",
                &url(&b.location),
                "--to-seq",
                "45",
                "--dry-run",
            ])
            .args(["--output", "json", "--data-dir"])
            .arg(&fresh)
            .assert()
            .success();
        let plan = json(&out.get_output().stdout);
        assert_eq!(plan["snapshot_id"], snap.as_str(), "{plan}");
        assert_eq!(plan["snapshot_commit_seq"], 20);
        let wal = plan["wal"].as_array().unwrap();
        assert!(wal[0]["first_seq"].as_u64().unwrap() <= 21, "{plan}");
        assert!(
            wal.last().unwrap()["last_seq"].as_u64().unwrap() >= 45,
            "{plan}"
        );
        assert!(plan["bytes_to_fetch"].as_u64().unwrap() > 0);
        assert!(!fresh.exists(), "a dry run creates nothing");

        let out = stmgr(&t)
            .args([
                "restore",
                "--from",
                &url(&b.location),
                "--to-seq",
                "45",
                "--yes",
            ])
            .args(["--output", "json", "--data-dir"])
            .arg(&fresh)
            .assert()
            .success();
        let done = json(&out.get_output().stdout);
        assert_eq!(done["restored_seq"], 45, "{done}");
        assert_eq!(done["from_snapshot"], snap.as_str());
        let want: Vec<String> = (0..45).map(|i| format!("obj-{i:02}")).collect();
        assert_eq!(
            dump_ids(&t, &fresh),
            want,
            "exactly the source's objects at seq 45"
        );

        // Without a snapshot: `latest` of the WAL from seq 1 works too (a second fresh dir).
        let fresh2 = t.path().join("fresh2");
        runtime().block_on(async { b.target.delete_snapshot(&snap).await.unwrap() });
        stmgr(&t)
            .args([
                "restore",
                "--from",
                &url(&b.location),
                "--yes",
                "--data-dir",
            ])
            .arg(&fresh2)
            .assert()
            .success();
        let want: Vec<String> = (0..60).map(|i| format!("obj-{i:02}")).collect();
        assert_eq!(dump_ids(&t, &fresh2), want);
    }
}

#[test]
fn a_damaged_piece_fails_with_its_key_and_changes_nothing() {
    let src = tempfile::tempdir().unwrap();
    let data = src.path().join("data");
    let snap = source(&data);
    for b in backends() {
        eprintln!("backend {}", b.name);
        runtime().block_on(ship(&b.target, &data, &snap));
        let gens = runtime().block_on(b.target.list_generations()).unwrap();
        let g = &gens[0].generation;
        let pieces = runtime().block_on(b.target.list_wal(g)).unwrap().pieces;
        let victim = pieces.last().unwrap();
        let key = format!(
            "wal/{g}/{:020}-{:020}.wal",
            victim.first_seq, victim.last_seq
        );
        runtime().block_on(async {
            let mut bytes = b.raw_get(&key).await;
            let at = bytes.len() / 2;
            bytes[at] ^= 0xff;
            b.raw_put(&key, bytes).await;
        });
        let t = TestDir::new();
        let fresh = t.path().join("fresh");
        let out = stmgr(&t)
            .args([
                "restore",
                "--from",
                &url(&b.location),
                "--yes",
                "--data-dir",
            ])
            .arg(&fresh)
            .assert()
            .code(1);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(&key) && err.contains("sha256"), "{err}");
        assert_eq!(err.lines().count(), 1, "one error line: {err}");
        let snaps = fresh.join("snapshots");
        assert!(
            std::fs::read_dir(&snaps).map_or(true, |mut d| d.next().is_none()),
            "nothing restored"
        );
        assert!(
            !fresh.join(".restore-fetch").exists(),
            "nothing fetched left behind"
        );
    }
}

#[test]
fn an_unreachable_bucket_exits_10_and_a_bad_location_2() {
    let t = TestDir::new();
    let port = free_port();
    let loc = format!("s3://stmgr-test/x?endpoint=http://127.0.0.1:{port}");
    for args in [
        vec!["snapshot", "list", "--from", &loc],
        vec!["snapshot", "prune", "--from", &loc, "--keep-last", "1"],
        vec!["restore", "--from", &loc, "--dry-run"],
    ] {
        let out = stmgr(&t).args(&args).assert().code(10);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            err.starts_with("error: ") && err.contains("unreachable"),
            "{args:?}: {err}"
        );
        assert!(!err.contains(SECRET_KEY), "{err}");
    }
    stmgr(&t)
        .args(["snapshot", "list", "--from", "ftp://x/y"])
        .assert()
        .code(2);
    // A local directory that does not exist is a typo, not an empty location.
    let missing = format!("file://{}", t.path().join("no-such-dir").display());
    for args in [
        vec!["snapshot", "list", "--from", &missing],
        vec!["snapshot", "prune", "--from", &missing, "--keep-last", "1"],
        vec!["restore", "--from", &missing, "--dry-run"],
    ] {
        let out = stmgr(&t).args(&args).assert().code(1).stdout("");
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            err.starts_with("error: ") && err.contains("does not exist"),
            "{args:?}: {err}"
        );
    }
    assert!(!t.path().join("no-such-dir").exists(), "nothing created");
}
