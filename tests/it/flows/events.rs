//! Flow events with real workers and the real client: a SIGKILLed replica gives `crashed`
//! (signal 9) then `restarted` on the live stream (`flow events -f`), in order; the journal is
//! in the engine, so after a server restart `flow events --since ID` (and `Last-Event-ID`)
//! gives exactly the events after ID; a tiny RSS threshold fires one `resource_alert`; a token
//! without the `flows` verb gets 403 on the stream.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{flow, get_with, manifest, mint, status, token_server, wait_ready, worker_script};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

/// `stmgr flow events ARGS -o jsonl` running, its events arriving on a channel.
pub(super) struct Follower {
    child: Child,
    events: mpsc::Receiver<Value>,
}

impl Follower {
    pub(super) fn start(t: &TestDir, srv: &ServerProc, args: &[&str]) -> Follower {
        let mut child = t
            .std_command()
            .args(["--server", &srv.url, "--output", "jsonl", "flow", "events"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    let _ = tx.send(v);
                }
            }
        });
        Follower { child, events }
    }

    /// Events until one matches `stop` (included), within 30 s.
    pub(super) fn until(&self, what: &str, stop: impl Fn(&Value) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut got = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let ev = self
                .events
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {what} within 30 s; got {got:#?}"));
            let done = stop(&ev);
            got.push(ev);
            if done {
                return got;
            }
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every event `flow events ARGS` prints (the replay, not following).
pub(super) fn replay(t: &TestDir, srv: &ServerProc, args: &[&str]) -> Vec<Value> {
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "--output", "jsonl", "flow", "events"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub(super) fn ids(events: &[Value]) -> Vec<u64> {
    events.iter().map(|e| e["id"].as_u64().unwrap()).collect()
}

fn kill9(pid: i64) {
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(pid).unwrap()).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
}

#[test]
fn sigkill_gives_crashed_then_restarted_and_the_journal_resumes_across_a_restart() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let srv = ServerProc::start(&t, &data);
    let script = worker_script(&t, "worker.sh", false);
    let file = manifest(&t, "demo.toml", "demo", &script, 1);
    let (code, _, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap(), "--wait"]);
    assert_eq!(code, 0, "{err}");
    let pids = wait_ready(&t, &srv, "demo", 1);

    // The deploy left its activity and the replica's state changes in the journal.
    let before = replay(&t, &srv, &["demo"]);
    assert!(
        before
            .iter()
            .any(|e| e["kind"] == "activity" && e["data"]["action"] == "deploy"),
        "{before:#?}"
    );
    assert!(
        before
            .iter()
            .any(|e| e["kind"] == "status_changed" && e["data"]["to"] == "RUNNING"),
        "{before:#?}"
    );

    // Live: SIGKILL the replica; crashed (signal 9), then restarted, in this order.
    // It resumes after the last event seen, so an event made before it connects still
    // reaches it (a scale to the same count is an activity).
    let last_before = ids(&before).last().copied().unwrap().to_string();
    let live = Follower::start(&t, &srv, &["demo", "-f", "--since", &last_before]);
    let (code, _, err) = flow(&t, &srv, &["scale", "demo", "1"]);
    assert_eq!(code, 0, "{err}");
    live.until("the scale activity", |e| e["data"]["action"] == "scale");
    kill9(pids[0].1);
    let got = live.until("restarted", |e| e["kind"] == "restarted");
    let crashed = got
        .iter()
        .position(|e| e["kind"] == "crashed")
        .unwrap_or_else(|| panic!("no crashed event before restarted: {got:#?}"));
    assert_eq!(got[crashed]["replica"], "w-0");
    assert_eq!(got[crashed]["data"]["signal"], 9, "{got:#?}");
    assert_eq!(got[crashed]["data"]["exit"], "killed by SIGKILL");
    assert_eq!(got.last().unwrap()["replica"], "w-0");
    assert!(got.last().unwrap()["data"]["restarts"].as_u64().unwrap() >= 1);
    let seen = ids(&got);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    let last_seen = *seen.last().unwrap();
    drop(live);

    // Events the follower missed: a stop, then a server restart (the flow stays stopped).
    let (code, _, err) = flow(&t, &srv, &["stop", "demo"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(srv.terminate().code(), Some(0));
    let srv = ServerProc::start(&t, &data);
    let missed = replay(&t, &srv, &["demo", "--since", &last_seen.to_string()]);
    let all = replay(&t, &srv, &["demo"]);
    let after: Vec<Value> = all
        .iter()
        .filter(|e| e["id"].as_u64().unwrap() > last_seen)
        .cloned()
        .collect();
    assert_eq!(missed, after, "--since gives exactly the events after it");
    assert!(
        missed
            .iter()
            .any(|e| e["kind"] == "activity" && e["data"]["action"] == "stop"),
        "{missed:#?}"
    );
    let all_ids = ids(&all);
    assert!(all_ids.windows(2).all(|w| w[0] < w[1]), "{all_ids:?}");

    // Resuming the live stream with Last-Event-ID replays the same, then follows: a start
    // after it arrives once, after the missed events.
    let resumed = Follower::start(&t, &srv, &["demo", "-f", "--since", &last_seen.to_string()]);
    let replayed = resumed.until("the stop activity", |e| e["data"]["action"] == "stop");
    assert_eq!(ids(&replayed), ids(&missed[..replayed.len()]));
    let (code, _, err) = flow(&t, &srv, &["start", "demo"]);
    assert_eq!(code, 0, "{err}");
    let more = resumed.until("the start activity", |e| e["data"]["action"] == "start");
    let mut every = ids(&replayed);
    every.extend(ids(&more));
    assert!(
        every.windows(2).all(|w| w[0] < w[1]),
        "no duplicate: {every:?}"
    );
}

#[test]
fn a_tiny_rss_threshold_fires_one_alert() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let srv = ServerProc::start_env(
        &t,
        &data,
        &[("STMGR_FLOW_SAMPLE_INTERVAL", "50ms".to_owned())],
    );
    let script = worker_script(&t, "worker.sh", false);
    let file = manifest(&t, "hog.toml", "hog", &script, 1);
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("[workers.w.resources]\nmax_rss_mib = 1\n");
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap(), "--wait"]);
    assert_eq!(code, 0, "{err}");
    wait_ready(&t, &srv, "hog", 1);
    let alerts = || -> Vec<Value> {
        replay(&t, &srv, &["hog"])
            .into_iter()
            .filter(|e| e["kind"] == "resource_alert")
            .collect()
    };
    wait_until(Duration::from_secs(30), "a resource alert", || {
        !alerts().is_empty()
    });
    // Many sampling ticks later (the replica ran 2 s more), still one alert.
    wait_until(Duration::from_secs(30), "2 s of uptime", || {
        status(&t, &srv, "hog")["replicas"][0]["uptime_secs"]
            .as_u64()
            .is_some_and(|s| s >= 2)
    });
    let got = alerts();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0]["replica"], "w-0");
    assert_eq!(got[0]["data"]["resource"], "rss");
    assert_eq!(got[0]["data"]["over"], true);
    assert_eq!(got[0]["data"]["threshold"], 1024.0 * 1024.0);
}

