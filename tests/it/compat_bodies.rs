//! Bodies are stored in AgentState's form (compact, keys sorted, the last of duplicate keys),
//! checked on the bytes every read path returns: the PUT answer, GET, query, watch events,
//! `GET /admin/dump` and the offline `stmgr admin dump`; and duplicate keys mean the same in
//! the body, in queries and in idempotency checks.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::engine::options;
use crate::server::{Backend, Deployment};
use crate::util::TestDir;

crate::server::both_backends!(
    a_body_sent_with_whitespace_comes_back_compact_everywhere,
    duplicate_keys_keep_the_last_in_the_body_and_in_queries,
    an_idempotent_retry_is_the_same_document_however_it_is_spelled,
    bodies_json_cannot_hold_are_refused_with_a_json_400,
);

/// A document as a person or `json.dumps(..., indent=2)` writes it: line breaks, spaces,
/// keys out of order, `d` given twice, a string holding an escaped line break.
const SENT: &str = "{\n  \"type\": \"note\",\n  \"id\": \"o1\",\n  \"body\": {\n    \"z\": \"x\\ny\",\n    \"d\": 1,\n    \"a\" : [ 1 , 2.50, {\"y\": null, \"x\": true} ],\r\n\t\"d\": 2\n  }\n}\n";

/// How AgentState stores and returns it.
const STORED: &str = r#""body":{"a":[1,2.5,{"x":true,"y":null}],"d":2,"z":"x\ny"}"#;

/// Sends `body` as JSON; the status, the `idempotent-replayed` header and the raw answer.
async fn send(
    method: &str,
    url: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, bool, String) {
    stmgr::client::install_crypto_provider();
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let replayed = resp.headers().contains_key("idempotent-replayed");
    (resp.status().as_u16(), replayed, resp.text().await.unwrap())
}

/// The text of the first SSE event of `ns` (from the start of history) whose data holds `what`.
async fn watched_event_with(url: &str, ns: &str, what: &str) -> String {
    stmgr::client::install_crypto_provider();
    let resp = reqwest::get(format!("{url}/v1/{ns}/watch?from_commit=0"))
        .await
        .unwrap();
    let mut stream = resp.bytes_stream();
    let mut text = String::new();
    let read = async {
        while let Some(chunk) = stream.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if let Some(event) = text.split("\n\n").find(|e| e.contains(what)) {
                return event.to_string();
            }
        }
        panic!("the stream ended before an event with {what}:\n{text}");
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("the event arrives")
}

