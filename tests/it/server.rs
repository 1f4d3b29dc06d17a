//! The v1 API and admin routes against an in-process server on port 0.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use stmgr::client::{Client, ClientError};
use stmgr::server::{self, ServeOptions};
use stmgr::store::{Engine, EngineOptions};
use tokio::sync::oneshot;

use crate::engine::options;

/// A server running in this process until dropped (or `stop`ped).
pub struct TestServer {
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    pub async fn start(dir: &std::path::Path, opts: EngineOptions) -> TestServer {
        TestServer::start_with(dir, opts, ServeOptions::default()).await
    }

    /// As [`TestServer::start`] with the test engine options, behind `guard`.
    pub async fn start_guarded(
        dir: &std::path::Path,
        guard: stmgr::api::guard::Guard,
    ) -> TestServer {
        let serve_opts = ServeOptions {
            guard,
            ..ServeOptions::default()
        };
        TestServer::start_with(dir, crate::engine::options(), serve_opts).await
    }

    /// As [`TestServer::start`], with server options (heartbeat and drain are set for tests).
    pub async fn start_with(
        dir: &std::path::Path,
        opts: EngineOptions,
        serve_opts: ServeOptions,
    ) -> TestServer {
        let engine = tokio::task::spawn_blocking({
            let dir = dir.to_path_buf();
            move || Engine::open(&dir, opts, "test server")
        })
        .await
        .unwrap()
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel();
        let serve_opts = ServeOptions {
            heartbeat: Duration::from_millis(200),
            drain_timeout: Duration::from_secs(5),
            ..serve_opts
        };
        let task = tokio::spawn(server::serve(listener, engine, serve_opts, async move {
            let _ = rx.await;
        }));
        TestServer {
            url,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// The text of `/metrics`.
    pub async fn metrics(&self) -> String {
        stmgr::client::install_crypto_provider();
        let resp = reqwest::get(format!("{}/metrics", self.url)).await.unwrap();
        resp.text().await.unwrap()
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url).unwrap()
    }

    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
    }
}

async fn raw(
    method: &str,
    url: &str,
    body: Option<&str>,
    content_type: Option<&str>,
) -> (u16, Value) {
    stmgr::client::install_crypto_provider();
    let c = reqwest::Client::new();
    let mut req = c.request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Sends only the head of a `POST path` announcing a JSON body of `len` bytes, then reads the
/// answer (the connection is closed after it).
async fn head_only_post(url: &str, path: &str, len: usize) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = sock.read_to_end(&mut answer);
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the server answers without waiting for the body")
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (
        status,
        serde_json::from_str(body.trim()).unwrap_or(Value::Null),
    )
}

