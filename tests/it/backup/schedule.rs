//! The scheduled-backup recipes of docs/operations/backup-and-restore.md run as written: the
//! cron line (its command, through `sh`, as cron runs it) and the systemd service's
//! `ExecStart` (split into words, as systemd runs it), against a real server and a local
//! backup location, with only the paths and the server's port replaced.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::server_cli::ServerProc;
use crate::util::{TestDir, stmgr_path};

/// The command part of the documented cron line (after the five time fields and the user).
fn cron_command() -> String {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/operations/backup-and-restore.md"),
    )
    .unwrap();
    let after = &doc[doc
        .find("<!-- cron-recipe")
        .expect("the cron recipe marker")..];
    let line = after
        .lines()
        .find(|l| l.starts_with("17 "))
        .expect("the cron line");
    let mut rest = line;
    for _ in 0..6 {
        rest = rest.trim_start();
        rest = &rest[rest.find(' ').unwrap()..];
    }
    rest.trim().to_owned()
}

/// The `ExecStart` of the snapshot service, as words.
fn service_words() -> Vec<String> {
    let unit = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/systemd/stmgr-snapshot.service"),
    )
    .unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart");
    exec.split_whitespace().map(str::to_owned).collect()
}

/// A clean environment like cron's: PATH, and a HOME of the test's own.
fn cron_env(cmd: &mut Command, t: &TestDir) {
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", t.path().join("home"))
        .env("XDG_CONFIG_HOME", t.path().join("config"));
}

fn run_cron(t: &TestDir, env_file: &Path, url: &str) -> Output {
    let command = cron_command()
        .replace("/etc/stmgr/snapshot.env", &env_file.display().to_string())
        .replace("/usr/local/bin/stmgr", &stmgr_path().display().to_string())
        .replace("http://127.0.0.1:8080", url);
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command);
    cron_env(&mut cmd, t);
    cmd.output().unwrap()
}

fn list(t: &TestDir, args: &[&str]) -> Vec<Value> {
    let out = t
        .stmgr()
        .args(["snapshot", "list", "-o", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn hour(row: &Value) -> String {
    row["created_at"].as_str().unwrap()[..13].to_owned()
}

#[test]
fn the_cron_recipe_and_the_systemd_service_back_up_ship_and_prune() {
    let t = TestDir::new();
    let data = t.path().join("srv");
    let srv = ServerProc::start(&t, &data);
    for i in 0..5 {
        t.stmgr()
            .args([
                "--server",
                &srv.url,
                "put",
                "ns",
                &format!("o{i}"),
                "--type",
                "t",
            ])
            .args(["--body", &format!("{{\"i\":{i}}}")])
            .assert()
            .success();
    }
    let bucket = t.path().join("bucket");
    std::fs::create_dir(&bucket).unwrap();
    let to = format!("file://{}", bucket.display());
    let env_file = t.write("snapshot.env", &format!("STMGR_BACKUP_TO={to}\n"));
    let from: [&str; 2] = ["--from", &to];

    // Cron: silent on success (cron mails any output), twice.
    for _ in 0..2 {
        let out = run_cron(&t, &env_file, &srv.url);
        assert!(out.status.success(), "{out:?}");
        assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    }
    let taken = list(&t, &["--server", &srv.url]);
    assert_eq!(taken.len(), 2, "two snapshots on the server: {taken:?}");
    let shipped = list(&t, &from);
    // --keep-hourly keeps the newest of each hour: one, unless the runs straddled an hour.
    let hours: std::collections::BTreeSet<String> = taken.iter().map(hour).collect();
    assert_eq!(shipped.len(), hours.len(), "{shipped:?}");
    let newest = |rows: &[Value]| {
        rows.iter()
            .map(|r| r["snapshot_id"].as_str().unwrap().to_owned())
            .max()
            .unwrap()
    };
    assert_eq!(newest(&shipped), newest(&taken));
    assert!(
        shipped
            .iter()
            .all(|r| r["tags"] == serde_json::json!(["scheduled"])),
        "{shipped:?}"
    );

    // systemd: the service's ExecStart, with the environment file's variable expanded.
    let words: Vec<String> = service_words()
        .into_iter()
        .map(|w| {
            w.replace("${STMGR_BACKUP_TO}", &to)
                .replace("/usr/local/bin/stmgr", &stmgr_path().display().to_string())
                .replace("http://127.0.0.1:8080", &srv.url)
        })
        .collect();
    let mut cmd = Command::new(&words[0]);
    cmd.args(&words[1..]);
    cron_env(&mut cmd, &t);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let taken = list(&t, &["--server", &srv.url]);
    assert_eq!(taken.len(), 3);
    assert_eq!(newest(&list(&t, &from)), newest(&taken));

    // With the server gone the recipe fails with 10 (try later) and one error line.
    let url = srv.url.clone();
    srv.terminate();
    let out = run_cron(&t, &env_file, &url);
    assert_eq!(out.status.code(), Some(10), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1,
        "{err}"
    );
}
