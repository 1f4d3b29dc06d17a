//! Restore anywhere, end to end, with real processes: a server replicating under load is
//! SIGKILLed; a fresh directory restored from the location alone holds every write
//! acknowledged more than the lag window before the kill, exactly as the source held it at
//! that seq; a server on the restored directory replicates as a new generation whose parent is
//! the branch point; and a restore `--to-time` after that follows the new generation and its
//! parent, never the records of the other history. On a local directory and on moto.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::harness::{ACCESS_KEY, SECRET_KEY, backends, runtime};
use super::replicate_server::{LAG_WINDOW, Load, must_have, put};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

fn stmgr(t: &TestDir) -> assert_cmd::Command {
    let mut c = t.stmgr();
    c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// `restore --from url` into `dir` with `extra` (the target); its JSON answer.
fn restore(t: &TestDir, url: &str, dir: &Path, extra: &[&str]) -> Value {
    let out = stmgr(t)
        .args([
            "restore",
            "--from",
            url,
            "--yes",
            "-o",
            "json",
            "--data-dir",
        ])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    json(&out.stdout)
}

/// Every object of `dir` (at `at_seq`), as `admin dump` prints them, without the fields a
/// restore may legitimately renumber.
fn dump(t: &TestDir, dir: &Path, at_seq: Option<u64>) -> Vec<Value> {
    let mut cmd = stmgr(t);
    cmd.args(["admin", "dump", "-o", "json", "--data-dir"])
        .arg(dir);
    if let Some(s) = at_seq {
        cmd.args(["--at-seq", &s.to_string()]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut v = json(&out.stdout).as_array().unwrap().clone();
    v.sort_by_key(|o| o["id"].as_str().unwrap().to_owned());
    v
}

fn ids(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn sigkill_then_restore_on_a_fresh_directory_then_a_new_generation_and_to_time_across_it() {
    for b in backends() {
        eprintln!("backend {}", b.name);
        let t = TestDir::new();
        let (url, env) = b.replicate_url();
        let a_dir = t.path().join("a");
        let interval: [&str; 4] = ["--replicate", &url, "--replicate-interval", "50ms"];

        // 1. Load on A, then SIGKILL.
        let (child, lines) = ServerProc::spawn_env(&t, &a_dir, &interval, &env);
        let mut a = ServerProc::from_spawned(child, lines);
        let load = Load::start(&a.url);
        let c = reqwest::blocking::Client::new();
        // Enough load replicated to be worth a SIGKILL (a busy CI machine is slow to it).
        wait_until(Duration::from_secs(90), "load and replication", || {
            c.get(format!("{}/health?format=json", a.url))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|h| h["replication"]["replicated_seq"].as_u64() > Some(200))
        });
        std::thread::sleep(LAG_WINDOW + Duration::from_millis(500)); // load runs on
        a.signal(rustix::process::Signal::KILL);
        let killed = Instant::now();
        a.child.wait().unwrap();
        let must = must_have(&load.stop(), killed);

        // 2. A fresh directory from the location alone: everything acknowledged in time, and
        //    exactly A's state at the restored seq.
        let b_dir = t.path().join("b");
        let r = restore(&t, &url, &b_dir, &[]);
        let restored = r["restored_seq"].as_u64().unwrap();
        assert!(
            restored >= must,
            "restored {restored}, acknowledged {must}: {r}"
        );
        let at = dump(&t, &a_dir, Some(restored));
        assert!(!at.is_empty());
        assert_eq!(dump(&t, &b_dir, None), at, "B is A at seq {restored}");

        // 3. B restored to an earlier point and served with --replicate: a new generation
        //    branching from A's at that point.
        let mid = restored / 2;
        let r = restore(&t, &url, &b_dir, &["--to-seq", &mid.to_string()]);
        assert_eq!(r["restored_seq"].as_u64(), Some(mid), "{r}");
        let (child, lines) = ServerProc::spawn_env(&t, &b_dir, &interval, &env);
        let srv_b = ServerProc::from_spawned(child, lines);
        let mut last_b = 0;
        for i in 0..50 {
            last_b = put(&c, &srv_b.url, i).expect("write on B");
        }
        assert!(
            last_b > restored,
            "seqs never go back: {last_b} after {restored}"
        );
        wait_until(Duration::from_secs(30), "B replicated", || {
            c.get(format!("{}/health?format=json", srv_b.url))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|h| h["replication"]["replicated_seq"].as_u64() == Some(last_b))
        });
        let gens = runtime().block_on(b.target.list_generations()).unwrap();
        assert_eq!(gens.len(), 2, "{gens:?}");
        let parent = gens[1]
            .parent
            .as_ref()
            .expect("the new generation's parent");
        assert_eq!(
            (parent.generation.as_str(), parent.seq),
            (gens[0].generation.as_str(), mid),
            "{gens:?}"
        );
        let b_state = dump(&t, &b_dir, None);
        srv_b.terminate();

        // 4. --to-time now: B's history (A up to mid, then B's writes), none of A's records
        //    after mid.
        let c_dir = t.path().join("c");
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let r = restore(&t, &url, &c_dir, &["--to-time", &now]);
        assert_eq!(r["restored_seq"].as_u64(), Some(last_b), "{r}");
        let c_state = dump(&t, &c_dir, None);
        assert_eq!(ids(&c_state), ids(&b_state));
        assert_eq!(c_state, b_state);
        let a_after_mid: Vec<Value> = dump(&t, &a_dir, Some(mid));
        let only_a: Vec<&Value> = at.iter().filter(|o| !a_after_mid.contains(o)).collect();
        assert!(
            only_a.iter().all(|o| !c_state.contains(o)),
            "records of A's history after seq {mid} leaked into the restore"
        );
    }
}