async fn a_body_sent_with_whitespace_comes_back_compact_everywhere(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
    let url = &srv.url;

    let (status, _, put) = send("POST", &format!("{url}/v1/c/objects"), Some(SENT), &[]).await;
    assert_eq!(status, 200, "{put}");
    assert!(put.contains(STORED), "PUT answer: {put}");

    let (_, _, got) = send("GET", &format!("{url}/v1/c/objects/o1"), None, &[]).await;
    assert!(got.contains(STORED), "GET: {got}");
    assert_eq!(got, put, "GET returns what PUT returned, byte for byte");

    let (_, _, found) = send("POST", &format!("{url}/v1/c/query"), Some("{}"), &[]).await;
    assert!(found.contains(STORED), "query: {found}");

    let event = watched_event_with(url, "c", "\"o1\"").await;
    assert!(event.contains(STORED), "watch event: {event}");
    assert_eq!(
        event.lines().filter(|l| l.starts_with("data:")).count(),
        1,
        "the event is one data line: {event}"
    );

    let (_, _, dump) = send("GET", &format!("{url}/admin/dump"), None, &[]).await;
    assert!(dump.contains(STORED), "GET /admin/dump: {dump}");

    // The offline dump reads the WAL without a lock, so it runs beside the server (a data
    // directory's WAL: the embedded engine's).
    if backend == Backend::Embedded {
        let t = TestDir::new();
        let out = t
            .stmgr()
            .args(["admin", "dump", "--data-dir"])
            .arg(d.dir())
            .assert()
            .success();
        let offline = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(offline.contains(STORED), "stmgr admin dump: {offline}");
    }

    // Checkpoint metadata is a client document too.
    let (status, _, cp) = send(
        "POST",
        &format!("{url}/v1/c/objects/o1/checkpoints"),
        Some("{\"name\": \"c1\", \"metadata\": { \"b\" : 1,\n \"a\": 2, \"b\": 3 }}"),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{cp}");
    assert!(
        cp.contains(r#""metadata":{"a":2,"b":3}"#),
        "checkpoint: {cp}"
    );
    srv.stop().await;
}

async fn duplicate_keys_keep_the_last_in_the_body_and_in_queries(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
    let url = &srv.url;
    let put = |id: &'static str, body: &'static str| {
        let text = format!(r#"{{"type":"t","id":"{id}","body":{body}}}"#);
        async move { send("POST", &format!("{url}/v1/d/objects"), Some(&text), &[]).await }
    };
    let (status, _, o2) = put("o2", r#"{"d":1,"d":2}"#).await;
    assert_eq!(status, 200, "{o2}");
    assert!(o2.contains(r#""body":{"d":2}"#), "{o2}");
    // An object that a later scalar replaces is gone, paths into it included.
    let (_, _, o3) = put("o3", r#"{"m":{"k":1},"n":0,"m":5}"#).await;
    assert!(o3.contains(r#""body":{"m":5,"n":0}"#), "{o3}");

    let ids = |q: Value| async move {
        let (status, _, text) = send(
            "POST",
            &format!("{url}/v1/d/query"),
            Some(&q.to_string()),
            &[],
        )
        .await;
        assert_eq!(status, 200, "{text}");
        let found: Vec<Value> = serde_json::from_str(&text).unwrap();
        found
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(json!({"jsonpath": {"equals": {"$.d": 2}}})).await,
        ["o2"]
    );
    assert!(
        ids(json!({"jsonpath": {"equals": {"$.d": 1}}}))
            .await
            .is_empty()
    );
    assert_eq!(
        ids(json!({"jsonpath": {"equals": {"$.m": 5}}})).await,
        ["o3"]
    );
    assert!(
        ids(json!({"jsonpath": {"equals": {"$.m.k": 1}}}))
            .await
            .is_empty()
    );
    srv.stop().await;
}

async fn an_idempotent_retry_is_the_same_document_however_it_is_spelled(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
    let objects = format!("{}/v1/i/objects", srv.url);
    let key = [("idempotency-key", "retry-1")];
    let first = r#"{"type":"t","id":"x","body":{"a":1,"b":[1,2]}}"#;
    let (status, replayed, answer) = send("POST", &objects, Some(first), &key).await;
    assert_eq!((status, replayed), (200, false), "{answer}");
    // Same document: other whitespace, key order, a duplicate whose last value is the same.
    let respelled =
        "{ \"body\": { \"b\": [1, 2], \"a\": 0, \"a\": 1 },\n \"id\": \"x\", \"type\": \"t\" }";
    let (status, replayed, again) = send("POST", &objects, Some(respelled), &key).await;
    assert_eq!((status, replayed), (200, true), "{again}");
    assert_eq!(again, answer);
    // Another document: the last `a` differs.
    let other = r#"{"type":"t","id":"x","body":{"a":1,"b":[1,2],"a":2}}"#;
    let (status, _, refused) = send("POST", &objects, Some(other), &key).await;
    assert_eq!(status, 409, "{refused}");
    srv.stop().await;
}

async fn bodies_json_cannot_hold_are_refused_with_a_json_400(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
    let objects = format!("{}/v1/b/objects", srv.url);
    for body in [r#""\ud800""#, "1e400", "[1,]"] {
        let text = format!(r#"{{"type":"t","body":{body}}}"#);
        let (status, _, answer) = send("POST", &objects, Some(&text), &[]).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let err: Value = serde_json::from_str(&answer).unwrap();
        assert!(err["error"].is_string(), "{body}: {answer}");
    }
    srv.stop().await;
}
