//! The workflow commands (`graph`, `node`, `run`, `state`) against the real server: offline
//! validation of graph files (the example in `examples/` included), upload with `--wait`
//! (VALID and INVALID), list, show, delete, trigger, runs, cancel, manual retry and its 409,
//! and a wrong API key. Runtimes are played over HTTP with [`V0`].

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};

use crate::server_cli::ServerProc;
use crate::util::TestDir;
use crate::workflows::{API_KEY, V0, env};

/// A two-node graph of the nodes `V0::register` registers (input `x`), in TOML.
pub const CHAIN: &str = r#"
name = "chain"
namespace = "wf"

[store_config]
required_keys = ["k"]

[retry_policy]
max_retries = 0

[[nodes]]
identifier = "a"
node_name = "A"
inputs = { x = "${{ store.k }}" }
next_nodes = ["b"]

[[nodes]]
identifier = "b"
node_name = "B"
inputs = { x = "after ${{ a.outputs.x }}" }
"#;

/// `stmgr --server URL` with the API key in `STATE_MANAGER_SECRET` (the server's own name).
fn cli(t: &TestDir, srv: &ServerProc) -> Command {
    let mut cmd = t.stmgr();
    cmd.env("STATE_MANAGER_SECRET", API_KEY)
        .args(["--server", &srv.url]);
    cmd
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/graph.toml")
}

#[test]
fn graph_validate_checks_files_offline() {
    let t = TestDir::new();
    t.stmgr()
        .args(["graph", "validate"])
        .arg(example())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("OK: ")
                .and(predicate::str::contains("graph files, 4 nodes, root scan")),
        );

    let out = t
        .stmgr()
        .args(["graph", "validate", "-", "--output", "json"])
        .write_stdin(
            json!({"name": "j", "nodes": [
                {"identifier": "a", "node_name": "A", "inputs": {"x": "1"}}]})
            .to_string(),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["valid"].clone(), v["root"].clone()),
        (json!(true), json!("a"))
    );

    // Every structural error is listed, each on its own `error:` line, then a summary.
    let bad = t.write(
        "bad.toml",
        r#"
[[nodes]]
identifier = "a"
node_name = "A"
inputs = { x = "${{ store.missing }}" }
next_nodes = ["b", "nowhere"]

[[nodes]]
identifier = "b"
node_name = "B"
inputs = { x = "${{ c.outputs.y }}" }
"#,
    );
    let out = t
        .stmgr()
        .args(["graph", "validate"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("error: ")), "{err}");
    assert!(err.contains("nowhere"), "{err}");
    assert!(err.contains("store key missing"), "{err}");
    assert!(err.contains("is not a valid graph ("), "{err}");
    assert!(lines.len() >= 3, "{err}");
    assert!(out.stdout.is_empty());

    // Misspelt keys and syntax errors are errors too, with where they are.
    let typo = t.write(
        "typo.json",
        r#"{"nodes": [{"identifier": "a", "node_name": "A", "next_node": []}]}"#,
    );
    t.stmgr()
        .args(["graph", "validate"])
        .arg(&typo)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "unknown key `next_node` in node \"a\"",
        ));
    let broken = t.write("broken.toml", "name = \"g\"\n[[nodes]\n");
    t.stmgr()
        .args(["graph", "validate"])
        .arg(&broken)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("broken.toml: line 2"));
    t.stmgr()
        .args(["graph", "validate", "no-such-file.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: cannot read no-such-file.json",
        ));
}