#[test]
fn a_token_without_the_flows_verb_gets_403_on_the_event_stream() {
    let t = TestDir::new();
    let srv = token_server(&t);
    let url = format!("{}/v1/flows/events?follow=false&since=0", srv.url);
    let get = |token: String| get_with(&url, &token);
    let (status, _, body) = get(mint(&t, "get,put"));
    assert_eq!(status, 403, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["error"].is_string(), "{v}");
    let (status, ctype, body) = get(mint(&t, "flows"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(ctype.as_deref(), Some("text/event-stream"));
}

#[test]
fn health_components_show_a_crashing_worker_as_degraded_and_a_stopped_flow() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let srv = ServerProc::start(&t, &data);
    let health = || -> (u16, Value) {
        let (code, body) =
            crate::server_cli::reqwest::blocking_get(&format!("{}/health?format=json", srv.url));
        (code, serde_json::from_str(&body).unwrap())
    };
    let (code, h) = health();
    assert_eq!(code, 200);
    assert_eq!(h["components"]["engine"]["status"], "ok", "{h}");
    assert_eq!(h["components"]["flow_manager"]["status"], "running", "{h}");
    assert_eq!(h["components"]["supervisor"]["desired"], 0, "{h}");
    // Plain `ok` stays for the agentstate SDK.
    let (code, body) = crate::server_cli::reqwest::blocking_get(&format!("{}/health", srv.url));
    assert_eq!((code, body.as_str()), (200, "ok"));

    // A worker that exits at once never runs: the supervisor component is degraded, the
    // server stays healthy (200).
    let crash = t.write("crash.sh", "#!/bin/sh\nexit 3\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&crash, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = manifest(&t, "bad.toml", "bad", &crash, 1);
    let (code, _, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let mut h = Value::Null;
    wait_until(
        Duration::from_secs(30),
        "a crashed worker in /health",
        || {
            let (code, got) = health();
            assert_eq!(code, 200, "{got}");
            h = got;
            let evs = replay(&t, &srv, &["bad"]);
            h["components"]["supervisor"]["status"] == "degraded"
                && evs.iter().any(|e| e["kind"] == "crashed")
        },
    );
    assert_eq!(
        h["components"]["supervisor"]["not_running"][0], "bad/w-0",
        "{h}"
    );
    assert_eq!(h["components"]["supervisor"]["desired"], 1, "{h}");
    assert_eq!(h["components"]["flow_manager"]["flows"], 1, "{h}");

    // Stopped, the flow wants nothing: the supervisor component is ok again (the stop is
    // refused while the failing first deploy still rolls out).
    wait_until(Duration::from_secs(30), "the flow stopped", || {
        flow(&t, &srv, &["stop", "bad"]).0 == 0
    });
    let (code, h) = health();
    assert_eq!(code, 200);
    assert_eq!(h["components"]["supervisor"]["status"], "ok", "{h}");
    assert_eq!(h["components"]["supervisor"]["desired"], 0, "{h}");
    assert_eq!(h["components"]["flow_manager"]["flows"], 1, "{h}");
}