fn status_of(e: ClientError) -> (u16, String) {
    match e {
        ClientError::Api { status, code, .. } => (status, code),
        other => panic!("expected an API error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_crud_query_and_conditional_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let c = srv.client();
    let o = c
        .put(
            "agent://demo",
            &json!({"type": "note", "body": {"n": 1}, "tags": {"team": "a"}, "id": "k1"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (o.id.as_str(), o.commit_seq, o.ns.as_str()),
        ("k1", 1, "agent://demo")
    );
    let generated = c
        .put(
            "agent://demo",
            &json!({"type": "note", "body": [1, 2]}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(generated.id.len(), 26, "ULID id when none is given");
    c.put(
        "agent://demo",
        &json!({"type": "note", "body": {"n": 2}, "tags": {"team": "b"}, "id": "k2"}),
        None,
    )
    .await
    .unwrap();
    let got = c.get("agent://demo", "k1", None, None).await.unwrap();
    assert_eq!(got, o);
    // Conditional write: the right seq passes, a stale one is 412.
    let o2 = c
        .put(
            "agent://demo",
            &json!({"type": "note", "body": {"n": 10}, "id": "k1", "tags": {"team": "a"}}),
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(o2.commit_seq, 4);
    let e = c
        .put(
            "agent://demo",
            &json!({"type": "note", "body": {}, "id": "k1"}),
            Some(1),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(e), (412, "precondition_failed".into()));
    // History: k1 at seq 3 is the first version.
    assert_eq!(
        c.get("agent://demo", "k1", Some(3), None)
            .await
            .unwrap()
            .body
            .get(),
        r#"{"n":1}"#
    );
    // Query by tag_filter (server name) and tags (SDK name), and by body value.
    let (items, _) = c
        .query("agent://demo", &json!({"tag_filter": {"team": "a"}}))
        .await
        .unwrap();
    assert_eq!(
        items.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        ["k1"]
    );
    let (items, _) = c
        .query("agent://demo", &json!({"tags": {"team": "b"}}))
        .await
        .unwrap();
    assert_eq!(
        items.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        ["k2"]
    );
    let (items, _) = c
        .query(
            "agent://demo",
            &json!({"jsonpath": {"equals": {"$.n": 10}}}),
        )
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    // Pagination is stable and complete.
    let (page1, cursor) = c.query("agent://demo", &json!({"limit": 2})).await.unwrap();
    let (page2, end) = c
        .query(
            "agent://demo",
            &json!({"limit": 2, "cursor": cursor.clone().unwrap()}),
        )
        .await
        .unwrap();
    assert_eq!(page1.len() + page2.len(), 3);
    assert!(end.is_none());
    let page = c.list("agent://demo", Some("k"), None, None).await.unwrap();
    assert_eq!(
        page.objects
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>(),
        ["k1", "k2"]
    );
    // Delete: 204, then 404.
    c.delete("agent://demo", "k2").await.unwrap();
    assert_eq!(
        status_of(c.delete("agent://demo", "k2").await.unwrap_err()).0,
        404
    );
    assert_eq!(
        status_of(c.get("agent://demo", "k2", None, None).await.unwrap_err()).0,
        404
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_4xx_json_never_5xx() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let u = &srv.url;
    let long = "x".repeat(300);
    let id_body = format!(r#"{{"type":"t","body":1,"id":"{long}"}}"#);
    // (method, path, body, JSON content type, expected status)
    let cases: &[(&str, String, Option<&str>, bool, u16)] = &[
        (
            "POST",
            "/v1/ns/objects".into(),
            Some("{not json"),
            true,
            400,
        ),
        (
            "POST",
            "/v1/ns/objects".into(),
            Some(r#"{"type":"t","body":1}"#),
            false,
            415,
        ),
        (
            "POST",
            "/v1/ns/objects".into(),
            Some(r#"{"type":5,"body":1}"#),
            true,
            400,
        ),
        (
            "POST",
            "/v1/ns/objects".into(),
            Some(r#"{"body":1}"#),
            true,
            400,
        ),
        (
            "POST",
            "/v1/ns/objects".into(),
            Some(r#"{"type":"t","body":1,"extra":true}"#),
            true,
            400,
        ),
        ("POST", "/v1/ns/objects".into(), Some(&id_body), true, 400),
        (
            "POST",
            "/v1/ns/objects".into(),
            Some(r#"{"type":"t","body":1,"tags":{"k":1}}"#),
            true,
            400,
        ),
        (
            "POST",
            "/v1/bad%20ns/objects".into(),
            Some(r#"{"type":"t","body":1}"#),
            true,
            400,
        ),
        ("GET", format!("/v1/ns/objects/{long}"), None, false, 400),
        (
            "GET",
            "/v1/ns/objects/x?at_seq=abc".into(),
            None,
            false,
            400,
        ),
        (
            "GET",
            "/v1/ns/objects/x?at=yesterday".into(),
            None,
            false,
            404,
        ),
        ("GET", "/v1/ns/objects?limit=0".into(), None, false, 400),
        (
            "POST",
            "/v1/ns/query".into(),
            Some(r#"{"jsonpath":{"equals":{"$..a":1}}}"#),
            true,
            400,
        ),
        (
            "POST",
            "/v1/ns/query".into(),
            Some(r#"{"limit":-1}"#),
            true,
            400,
        ),
        ("GET", "/v1/ns/watch?from_commit=x".into(), None, false, 400),
        (
            "POST",
            "/admin/trim-wal?snapshot_id=snap-nope".into(),
            None,
            false,
            404,
        ),
        ("POST", "/admin/trim-wal".into(), None, false, 400),
        ("GET", "/no/such/route".into(), None, false, 404),
    ];
    for (method, path, body, json, want) in cases {
        let url = format!("{u}{path}");
        let (status, v) = raw(method, &url, *body, json.then_some("application/json")).await;
        assert_eq!(status, *want, "{method} {url} {body:?}: {v}");
        assert!(
            v["error"].is_string() && v["message"].is_string(),
            "{method} {url}: not a JSON error: {v}"
        );
    }
    // A body over the limit is refused with a JSON 413, from its Content-Length, before the
    // body is sent (sending it would race the server closing the connection).
    let (status, v) = head_only_post(u, "/v1/ns/objects", 3 * 1024 * 1024).await;
    assert_eq!((status, v["error"].as_str()), (413, Some("too_large")));
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_serves_plain_ok_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let (status, body) = raw("GET", &format!("{}/health", srv.url), None, None).await;
    assert_eq!((status, body), (200, Value::String("ok".into())));
    let h = srv.client().health().await.unwrap();
    assert_eq!(h["status"], "healthy");
    assert_eq!(h["message"], "OK");
    assert_eq!(h["commit_seq"], 0);
    assert!(h["version"].is_string() && h["uptime_s"].is_u64() && h["components"].is_object());
    srv.stop().await;
}

async fn collect_puts(c: &Client, from: Option<u64>, n: usize) -> Vec<u64> {
    let stream = c.watch("w", from, None).await.unwrap();
    let mut stream = std::pin::pin!(stream);
    let mut seqs = Vec::new();
    while seqs.len() < n {
        let ev = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("event in time")
            .unwrap()
            .unwrap();
        assert_eq!(ev.kind, "message", "{ev:?}");
        seqs.push(ev.data["commit_seq"].as_u64().unwrap());
        assert_eq!(ev.id, Some(*seqs.last().unwrap()));
    }
    seqs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_resumes_across_a_restart_without_gap_or_duplicate() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let c = srv.client();
    for i in 0..10 {
        c.put(
            "w",
            &json!({"type": "t", "body": i, "id": format!("k{i}")}),
            None,
        )
        .await
        .unwrap();
        c.put("other", &json!({"type": "t", "body": i}), None)
            .await
            .unwrap();
    }
    // Only this namespace's commits (odd seqs), resumed after seq 5.
    assert_eq!(
        collect_puts(&c, Some(5), 7).await,
        vec![7, 9, 11, 13, 15, 17, 19]
    );
    srv.stop().await;
    let srv = TestServer::start(tmp.path(), options()).await;
    let c = srv.client();
    let watcher = tokio::spawn({
        let c = c.clone();
        async move { collect_puts(&c, Some(15), 4).await }
    });
    for i in 10..12 {
        c.put("w", &json!({"type": "t", "body": i}), None)
            .await
            .unwrap();
    }
    assert_eq!(watcher.await.unwrap(), vec![17, 19, 21, 22]);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_ends_with_explicit_events() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = EngineOptions {
        watch_buffer_events: 4,
        watch_ring_events: 8,
        ..options()
    };
    let srv = TestServer::start(tmp.path(), opts).await;
    let c = srv.client();
    // Overflow: a connected watcher that does not read while more than the socket buffers
    // can hold is committed.
    let stream = c.watch("w", None, None).await.unwrap();
    let chunk = "y".repeat(64 * 1024);
    for i in 0..400 {
        c.put("w", &json!({"type": "t", "body": [i, chunk]}), None)
            .await
            .unwrap();
    }
    let events: Vec<_> = tokio::time::timeout(Duration::from_secs(10), stream.collect::<Vec<_>>())
        .await
        .unwrap();
    let last = events.last().unwrap().as_ref().unwrap();
    assert_eq!(last.kind, "overflow", "{events:?}");
    let delivered = events
        .iter()
        .filter(|e| e.as_ref().unwrap().kind == "message")
        .count() as u64;
    assert_eq!(last.data["last_commit"].as_u64(), Some(delivered));
    // Compacted: snapshot, trim, then resume from before the horizon.
    stmgr::client::install_crypto_provider();
    let http = reqwest::Client::new();
    let many = "x".repeat(4000);
    for _ in 0..40 {
        c.put("w", &json!({"type": "t", "body": many}), None)
            .await
            .unwrap();
    }
    let snap: Value = http
        .post(format!("{}/admin/snapshot", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let trim: Value = http
        .post(format!(
            "{}/admin/trim-wal?snapshot_id={}",
            srv.url,
            snap["snapshot_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!trim["deleted"].as_array().unwrap().is_empty(), "{trim}");
    let events: Vec<_> = c.watch("w", Some(1), None).await.unwrap().collect().await;
    let end = events.last().unwrap().as_ref().unwrap();
    assert_eq!(end.kind, "compacted");
    assert!(end.data["oldest_available"].as_u64().unwrap() > 1);
    // Shutdown ends a live stream with a final event.
    let stream = c.watch("w", None, None).await.unwrap();
    let collector = tokio::spawn(stream.collect::<Vec<_>>());
    // Wait until the server counts the watcher, then stop it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while c.health().await.unwrap()["components"]["watch"]["clients"] != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "watcher never registered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    srv.stop().await;
    let events = collector.await.unwrap();
    assert_eq!(events.last().unwrap().as_ref().unwrap().kind, "shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_manifest_and_dump() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let c = srv.client();
    for i in 0..5 {
        c.put(
            "a",
            &json!({"type": "t", "body": i, "id": format!("k{i}")}),
            None,
        )
        .await
        .unwrap();
    }
    c.delete("a", "k0").await.unwrap();
    let m = c.manifest().await.unwrap();
    assert_eq!((m.commit_seq, m.objects, m.wal.len()), (6, 4, 1));
    stmgr::client::install_crypto_provider();
    let text = reqwest::get(format!("{}/admin/dump", srv.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["k1", "k2", "k3", "k4"]);
    // Dump has no side effects: no snapshot appeared.
    assert!(c.manifest().await.unwrap().snapshots.is_empty());
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_operations_watches_and_engine_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let c = srv.client();
    for i in 0..3 {
        c.put(
            "m",
            &json!({"type": "t", "body": i, "id": format!("k{i}")}),
            None,
        )
        .await
        .unwrap();
    }
    let _ = c.get("m", "missing", None, None).await.unwrap_err();
    let events: Vec<_> = {
        let stream = c.watch("m", Some(0), None).await.unwrap();
        stream.take(3).collect().await
    };
    assert_eq!(events.len(), 3);
    stmgr::client::install_crypto_provider();
    let http = reqwest::Client::new();
    http.post(format!("{}/admin/snapshot", srv.url))
        .send()
        .await
        .unwrap();
    let text = srv.metrics().await;
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(value(r#"operations_total{op="put",result="ok"}"#), 3.0);
    assert_eq!(
        value(r#"operations_total{op="get",result="client_error"}"#),
        1.0
    );
    assert!(value(r#"op_duration_seconds_count{op="put"}"#) >= 3.0);
    assert_eq!(value("commit_seq "), 3.0);
    assert!(value("wal_fsync_total") >= 1.0);
    assert!(value("wal_appended_bytes_total") > 0.0);
    assert_eq!(value("wal_segments "), 1.0);
    assert!(value("watch_events_total") >= 3.0);
    assert_eq!(value("snapshot_duration_seconds_count"), 1.0);
    assert!(value("snapshot_size_bytes") > 0.0);
    assert!(
        text.contains("watch_clients")
            && text.contains("watch_backlog_events")
            && text.contains("watch_emit_lag_seconds")
    );
    srv.stop().await;
}

async fn put_idem(url: &str, key: &str, body: &Value) -> (u16, Value, bool) {
    stmgr::client::install_crypto_provider();
    let resp = reqwest::Client::new()
        .post(format!("{url}/v1/idem/objects"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let replayed = resp.headers().contains_key("idempotent-replayed");
    (status, resp.json().await.unwrap(), replayed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_key_replays_durably_and_refuses_another_body() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let a = json!({"type": "t", "body": {"n": 1}});
    let (s1, first, replayed) = put_idem(&srv.url, "key-1", &a).await;
    assert_eq!((s1, replayed), (200, false));
    let (s2, again, replayed) = put_idem(&srv.url, "key-1", &a).await;
    assert_eq!((s2, replayed), (200, true));
    assert_eq!(again, first, "same body: the first response, no new commit");
    let (s3, err, _) = put_idem(&srv.url, "key-1", &json!({"type": "t", "body": {"n": 2}})).await;
    assert_eq!(
        (s3, err["error"].as_str()),
        (409, Some("idempotency_conflict"))
    );
    // Concurrent retries of one new request: one commit, one answer.
    let b = json!({"type": "t", "body": {"n": 3}});
    let answers =
        futures_util::future::join_all((0..8).map(|_| put_idem(&srv.url, "key-2", &b))).await;
    let seqs: std::collections::BTreeSet<u64> = answers
        .iter()
        .map(|(s, v, _)| {
            assert_eq!(*s, 200, "{v}");
            v["commit_seq"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(seqs.len(), 1, "{answers:?}");
    assert_eq!(srv.client().manifest().await.unwrap().commit_seq, 2);
    let (s, _, _) = put_idem(&srv.url, "", &a).await;
    assert_eq!(s, 400);
    // Remembered across a snapshot and a restart.
    stmgr::client::install_crypto_provider();
    reqwest::Client::new()
        .post(format!("{}/admin/snapshot", srv.url))
        .send()
        .await
        .unwrap();
    srv.stop().await;
    let srv = TestServer::start(tmp.path(), options()).await;
    let (s4, after, replayed) = put_idem(&srv.url, "key-1", &a).await;
    assert_eq!((s4, replayed), (200, true));
    assert_eq!(after, first);
    srv.stop().await;
}

async fn post_json(url: &str, body: &Value, headers: &[(&str, String)]) -> (u16, Value) {
    stmgr::client::install_crypto_provider();
    let mut req = reqwest::Client::new().post(url).json(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_fence_writes_with_growing_tokens() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let u = format!("{}/v1/ns/lease", srv.url);
    let (s, a) = post_json(
        &format!("{u}/acquire"),
        &json!({"key": "job", "owner": "w1", "ttl": 30}),
        &[],
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let t1 = a["token"].as_u64().unwrap();
    assert!(a["expires_at"].is_string());
    // Another owner cannot take a live lease.
    let (s, e) = post_json(
        &format!("{u}/acquire"),
        &json!({"key": "job", "owner": "w2", "ttl": 30}),
        &[],
    )
    .await;
    assert_eq!((s, e["error"].as_str()), (409, Some("conflict")));
    // A fenced write with the holder's token passes.
    let obj = format!("{}/v1/ns/objects", srv.url);
    let fence = |t: u64| {
        vec![
            ("If-Resource", "job".to_string()),
            ("If-Fence", t.to_string()),
        ]
    };
    let (s, _) = post_json(
        &obj,
        &json!({"type": "t", "body": 1, "id": "x"}),
        &fence(t1),
    )
    .await;
    assert_eq!(s, 200);
    // Renew keeps the token; a wrong token is refused.
    let (s, r) = post_json(
        &format!("{u}/renew"),
        &json!({"key": "job", "owner": "w1", "token": t1, "ttl": 30}),
        &[],
    )
    .await;
    assert_eq!((s, r["token"].as_u64()), (200, Some(t1)));
    let (s, _) = post_json(
        &format!("{u}/renew"),
        &json!({"key": "job", "owner": "w1", "token": t1 + 99, "ttl": 30}),
        &[],
    )
    .await;
    assert_eq!(s, 409);
    // Release, then another owner gets a larger token; the old token is now stale.
    let (s, _) = post_json(
        &format!("{u}/release"),
        &json!({"key": "job", "owner": "w1", "token": t1}),
        &[],
    )
    .await;
    assert_eq!(s, 204);
    let (s, b) = post_json(
        &format!("{u}/acquire"),
        &json!({"key": "job", "owner": "w2", "ttl": 30}),
        &[],
    )
    .await;
    assert_eq!(s, 200);
    let t2 = b["token"].as_u64().unwrap();
    assert!(t2 > t1);
    let (s, e) = post_json(
        &obj,
        &json!({"type": "t", "body": 2, "id": "x"}),
        &fence(t1),
    )
    .await;
    assert_eq!(s, 409, "{e}");
    assert!(e["message"].as_str().unwrap().contains("stale"), "{e}");
    let (s, _) = post_json(
        &obj,
        &json!({"type": "t", "body": 3, "id": "x"}),
        &fence(t2),
    )
    .await;
    assert_eq!(s, 200);
    // Bad input.
    let (s, _) = post_json(
        &format!("{u}/acquire"),
        &json!({"key": "", "owner": "w", "ttl": 1}),
        &[],
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = post_json(
        &format!("{u}/acquire"),
        &json!({"key": "k", "owner": "w", "ttl": 0}),
        &[],
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = post_json(
        &obj,
        &json!({"type": "t", "body": 1}),
        &[("If-Fence", "1".into())],
    )
    .await;
    assert_eq!(s, 400);
    // Leases survive a restart (snapshot + log).
    srv.stop().await;
    let srv = TestServer::start(tmp.path(), options()).await;
    let (s, _) = post_json(
        &format!("{}/v1/ns/objects", srv.url),
        &json!({"type": "t", "body": 4, "id": "x"}),
        &fence(t2),
    )
    .await;
    assert_eq!(s, 200);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_history_stats_and_gc() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start(tmp.path(), options()).await;
    let c = srv.client();
    let v1 = c
        .put(
            "s",
            &json!({"type": "session", "body": {"step": 1}, "id": "sess"}),
            None,
        )
        .await
        .unwrap();
    let cp = c
        .checkpoint_create("s", "sess", "before", Some(&json!({"why": "test"})))
        .await
        .unwrap();
    assert_eq!(
        (cp.source_seq, cp.object.body.get()),
        (v1.commit_seq, r#"{"step":1}"#)
    );
    let e = c
        .checkpoint_create("s", "sess", "before", None)
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Api { status: 409, .. }), "{e}");
    let e = c
        .checkpoint_create("s", "nope", "x", None)
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Api { status: 404, .. }), "{e}");
    c.put(
        "s",
        &json!({"type": "session", "body": {"step": 2}, "id": "sess"}),
        None,
    )
    .await
    .unwrap();
    // A watcher sees the restore as an ordinary put.
    let head = c.manifest().await.unwrap().commit_seq;
    let restored = c.checkpoint_restore("s", "sess", "before").await.unwrap();
    assert_eq!(restored.body.get(), r#"{"step":1}"#);
    assert!(restored.commit_seq > head);
    let ev = c.watch("s", Some(head), None).await.unwrap();
    let first = std::pin::pin!(ev).next().await.unwrap().unwrap();
    assert_eq!(first.data["obj"]["body"]["step"], 1);
    for name in ["a", "b", "c"] {
        c.checkpoint_create("s", "sess", name, None).await.unwrap();
    }
    let names: Vec<String> = c
        .checkpoints("s", "sess")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["c", "b", "a", "before"], "newest first");
    let deleted = c.checkpoint_prune("s", "sess", 2).await.unwrap();
    assert_eq!(deleted, ["before", "a"]);
    stmgr::client::install_crypto_provider();
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{}{path}", srv.url)).send();
    // History: newest first, the delete of a removed object included.
    let h: Value = get("/v1/s/objects/sess/history")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seqs: Vec<u64> = h["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["commit_seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs.len(), 3);
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "{seqs:?}");
    // Namespaces and stats.
    c.put("t", &json!({"type": "x", "body": 1, "id": "old"}), None)
        .await
        .unwrap();
    let ns: Value = get("/v1/namespaces").await.unwrap().json().await.unwrap();
    assert_eq!(ns.as_array().unwrap().len(), 2);
    assert_eq!(ns[0]["ns"], "s");
    assert_eq!(ns[0]["checkpoints"], 2);
    let st: Value = get("/v1/stats").await.unwrap().json().await.unwrap();
    assert_eq!(
        (st["objects"].as_u64(), st["checkpoints"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(st["wal"]["bytes"].as_u64().unwrap() > 0);
    // GC: nothing is older than an hour; everything is older than 0s except the keep_last.
    let gc = |body: Value| {
        http.post(format!("{}/admin/gc", srv.url))
            .json(&body)
            .send()
    };
    let r: Value = gc(json!({"older_than": "1h"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["deleted"], 0);
    let r: Value = gc(json!({"older_than": "0s", "keep_last": 1, "dry_run": true}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["deleted"], 0, "one object per namespace, each kept: {r}");
    c.put("t", &json!({"type": "x", "body": 2, "id": "new"}), None)
        .await
        .unwrap();
    let r: Value = gc(json!({"older_than": "0s", "keep_last": 1, "ns": "t"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["deleted"], 1);
    assert!(c.get("t", "old", None, None).await.is_err());
    assert!(c.get("t", "new", None, None).await.is_ok());
    let bad = gc(json!({"older_than": "soon"})).await.unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    // Checkpoints survive a snapshot and a restart.
    http.post(format!("{}/admin/snapshot", srv.url))
        .send()
        .await
        .unwrap();
    srv.stop().await;
    let srv = TestServer::start(tmp.path(), options()).await;
    let names: Vec<String> = srv
        .client()
        .checkpoints("s", "sess")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["c", "b"]);
    srv.stop().await;
}