#[test]
fn upload_wait_list_show_delete() {
    let t = TestDir::new();
    let srv = ServerProc::start_env(&t, &t.path().join("state"), &env());
    V0::new(&srv.url, "wf").register(&["A", "B"]);
    let file = t.write("chain.toml", CHAIN);

    let out = cli(&t, &srv)
        .args(["graph", "upload", "--wait"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("chain") && text.contains("VALID"), "{text}");

    cli(&t, &srv)
        .args(["graph", "list", "--ns", "wf"])
        .assert()
        .success()
        .stdout(predicate::str::contains("chain").and(predicate::str::contains("VALID")));
    cli(&t, &srv)
        .args(["graph", "show", "chain", "--ns", "wf"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("store required")
                .and(predicate::str::contains("after ${{ a.outputs.x }}"))
                .and(predicate::str::contains("identifier")),
        );
    cli(&t, &srv)
        .args(["node", "list", "--ns", "wf"])
        .assert()
        .success()
        .stdout(predicate::str::contains("x: string").and(predicate::str::contains("rt")));

    // A node nobody registered: INVALID after --wait, exit 1, the server's reason shown.
    let missing = t.write("missing.toml", &CHAIN.replace("\"B\"", "\"Missing\""));
    let out = cli(&t, &srv)
        .args([
            "graph", "upload", "--wait", "--name", "other", "--output", "json",
        ])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["validation_status"], "INVALID", "{v}");
    assert!(
        v["validation_errors"].to_string().contains("Missing"),
        "{v}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error: graph other is INVALID"),
        "{out:?}"
    );

    // Structural errors stop the upload before the server is asked.
    let bad = t.write(
        "bad.toml",
        &CHAIN.replace("next_nodes = [\"b\"]", "next_nodes = [\"zz\"]"),
    );
    cli(&t, &srv)
        .args(["graph", "upload", "--name", "bad"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("zz"));
    cli(&t, &srv)
        .args(["graph", "show", "bad", "--ns", "wf"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"));

    // Usage errors: no namespace, no name.
    cli(&t, &srv)
        .args(["graph", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--ns"));
    let nameless = t.write(
        "nameless.json",
        r#"{"nodes": [{"identifier": "a", "node_name": "A", "inputs": {"x": "1"}}]}"#,
    );
    cli(&t, &srv)
        .args(["graph", "upload", "--ns", "wf"])
        .arg(&nameless)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--name"));

    cli(&t, &srv)
        .args(["graph", "delete", "chain", "--ns", "wf"])
        .assert()
        .success();
    cli(&t, &srv)
        .args(["graph", "show", "chain", "--ns", "wf"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not found"));
}

/// Uploads [`CHAIN`] (VALID) and triggers it with `k=v1`; returns the run id.
pub fn chain_run(t: &TestDir, srv: &ServerProc) -> String {
    V0::new(&srv.url, "wf").register(&["A", "B"]);
    let file = t.write("chain.toml", CHAIN);
    cli(t, srv)
        .args(["graph", "upload", "--wait"])
        .arg(&file)
        .assert()
        .success();
    let out = cli(t, srv)
        .args(["graph", "trigger", "chain", "--ns", "wf", "--store", "k=v1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let run = stdout(&out).trim().to_owned();
    assert_eq!(run.len(), 26, "a ULID: {run:?}");
    run
}

#[test]
fn trigger_then_list_show_and_cancel_the_run() {
    let t = TestDir::new();
    let srv = ServerProc::start_env(&t, &t.path().join("state"), &env());
    let run = chain_run(&t, &srv);

    let out = cli(&t, &srv)
        .args(["run", "list", "--ns", "wf", "--output", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let runs: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(runs[0]["run_id"], run.as_str(), "{runs}");
    assert_eq!(runs[0]["status"], "PENDING", "{runs}");
    cli(&t, &srv)
        .args([
            "run", "list", "--ns", "wf", "--status", "PENDING", "--graph", "chain",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(run.as_str()).and(predicate::str::contains("PENDING")));
    cli(&t, &srv)
        .args(["run", "list", "--ns", "wf", "--status", "success"])
        .assert()
        .success()
        .stdout(predicate::str::contains(run.as_str()).not());

    // The root state: in the table, in the tree, and in full.
    let out = cli(&t, &srv)
        .args(["run", "show", &run, "--ns", "wf", "--output", "json"])
        .output()
        .unwrap();
    let graph: Value = serde_json::from_slice(&out.stdout).unwrap();
    let root = graph["nodes"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(graph["nodes"][0]["identifier"], "a", "{graph}");
    cli(&t, &srv)
        .args(["run", "show", &run, "--ns", "wf"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains(root.as_str())
                .and(predicate::str::contains("CREATED"))
                .and(predicate::str::contains("retry")),
        );
    cli(&t, &srv)
        .args(["run", "show", &run, "--ns", "wf", "--tree"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!("a [A] CREATED {root}")));
    cli(&t, &srv)
        .args(["run", "show", &run, "--ns", "wf", "--state", &root])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"x\": \"v1\""));

    cli(&t, &srv)
        .args(["run", "cancel", &run, "--ns", "wf"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 pending state cancelled"));
    cli(&t, &srv)
        .args(["run", "list", "--ns", "wf", "--status", "cancelled"])
        .assert()
        .success()
        .stdout(predicate::str::contains(run.as_str()));
    cli(&t, &srv)
        .args(["run", "cancel", &run, "--ns", "wf"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("409"));
}

#[test]
fn state_retry_creates_a_copy_once_per_fanout_id() {
    let t = TestDir::new();
    let srv = ServerProc::start_env(&t, &t.path().join("state"), &env());
    let run = chain_run(&t, &srv);
    let v0 = V0::new(&srv.url, "wf");
    let a = v0.claim("A");
    let id = a["state_id"].as_str().unwrap();
    let answer = v0.ok(
        "POST",
        &format!("/state/{id}/errored"),
        Some(json!({"error": "boom"})),
    );
    assert_eq!(answer["retry_created"], false, "{answer}");

    let out = cli(&t, &srv)
        .args(["state", "retry", id, "--ns", "wf", "--fanout-id", "f1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let copy = stdout(&out).trim().to_owned();
    assert_ne!(copy, id);
    cli(&t, &srv)
        .args(["state", "retry", id, "--ns", "wf", "--fanout-id", "f1"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::starts_with("error: cannot retry state")
                .and(predicate::str::contains("409"))
                .and(predicate::str::contains("Duplicate retry state detected")),
        );
    // Without --fanout-id, a new ULID: another copy.
    let out = cli(&t, &srv)
        .args(["state", "retry", id, "--ns", "wf"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_ne!(stdout(&out).trim(), copy);

    let out = cli(&t, &srv)
        .args(["run", "show", &run, "--ns", "wf"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains(&copy) && text.contains("RETRY_CREATED"),
        "{text}"
    );
    assert!(text.contains("boom"), "{text}");
}

#[test]
fn a_wrong_api_key_is_a_clear_error() {
    let t = TestDir::new();
    let srv = ServerProc::start_env(&t, &t.path().join("state"), &env());
    cli(&t, &srv)
        .args(["--api-key", "wrong", "graph", "list", "--ns", "wf"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::starts_with("error: cannot list the graphs of namespace wf")
                .and(predicate::str::contains("401"))
                .and(predicate::str::contains("Invalid API key")),
        );
    // No key at all: refused the same way. The SDK's variable works too.
    t.stmgr()
        .args(["--server", &srv.url, "node", "list", "--ns", "wf"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Invalid API key"));
    t.stmgr()
        .env("EXOSPHERE_API_KEY", API_KEY)
        .args(["--server", &srv.url, "node", "list", "--ns", "wf"])
        .assert()
        .success();
}
