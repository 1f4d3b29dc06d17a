//! Every domain through a snapshot of the real server, end to end. Objects (tags, TTL,
//! parents, several versions, a deletion), checkpoints, leases and an idempotent put are
//! written through v1; nodes, graph templates (secrets, a cron trigger), runs and states moved
//! through enqueue, executed, errored, prune and cancel through v0; a flow deployed and stopped
//! (its record and event journal). Then `stmgr snapshot
//! --server`, SIGTERM, `stmgr admin verify`, `stmgr trim-wal` (so that recovery must start from
//! the snapshot), restart: every API answers as before ([`reads`]). And `stmgr restore
//! --to-seq N` on a copy answers as the server did at seq N (history aside: a restore keeps
//! none).
//!
//! Not covered here: a fired cron occurrence (the earliest a trigger fires is the next minute
//! boundary, and no API shows it); the library round-trip test covers it.

mod migrate;
mod reads;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};
use crate::workflows::{self, API_KEY, V0, node};
use reads::{Answer, Api, Known, NS, WF, assert_same, idempotent_body};

type Reads = BTreeMap<String, Answer>;

/// A server on `data` with the workflow API key (granting v1 too) and 4 KiB WAL segments.
fn start(t: &TestDir, data: &Path) -> ServerProc {
    let mut env = workflows::env();
    env.push(("STMGR_WAL_SEGMENT_SIZE", "4096".into()));
    let (child, lines) = ServerProc::spawn_env(t, data, &["--api-key-grants-v1"], &env);
    ServerProc::from_spawned(child, lines)
}

/// SIGTERM, and a clean exit.
fn stop(mut srv: ServerProc) {
    let pid = rustix::process::Pid::from_child(&srv.child);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let mut status = None;
    wait_until(Duration::from_secs(30), "the server to exit", || {
        status = srv.child.try_wait().unwrap();
        status.is_some()
    });
    assert!(status.unwrap().success(), "{status:?}");
}

/// `stmgr [--server URL] ARGS --output json` succeeds; its output.
fn stmgr_json(t: &TestDir, server: Option<&str>, args: &[&str], data: Option<&Path>) -> Value {
    let mut cmd = t.stmgr();
    cmd.env("STATE_MANAGER_SECRET", API_KEY);
    if let Some(url) = server {
        cmd.args(["--server", url]);
    }
    cmd.args(args).args(["--output", "json"]);
    if let Some(dir) = data {
        cmd.arg("--data-dir").arg(dir);
    }
    let out = cmd.assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// Asks the server for a snapshot: its id and commit_seq.
fn snapshot(t: &TestDir, srv: &ServerProc) -> (String, u64) {
    let v = stmgr_json(t, Some(&srv.url), &["snapshot"], None);
    let id = v["snapshot_id"].as_str().unwrap().to_string();
    (id, v["commit_seq"].as_u64().unwrap())
}

/// `stmgr admin verify`: every file verifies.
fn verify(t: &TestDir, data: &Path) {
    let report = stmgr_json(t, None, &["admin", "verify"], Some(data));
    let files = report["files"].as_array().unwrap();
    assert!(!files.is_empty());
    assert!(files.iter().all(|f| f["status"] == "ok"), "{report}");
}

fn put(api: &Api, id: &str, body: Value, extra: Value) -> u64 {
    let mut input = json!({"type": "note", "id": id, "body": body});
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    api.v1("POST", "/objects", input)["commit_seq"]
        .as_u64()
        .unwrap()
}

fn trigger(v0: &V0, graph: &str) -> String {
    let run = v0.ok(
        "POST",
        &format!("/graph/{graph}/trigger"),
        Some(json!({"store": {"k": "v"}})),
    );
    run["run_id"].as_str().unwrap().to_string()
}

fn claim(v0: &V0, node: &str) -> String {
    v0.claim(node)["state_id"].as_str().unwrap().to_string()
}

/// Copies a stopped server's data directory (its files, not its lock).
fn copy_data_dir(from: &Path, to: &Path) {
    for sub in ["wal", "snapshots"] {
        std::fs::create_dir_all(to.join(sub)).unwrap();
        for entry in std::fs::read_dir(from.join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(sub).join(entry.file_name())).unwrap();
        }
    }
}

