//! Encryption at rest through the real binary: a server run with `ENCRYPTION_KEY` leaves no
//! plaintext in its data directory; `admin dump`, `admin verify` and `restore` take the key from
//! the environment, a key file or the config file; a missing, wrong or malformed key is a
//! clear error.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use predicates::prelude::*;
use stmgr::store::{EncryptionKey, Engine};

use crate::encryption::header_key_id;
use crate::engine::{options, put};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, stmgr_path};

/// base64 of the bytes 0..32.
const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
/// Another key, given raw (32 bytes).
const OTHER_KEY: &str = "0123456789abcdef0123456789abcdef";
const MARKER: &str = "PLAINTEXT-MARKER-5d1c0e";

fn id_of(key: &str) -> String {
    format!("{:08x}", EncryptionKey::parse(key.as_bytes()).unwrap().id())
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The files under `dir` whose bytes contain `needle`.
fn grep(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|p| {
            std::fs::read(p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
        })
        .collect()
}

fn dump_with(t: &TestDir, dir: &Path, var: &str, value: &str, extra: &[&str]) -> Vec<String> {
    let out = t
        .stmgr()
        .env(var, value)
        .args(["admin", "dump", "--data-dir"])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A data directory written by the library with `KEY`: `n` commits, a snapshot after `n / 2`.
fn sealed_dir(t: &TestDir, n: u64) -> (PathBuf, String) {
    let dir = t.path().join("state");
    let opts = stmgr::store::EngineOptions {
        encryption: Some(EncryptionKey::parse(KEY.as_bytes()).unwrap()),
        ..options()
    };
    let e = Engine::open(&dir, opts, "test").unwrap();
    let mut snap = String::new();
    for i in 1..=n {
        let op = put(
            "agent://enc",
            &format!("k{}", i % 7),
            &format!("{{\"m\":\"{MARKER}\",\"i\":{i}}}"),
        );
        e.commit_blocking(move |_| Ok((vec![op], ()))).unwrap();
        if i == n / 2 {
            snap = e
                .snapshot(stmgr::store::snapshot::SnapshotOrigin::Manual)
                .unwrap()
                .id;
        }
    }
    e.close().unwrap();
    (dir, snap)
}

#[test]
fn a_server_with_a_key_leaves_no_plaintext_and_reopens_with_it() {
    let t = TestDir::new();
    let data = t.path().join("state");
    let child = Command::new(stmgr_path())
        .args(["server", "start", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env_clear()
        .env("HOME", t.path().join("home"))
        .env("XDG_CONFIG_HOME", t.path().join("config"))
        .env("ENCRYPTION_KEY", KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Killed when dropped, also when an assertion fails on the way.
    let mut srv = ServerProc {
        child,
        url: String::new(),
        lines: std::sync::mpsc::channel().1,
    };
    let mut lines = BufReader::new(srv.child.stderr.take().unwrap()).lines();
    let (mut url, mut said_on) = (None, false);
    while url.is_none() || !said_on {
        let line = lines.next().expect("server output").unwrap();
        said_on |= line.contains(&format!("encryption at rest: on (key id {})", id_of(KEY)));
        if let Some(u) = line.split("listening on ").nth(1) {
            url = Some(u.trim().to_string());
        }
    }
    let url = url.unwrap();
    std::thread::spawn(move || lines.for_each(drop));
    let cli = |args: &[&str]| {
        t.stmgr()
            .args(["--server", &url])
            .args(args)
            .assert()
            .success();
    };
    let body = format!("{{\"note\":\"{MARKER}\"}}");
    for i in 0..10 {
        let id = format!("obj{i}");
        let tag = format!("secret={MARKER}");
        cli(&[
            "put",
            "agent://enc",
            &id,
            "--type",
            "note",
            "--body",
            &body,
            "--tag",
            &tag,
        ]);
    }
    cli(&["snapshot"]);
    for i in 10..20 {
        cli(&[
            "put",
            "agent://enc",
            &format!("obj{i}"),
            "--type",
            "note",
            "--body",
            &body,
        ]);
    }
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&srv.child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    assert!(srv.child.wait().unwrap().success());

    let all = files(&data);
    let wal: Vec<_> = all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "wal"))
        .collect();
    let snaps: Vec<_> = all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
        .collect();
    assert!(!wal.is_empty() && snaps.len() == 1, "{all:?}");
    let id = u32::from_str_radix(&id_of(KEY), 16).unwrap();
    for f in wal.iter().chain(&snaps) {
        assert_eq!(header_key_id(f), id, "{}", f.display());
    }
    for needle in [MARKER.as_bytes(), b"agent://enc", b"obj1"] {
        let found = grep(&data, needle);
        assert!(
            found.is_empty(),
            "{:?} found in {found:?}",
            String::from_utf8_lossy(needle)
        );
    }

    let dumped = dump_with(&t, &data, "ENCRYPTION_KEY", KEY, &[]);
    assert_eq!(dumped.len(), 20);
    assert!(dumped.iter().all(|l| l.contains(MARKER)), "{dumped:?}");
}

#[test]
fn a_missing_wrong_or_malformed_key_is_a_clear_error() {
    let t = TestDir::new();
    let (dir, snap) = sealed_dir(&t, 20);
    let no_panic = || predicate::str::contains("panicked").not();
    // No key: exit 12, the file and its key id named, what to do said.
    for cmd in [&["admin", "dump"][..], &["admin", "verify"], &["snapshot"]] {
        t.stmgr()
            .args(cmd)
            .arg("--data-dir")
            .arg(&dir)
            .assert()
            .code(12)
            .stderr(
                predicate::str::contains(format!("encrypted with key id {}", id_of(KEY)))
                    .and(predicate::str::contains("no encryption key is configured"))
                    .and(predicate::str::contains("ENCRYPTION_KEY"))
                    .and(no_panic()),
            );
    }
    t.stmgr()
        .args(["admin", "dump", "--data-dir"])
        .arg(&dir)
        .assert()
        .stderr(predicate::str::contains(format!("{snap}.snap")))
        .stdout("");
    // The wrong key: both ids named.
    t.stmgr()
        .env("ENCRYPTION_KEY", OTHER_KEY)
        .args(["admin", "dump", "--data-dir"])
        .arg(&dir)
        .assert()
        .code(12)
        .stderr(
            predicate::str::contains(format!(
                "encrypted with key id {}; the configured encryption key has id {}",
                id_of(KEY),
                id_of(OTHER_KEY)
            ))
            .and(no_panic()),
        )
        .stdout("");
    t.stmgr()
        .env("ENCRYPTION_KEY", OTHER_KEY)
        .args(["server", "start", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .timeout(Duration::from_secs(30))
        .assert()
        .code(12)
        .stderr(predicate::str::contains("configured encryption key has id").and(no_panic()));
    // A malformed key is a configuration error (exit 2) that names the variable, not the value.
    t.stmgr()
        .env("STMGR_ENCRYPTION_KEY", "not-a-key-hunter2")
        .args(["admin", "dump", "--data-dir"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("environment variable STMGR_ENCRYPTION_KEY")
                .and(predicate::str::contains("32 raw bytes"))
                .and(predicate::str::contains("hunter2").not()),
        );
}

#[test]
fn restore_dump_and_verify_take_the_key_from_env_file_or_config() {
    let t = TestDir::new();
    let (dir, snap) = sealed_dir(&t, 30);
    let latest = dump_with(&t, &dir, "ENCRYPTION_KEY", KEY, &[]);
    let at_20 = dump_with(&t, &dir, "STMGR_ENCRYPTION_KEY", KEY, &["--at-seq", "20"]);
    assert_ne!(latest, at_20);
    // A key file (raw bytes) and the config file's `encryption_key_file`.
    let raw: Vec<u8> = (0u8..32).collect();
    let key_file = t.path().join("stmgr.key");
    std::fs::write(&key_file, &raw).unwrap();
    assert_eq!(
        dump_with(
            &t,
            &dir,
            "STMGR_ENCRYPTION_KEY_FILE",
            key_file.to_str().unwrap(),
            &[]
        ),
        latest
    );
    let config = t.write(
        "conf/config.toml",
        "[engine]\nencryption_key_file = \"../stmgr.key\"\n",
    );
    t.stmgr()
        .args(["--config"])
        .arg(&config)
        .args(["admin", "verify", "--data-dir"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("CORRUPT").not());
    t.stmgr()
        .env("ENCRYPTION_KEY", KEY)
        .args([
            "restore",
            "--snapshot-id",
            &snap,
            "--to-seq",
            "20",
            "--yes",
            "--data-dir",
        ])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(dump_with(&t, &dir, "ENCRYPTION_KEY", KEY, &[]), at_20);
    // What restore wrote is sealed too.
    let id = u32::from_str_radix(&id_of(KEY), 16).unwrap();
    for f in files(&dir.join("snapshots"))
        .iter()
        .chain(&files(&dir.join("wal")))
    {
        assert_eq!(header_key_id(f), id, "{}", f.display());
    }
    assert!(grep(&dir, MARKER.as_bytes()).is_empty());
    let out = t
        .stmgr()
        .args(["snapshot", "list", "--output", "json", "--data-dir"])
        .arg(&dir)
        .assert()
        .success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r["key_id"] == id_of(KEY)),
        "{rows:?}"
    );
    t.stmgr()
        .env("ENCRYPTION_KEY", KEY)
        .args(["admin", "verify", "--data-dir"])
        .arg(&dir)
        .assert()
        .success();
}
