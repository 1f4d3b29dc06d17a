//! A full disk, for real: the server runs on a small tmpfs of its own (a user and mount
//! namespace made with `unshare`, so no privilege is needed and nothing outside changes).
//! A snapshot must never take the WAL's room; when the WAL itself cannot grow, the engine is
//! poisoned, says why ("No space left on device"), and `/health` tells probes.

use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::server_cli::ServerProc;
use crate::util::{TestDir, stmgr_path, wait_until};

/// `stmgr server start` on a fresh tmpfs of `size` at `mnt`; its child and stderr lines.
fn server_on_tmpfs(t: &TestDir, size: &str, segment: &str) -> (Child, mpsc::Receiver<String>) {
    let mnt = t.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let script = format!(
        "mount -t tmpfs -o size={size} tmpfs '{mnt}' && exec '{bin}' server start \
         --listen 127.0.0.1:0 --data-dir '{mnt}/data' --snapshot-keep 0",
        mnt = mnt.display(),
        bin = stmgr_path().display(),
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", t.path().join("home"))
        .env("XDG_CONFIG_HOME", t.path().join("config"))
        .env("STMGR_WAL_SEGMENT_SIZE", segment);
    ServerProc::spawn_command(cmd)
}

/// A PUT of `bytes` of incompressible text; the status and the answer.
fn put(c: &reqwest::blocking::Client, url: &str, id: &str, bytes: usize) -> (u16, Value) {
    let mut text = String::with_capacity(bytes);
    let mut x: u64 = id.bytes().fold(0x9e37_79b9_7f4a_7c15, |a, b| {
        a.rotate_left(5) ^ u64::from(b)
    });
    while text.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        text.push_str(&format!("{x:016x}"));
    }
    let body = serde_json::json!({"id": id, "type": "blob", "body": {"data": text}});
    let resp = c
        .post(format!("{url}/v1/disk/objects"))
        .json(&body)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

#[test]
fn a_snapshot_never_takes_the_wals_room_and_a_full_wal_poisons_with_the_os_error() {
    let t = TestDir::new();
    let (mut child, lines) = server_on_tmpfs(&t, "20m", "2MiB");
    let url = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                panic!(
                    "the server did not start on a tmpfs: {:?}",
                    child.try_wait()
                )
            });
        if let Some(u) = line.split("listening on ").nth(1) {
            break u.trim().to_string();
        }
    };
    stmgr::client::install_crypto_provider();
    let c = reqwest::blocking::Client::new();
    // About 15 MiB of WAL in a 20 MiB file system: what is left cannot hold a snapshot of it.
    for i in 0..100 {
        let (status, body) = put(&c, &url, &format!("o{i}"), 150_000);
        assert_eq!(status, 200, "put {i}: {body}");
    }
    let resp = c.post(format!("{url}/admin/snapshot")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 500);
    let body: Value = resp.json().unwrap();
    let message = body["message"].as_str().unwrap_or_default().to_string();
    assert!(
        message.contains("free space") && message.contains("kept for the WAL"),
        "{body}"
    );
    // The snapshot stopped at the reserve and gave its space back: the WAL goes on, with room
    // for more than the reserve it kept.
    for i in 100..112 {
        let (status, body) = put(&c, &url, &format!("o{i}"), 150_000);
        assert_eq!(
            status, 200,
            "the engine still writes after the failed snapshot: {body}"
        );
    }
    // Until the WAL itself is out of room: that write fails, the engine refuses writes since,
    // and the answer and the log carry the OS error.
    let mut refused = None;
    for i in 112..400 {
        let (status, body) = put(&c, &url, &format!("o{i}"), 150_000);
        if status != 200 {
            refused = Some((status, body));
            break;
        }
    }
    let (status, body) = refused.expect("the disk fills up");
    assert!(status == 500 || status == 503, "{status} {body}");
    let (status, body) = put(&c, &url, "after", 10);
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("No space left on device"),
        "{body}"
    );
    let health = c.get(format!("{url}/health")).send().unwrap();
    assert_eq!(
        health.status().as_u16(),
        503,
        "probes see a poisoned engine"
    );
    let mut logged = Vec::new();
    wait_until(
        Duration::from_secs(10),
        "the ERROR line with the OS error",
        || {
            while let Ok(l) = lines.try_recv() {
                logged.push(l);
            }
            logged
                .iter()
                .any(|l| l.contains("ERROR") && l.contains("No space left on device"))
        },
    );
    let _ = child.kill();
    let _ = child.wait();
}