/// The first seq of the oldest WAL segment (segments are named by it).
fn oldest_segment(data: &Path) -> u64 {
    std::fs::read_dir(data.join("wal"))
        .unwrap()
        .filter_map(|e| {
            e.unwrap()
                .file_name()
                .to_str()?
                .strip_suffix(".wal")?
                .parse()
                .ok()
        })
        .min()
        .unwrap()
}

/// The reads compared below show what was written (so that equal answers mean something).
fn holds_every_domain(before: &Reads, at_n: &Reads, queued_at_n: &str) {
    let statuses: BTreeSet<&str> = before
        .iter()
        .filter(|(k, _)| k.starts_with("states of run"))
        .flat_map(|(_, a)| a.body["nodes"].as_array().unwrap())
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    let want = [
        "CREATED",
        "QUEUED",
        "SUCCESS",
        "RETRY_CREATED",
        "ERRORED",
        "PRUNED",
        "CANCELLED",
    ];
    assert_eq!(statuses, BTreeSet::from(want));
    let chain = &before["graph chain"].body;
    assert_eq!(chain["secrets"], json!({"token": true}), "{chain}");
    assert_eq!(
        chain["triggers"][0]["value"]["expression"], "0 0 1 1 *",
        "{chain}"
    );
    assert_eq!(before["idempotent retry"].replayed.as_deref(), Some("true"));
    assert_eq!(before["lease leader (refused acquire)"].status, 409);
    assert_eq!(
        before["history: doc"].body["versions"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        before["history: gone"].body["versions"][0]["type"],
        "delete"
    );
    assert_eq!(before["object ttl-obj"].body["ttl_seconds"], 3600);
    let secrets = &at_n[&format!("secrets of state {queued_at_n}")].body;
    assert_eq!(secrets, &json!({"secrets": {"token": "s3cret"}}));
    assert_eq!(at_n["checkpoints of doc"].body[0]["name"], "cp-1");
}

/// Objects, nodes, graphs and a lease; returns the lease's token.
fn until_the_first_snapshot(api: &Api, v0: &V0) -> Value {
    put(api, "doc", json!({"v": 1}), team("a"));
    put(api, "doc", json!({"v": 2}), team("b"));
    put(
        api,
        "ttl-obj",
        json!({"v": 1}),
        json!({"ttl_seconds": 3600}),
    );
    put(api, "gone", json!({"v": 1}), json!({}));
    api.v1("DELETE", "/objects/gone", Value::Null);
    v0.register(&["A", "B"]);
    let cron = json!({"expression": "0 0 1 1 *", "timezone": "Europe/Berlin"});
    v0.upsert_valid(
        "chain",
        json!({"secrets": {"token": "s3cret"},
               "triggers": [{"type": "CRON", "value": cron}],
               "retry_policy": {"max_retries": 1, "strategy": "FIXED", "backoff_factor": 3_600_000},
               "store_config": {"required_keys": ["k"]},
               "nodes": [node("A", "a", "${{ store.k }}", &["b"]), node("B", "b", "x", &[])]}),
    );
    v0.upsert_valid(
        "once",
        json!({"nodes": [node("A", "a", "x", &[])], "retry_policy": {"max_retries": 0}}),
    );
    flow(api);
    let lease = json!({"key": "leader", "owner": "w1", "ttl": 3600});
    api.v1("POST", "/lease/acquire", lease)["token"].clone()
}

/// A flow deployed, ready, then stopped: its record, manifest and event journal are state,
/// and a stopped flow starts nothing (and so records nothing) when a server starts.
fn flow(api: &Api) {
    let manifest = json!({"name": "fl", "workers": {"w": {
        "command": "sleep", "args": ["1000"], "replicas": 1}}});
    let deployed = api.send("POST", "/v1/flows", Some(&manifest), &[]);
    if deployed.status == 503 {
        return; // On PostgreSQL: no flows (docs/operations/postgres.md).
    }
    assert_eq!(deployed.status, 202, "{}", deployed.body);
    wait_until(Duration::from_secs(30), "the flow is ready", || {
        api.ok("GET", "/v1/flows", None)[0]["deploy"] == "ready"
    });
    api.ok("POST", "/v1/flows/fl/stop", None);
    wait_until(
        Duration::from_secs(30),
        "its replica's stop is journalled",
        || {
            // The replay is an event stream (text), not JSON.
            let events = api.ok("GET", "/v1/flows/events?since=0&follow=false", None);
            events
                .as_str()
                .unwrap_or_default()
                .contains(r#""to":"STOPPED""#)
        },
    );
    assert_eq!(api.ok("GET", "/v1/flows", None)[0]["desired"], "stopped");
}

/// A checkpoint, an idempotent put, a run with a QUEUED state, a third version of `doc`;
/// returns the seq of that last write and what exists then.
fn until_seq_n(api: &Api, v0: &V0) -> (u64, Known) {
    let checkpoint = json!({"name": "cp-1", "metadata": {"why": "before v3"}});
    api.v1("POST", "/objects/doc/checkpoints", checkpoint);
    let path = format!("/v1/{NS}/objects");
    let idem = [("idempotency-key", "idem-1")];
    let first = api.send("POST", &path, Some(&idempotent_body()), &idem);
    assert_eq!(first.status, 200, "{:?}", first.body);
    let run = trigger(v0, "chain");
    let queued = claim(v0, "A");
    let n = put(api, "doc", json!({"v": 3}), team("b"));
    let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect();
    let known = Known {
        objects: names(&["doc", "ttl-obj", "gone", "idem-obj"]),
        graphs: names(&["chain", "once", "scratch"]),
        runs: vec![run],
        states: vec![queued],
    };
    (n, known)
}

/// States through executed, errored (with a retry, and with none left), prune and cancel; a
/// graph created and deleted; a fourth version, checkpoints, leases. Returns what exists.
fn after_seq_n(api: &Api, v0: &V0, known_at_n: &Known, token: &Value) -> Known {
    let mut known = known_at_n.clone();
    let queued = &known_at_n.states[0];
    let outputs = json!({"outputs": [{"x": "A-out"}]});
    v0.ok("POST", &format!("/state/{queued}/executed"), Some(outputs));
    let b = claim(v0, "B");
    v0.ok(
        "POST",
        &format!("/state/{b}/errored"),
        Some(json!({"error": "boom"})),
    );
    let still_queued = (trigger(v0, "chain"), claim(v0, "A"));
    let cancelled = trigger(v0, "chain");
    v0.ok("POST", &format!("/run/{cancelled}/cancel"), None);
    let errored = (trigger(v0, "once"), claim(v0, "A"));
    let path = format!("/state/{}/errored", errored.1);
    v0.ok("POST", &path, Some(json!({"error": "fatal"})));
    let pruned = (trigger(v0, "once"), claim(v0, "A"));
    let path = format!("/state/{}/prune", pruned.1);
    v0.ok("POST", &path, Some(json!({"data": {"why": "skip"}})));
    v0.upsert_valid("scratch", json!({"nodes": [node("B", "b", "x", &[])]}));
    v0.ok("DELETE", "/graph/scratch", None);
    put(api, "doc", json!({"v": 4}), team("a"));
    api.v1("POST", "/objects/doc/checkpoints", json!({"name": "cp-2"}));
    api.v1("DELETE", "/objects/doc/checkpoints/cp-1", Value::Null);
    api.v1("POST", "/lease/renew", renewal(token));
    let tmp = json!({"key": "tmp", "owner": "w2", "ttl": 60});
    let tmp_token = api.v1("POST", "/lease/acquire", tmp)["token"].clone();
    let release = json!({"key": "tmp", "owner": "w2", "token": tmp_token});
    api.v1("POST", "/lease/release", release);
    known
        .runs
        .extend([still_queued.0, cancelled, errored.0, pruned.0]);
    known
        .states
        .extend([b, still_queued.1, errored.1, pruned.1]);
    known
}

fn team(t: &str) -> Value {
    json!({"tags": {"team": t}, "parents": ["root"]})
}

/// The renewal of the lease `leader` held with `token`.
fn renewal(token: &Value) -> Value {
    json!({"key": "leader", "owner": "w1", "ttl": 7200, "token": token})
}

#[test]
fn every_domain_survives_snapshot_trim_restart_and_restore_through_the_apis() {
    let t = TestDir::new();
    let data = t.path().join("state");
    let srv = start(&t, &data);
    let (api, v0) = (Api::new(&srv.url), V0::new(&srv.url, WF));
    let token = until_the_first_snapshot(&api, &v0);
    let (first_id, first_seq) = snapshot(&t, &srv);
    let (n, known_at_n) = until_seq_n(&api, &v0);
    let at_n = api.reads(&known_at_n);
    assert_eq!(at_n["stats"].body["commit_seq"], n);
    let known = after_seq_n(&api, &v0, &known_at_n, &token);
    let before = api.reads(&known);
    holds_every_domain(&before, &at_n, &known_at_n.states[0]);

    // Snapshot, stop, verify; keep a copy; trim what the snapshot covers; restart.
    let (last_id, last_seq) = snapshot(&t, &srv);
    assert_eq!(last_seq, api.commit_seq());
    stop(srv);
    verify(&t, &data);
    let copy = t.path().join("copy");
    copy_data_dir(&data, &copy);
    let trim = ["trim-wal", "--snapshot-id", &last_id];
    let trimmed = stmgr_json(&t, None, &trim, Some(&data));
    assert!(
        !trimmed["deleted"].as_array().unwrap().is_empty(),
        "{trimmed}"
    );
    assert!(
        oldest_segment(&data) > n,
        "the WAL still reaches back to seq N"
    );
    let srv = start(&t, &data);
    let api = Api::new(&srv.url);
    let after = api.reads(&known);
    assert_same("after trim-wal and a restart", &before, &after, |_| false);
    // The lease kept its token; the next commit continues the seqs.
    api.v1("POST", "/lease/renew", renewal(&token));
    assert_eq!(put(&api, "late", json!({}), json!({})), last_seq + 2);
    stop(srv);

    // The copy restored to N from the first snapshot, replaying the WAL after it.
    let n_text = n.to_string();
    let restore = [
        "restore",
        "--yes",
        "--snapshot-id",
        &first_id,
        "--to-seq",
        &n_text,
    ];
    let restored = stmgr_json(&t, None, &restore, Some(&copy));
    assert_eq!(restored["restored_seq"], n);
    assert_eq!(restored["replayed"], n - first_seq);
    verify(&t, &copy);
    let srv = start(&t, &copy);
    let api = Api::new(&srv.url);
    let history = |key: &str| key.starts_with("history:");
    assert_same("restored to seq N", &at_n, &api.reads(&known_at_n), history);
    assert_eq!(put(&api, "late", json!({}), json!({})), last_seq + 1);
    stop(srv);
}

/// The same writes on two servers sharing one PostgreSQL database (alternating between them):
/// every API answers the same on both, and as the embedded engine's test above expects.
#[test]
fn every_domain_answers_the_same_on_two_servers_sharing_postgres() {
    let Some(pg) = crate::postgres::harness::Pg::start() else {
        return;
    };
    let url = pg.url();
    let start_pg = |t: &TestDir, data: &Path| {
        let env = workflows::env();
        let args = ["--api-key-grants-v1", "--backend", url.as_str()];
        let (child, lines) = ServerProc::spawn_env(t, data, &args, &env);
        ServerProc::from_spawned(child, lines)
    };
    let t = TestDir::new();
    let a = start_pg(&t, &t.path().join("a"));
    let b = start_pg(&t, &t.path().join("b"));
    let (api_a, v0_a) = (Api::new(&a.url), V0::new(&a.url, WF));
    let (api_b, v0_b) = (Api::new(&b.url), V0::new(&b.url, WF));
    let token = until_the_first_snapshot(&api_a, &v0_a);
    let (n, known_at_n) = until_seq_n(&api_b, &v0_b);
    let at_n = api_a.reads(&known_at_n);
    assert_eq!(at_n["stats"].body["commit_seq"], n);
    let known = after_seq_n(&api_a, &v0_b, &known_at_n, &token);
    let on_a = api_a.reads(&known);
    let on_b = api_b.reads(&known);
    holds_every_domain(&on_b, &at_n, &known_at_n.states[0]);
    // `stats` describes each server's own data directory (its WAL and snapshots: none).
    assert_same("server B beside server A", &on_a, &on_b, |k| k == "stats");
    stop(a);
    stop(b);
}
