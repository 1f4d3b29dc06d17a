//! An update whose replica never becomes ready is rolled back; the replica it did not reach
//! keeps its process throughout. And manifests that do not check are refused before sending.

use serde_json::Value;

use super::{flow, manifest, status, wait_ready, worker_script};
use crate::server_cli::ServerProc;
use crate::util::TestDir;

#[test]
fn an_update_that_never_becomes_ready_rolls_back_and_old_workers_keep_serving() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let srv = ServerProc::start(&t, &data);
    let good = worker_script(&t, "good.sh", false);
    let v1 = manifest(&t, "v1.toml", "roll", &good, 2);
    let (code, _, err) = flow(&t, &srv, &["deploy", v1.to_str().unwrap(), "--wait"]);
    assert_eq!(code, 0, "{err}");
    let before = wait_ready(&t, &srv, "roll", 2);

    let bad = worker_script(&t, "bad.sh", true);
    let v2 = manifest(&t, "v2.toml", "roll", &bad, 2);
    let (code, out, err) = flow(&t, &srv, &["deploy", v2.to_str().unwrap(), "--wait"]);
    assert_eq!(code, 1, "a rolled-back deploy fails: {out} {err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("was rolled back") && err.contains("w-0"),
        "{err}"
    );
    assert_eq!(out["deploy"], "rolled_back", "{out}");

    let v = status(&t, &srv, "roll");
    assert_eq!(v["flow"]["generation"], 2);
    assert!(
        v["flow"]["message"]
            .as_str()
            .unwrap()
            .contains("did not become ready"),
        "{v}"
    );
    assert_eq!(
        v["manifest"]["workers"]["w"]["command"],
        Value::from(good.to_str().unwrap()),
        "the manifest in place is the previous one"
    );
    let after = wait_ready(&t, &srv, "roll", 2);
    // The rollout stopped at w-0: w-1 never stopped.
    assert_eq!(after[1], before[1], "{after:?} {before:?}");
    assert_ne!(after[0].1, before[0].1);
}

#[test]
fn manifests_that_do_not_check_are_refused_with_the_field_named() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let srv = ServerProc::start(&t, &data);
    let bad = t.write(
        "bad.toml",
        "name = \"x\"\n[workers.w]\ncommand = \"/bin/true\"\nreplicas = \"two\"\n",
    );
    let (code, _, err) = flow(&t, &srv, &["deploy", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("workers.w.replicas: invalid type"),
        "{err}"
    );
    let json = t.write("bad.json", r#"{"name":"x","workers":{"w":{"command":""}}}"#);
    let (code, _, err) = flow(&t, &srv, &["deploy", json.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("workers.w.command: must not be empty"),
        "{err}"
    );
    // The server checks too: an HTTP client sending a bad manifest gets a JSON error naming it.
    stmgr::client::install_crypto_provider();
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/flows", srv.url.trim_end_matches('/')))
        .json(&serde_json::json!({"name": "x", "workers": {"w": {"command": "x", "replicas": -1}}}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["error"], "invalid_manifest");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("workers.w.replicas"),
        "{body}"
    );
}

/// The namespace `flows` keeps its object routes (agentstate clients choose any namespace):
/// `/v1/flows/objects`, `/query`, `/watch` and `/lease/…` are the namespace's, so a flow may not
/// be named after them.
#[test]
fn the_namespace_flows_keeps_its_routes_and_flows_cannot_take_their_names() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let srv = ServerProc::start(&t, &data);
    stmgr::client::install_crypto_provider();
    let http = reqwest::blocking::Client::new();
    let base = srv.url.trim_end_matches('/').to_owned();
    let resp = http
        .post(format!("{base}/v1/flows/objects"))
        .json(&serde_json::json!({"id": "a1", "type": "note", "body": {"n": 1}}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{:?}", resp.text());
    let got: Value = http
        .get(format!("{base}/v1/flows/objects/a1"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(got["body"]["n"], 1, "{got}");
    let listed = http
        .get(format!("{base}/v1/flows/objects?limit=10"))
        .send()
        .unwrap();
    assert_eq!(listed.status().as_u16(), 200);
    assert!(listed.text().unwrap().contains("a1"));
    let query = http
        .post(format!("{base}/v1/flows/query"))
        .json(&serde_json::json!({}))
        .send()
        .unwrap();
    assert_eq!(query.status().as_u16(), 200, "{:?}", query.text());
    assert!(query.text().unwrap().contains("a1"));
    // The object is in the namespace `flows` for the CLI too, and no flow appeared.
    let (code, out, err) = flow(&t, &srv, &["ls"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.to_string().contains("a1"), "{out}");
    let get = t
        .stmgr()
        .args(["--server", &srv.url, "get", "flows", "a1", "-o", "json"])
        .output()
        .unwrap();
    assert!(get.status.success(), "{get:?}");

    for name in ["objects", "query", "watch", "lease", "events"] {
        let file = t.write(
            format!("{name}.toml"),
            &format!("name = \"{name}\"\n[workers.w]\ncommand = \"/bin/true\"\n"),
        );
        let (code, _, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("name: ") && err.contains("routes"), "{err}");
    }
}
