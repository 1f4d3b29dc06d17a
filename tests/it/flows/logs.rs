//! `stmgr flow logs` against the real server with real workers (shell scripts printing
//! numbered lines): every replica's lines prefixed with the replica, one replica's alone,
//! `--tail`, `--since` leaving older lines out, `-f` showing a line written after it started,
//! an unknown flow or replica (exit 1, one `error:` line; 404 JSON over HTTP), and a token
//! without the `flows` verb refused (403).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{flow, get_with, manifest, mint, token_server, wait_ready};
use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// A worker printing `REPLICA line 1..3`, then `ready`, then, once `$OUT/go` exists,
/// `REPLICA late`.
fn numbered_worker(t: &TestDir) -> PathBuf {
    let path = t.write(
        "numbered.sh",
        "#!/bin/sh\nr=\"$STMGR_FLOW_WORKER-$STMGR_FLOW_REPLICA\"\n\
         for i in 1 2 3; do echo \"$r line $i\"; done\necho ready\n\
         while [ ! -e \"$OUT/go\" ]; do /bin/sleep 0.05; done\necho \"$r late\"\n\
         exec /bin/sleep 1000\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// `stmgr flow logs ARGS`: exit code, stdout lines, stderr.
fn logs(t: &TestDir, srv: &ServerProc, args: &[&str]) -> (i32, Vec<String>, String) {
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "flow", "logs"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The text of a log line: what follows `[REPLICA] TIME STREAM ` (or `TIME STREAM `).
fn text(line: &str) -> &str {
    let rest = match line.strip_prefix('[') {
        Some(r) => r.split_once("] ").unwrap().1,
        None => line,
    };
    let (ts, rest) = rest.split_once(' ').unwrap();
    stmgr::time::parse_ts(ts).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    rest.strip_prefix("stdout ")
        .unwrap_or_else(|| panic!("{line:?}"))
}

fn texts(lines: &[String]) -> Vec<&str> {
    lines.iter().map(|l| text(l)).collect()
}

#[test]
fn logs_of_a_flow_a_replica_tail_since_and_follow() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let srv = ServerProc::start(&t, &data);
    let script = numbered_worker(&t);
    let file = manifest(&t, "demo.toml", "demo", &script, 2);
    let (code, _, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap(), "--wait"]);
    assert_eq!(code, 0, "{err}");
    wait_ready(&t, &srv, "demo", 2);

    // Every replica's lines, each prefixed with its replica, in order per replica.
    let (code, all, err) = logs(&t, &srv, &["demo"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(all.len(), 8, "{all:#?}");
    for r in ["w-0", "w-1"] {
        let prefix = format!("[{r}] ");
        let mine: Vec<String> = all
            .iter()
            .filter(|l| l.starts_with(&prefix))
            .cloned()
            .collect();
        let want = [
            format!("{r} line 1"),
            format!("{r} line 2"),
            format!("{r} line 3"),
            "ready".to_owned(),
        ];
        assert_eq!(texts(&mine), want, "{all:#?}");
    }
    // Merged by time.
    let stamps: Vec<&str> = all.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");

    // One replica: its lines only, unprefixed.
    let (code, one, err) = logs(&t, &srv, &["demo/w-1"]);
    assert_eq!(code, 0, "{err}");
    assert!(one.iter().all(|l| !l.starts_with('[')), "{one:#?}");
    assert_eq!(
        texts(&one),
        ["w-1 line 1", "w-1 line 2", "w-1 line 3", "ready"]
    );

    // --tail: the last N of each replica.
    let (code, two, err) = logs(&t, &srv, &["demo/w-1", "--tail", "2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(texts(&two), ["w-1 line 3", "ready"]);
    let (code, each, err) = logs(&t, &srv, &["demo", "--tail", "1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(each.len(), 2, "{each:#?}");
    assert!(each[0].starts_with("[w-") && each[1].starts_with("[w-"));
    assert_ne!(each[0][..5], each[1][..5], "{each:#?}");
    assert_eq!(texts(&each), ["ready", "ready"]);

    // -f: the lines so far, then one written after it started.
    let mut child = t
        .std_command()
        .args(["--server", &srv.url, "flow", "logs", "demo", "-f"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let mut until = |what: &str, n: usize| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while seen.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {what} within 30 s; got {seen:#?}"));
            seen.push(line);
        }
        seen.clone()
    };
    assert_eq!(until("the lines so far", 8), all);
    // Every line so far was written before now: --since now leaves them all out.
    let newest = all
        .iter()
        .map(|l| stmgr::time::parse_ts(l.split(' ').nth(1).unwrap()).unwrap())
        .max()
        .unwrap();
    while stmgr::time::now_ms() <= newest {
        std::hint::spin_loop(); // the clock, not a readiness: a millisecond after the last line
    }
    let since = stmgr::time::format_ts(stmgr::time::now_ms());
    std::fs::write(t.path().join("out/go"), "").unwrap();
    let followed = until("the late lines", 10);
    let mut late: Vec<&str> = texts(&followed[8..]);
    late.sort_unstable();
    assert_eq!(late, ["w-0 late", "w-1 late"], "{followed:#?}");
    let _ = child.kill();
    let _ = child.wait();

    // --since: only the lines written from then on.
    let (code, newer, err) = logs(&t, &srv, &["demo", "--since", &since]);
    assert_eq!(code, 0, "{err}");
    let mut got = texts(&newer);
    got.sort_unstable();
    assert_eq!(got, ["w-0 late", "w-1 late"], "{newer:#?}");
    let (code, hour, err) = logs(&t, &srv, &["demo", "--since", "1h"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(hour.len(), 10, "{hour:#?}");
    let (code, _, err) = logs(&t, &srv, &["demo", "--since", "last tuesday"]);
    assert_eq!(code, 1, "{err}");

    // Unknown flow or replica: exit 1, one error line.
    for target in ["nope", "demo/w-9"] {
        let (code, out, err) = logs(&t, &srv, &[target]);
        assert_eq!(code, 1, "{target}: {err}");
        assert!(out.is_empty(), "{out:#?}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].starts_with("error: "), "{err}");
    }
    let err_line = logs(&t, &srv, &["demo/w-9"]).2;
    assert!(
        err_line.contains("w-0, w-1"),
        "names the replicas: {err_line}"
    );
}

#[test]
fn logs_need_the_flows_verb_and_answer_404_json() {
    let t = TestDir::new();
    let srv = token_server(&t);
    let url = format!("{}/v1/flows/nope/logs?tail=5", srv.url);
    let get = |token: String| {
        let (status, _, body) = get_with(&url, &token);
        (status, body)
    };
    let (status, body) = get(mint(&t, "get,put"));
    assert_eq!(status, 403, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["error"].is_string(), "{v}");
    let (status, body) = get(mint(&t, "flows"));
    assert_eq!(status, 404, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"], "not_found", "{v}");
    assert!(v["message"].as_str().unwrap().contains("nope"), "{v}");
}
