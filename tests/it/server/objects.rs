//! Objects: CRUD, queries, conditional writes, bad input, health and idempotency keys.

use serde_json::{Value, json};

use super::{Backend, Deployment, head_only_post, raw, status_of};
use crate::engine::options;

super::both_backends!(
    objects_crud_query_and_conditional_writes,
    bad_input_is_4xx_json_never_5xx,
    health_serves_plain_ok_and_json,
    idempotency_key_replays_durably_and_refuses_another_body,
);

async fn objects_crud_query_and_conditional_writes(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
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

async fn bad_input_is_4xx_json_never_5xx(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
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

async fn health_serves_plain_ok_and_json(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
    let (status, body) = raw("GET", &format!("{}/health", srv.url), None, None).await;
    assert_eq!((status, body), (200, Value::String("ok".into())));
    let h = srv.client().health().await.unwrap();
    assert_eq!(h["status"], "healthy");
    assert_eq!(h["message"], "OK");
    assert_eq!(h["commit_seq"], 0);
    assert!(h["version"].is_string() && h["uptime_s"].is_u64() && h["components"].is_object());
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

async fn idempotency_key_replays_durably_and_refuses_another_body(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
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
    let srv = d.start(options()).await;
    let (s4, after, replayed) = put_idem(&srv.url, "key-1", &a).await;
    assert_eq!((s4, replayed), (200, true));
    assert_eq!(after, first);
    srv.stop().await;
}
