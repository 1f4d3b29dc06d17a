//! Leases: fencing tokens, renew, release, and their life across a restart.

use serde_json::{Value, json};

use super::{Backend, Deployment};
use crate::engine::options;

super::both_backends!(leases_fence_writes_with_growing_tokens,);

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

async fn leases_fence_writes_with_growing_tokens(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
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
    let srv = d.start(options()).await;
    let (s, _) = post_json(
        &format!("{}/v1/ns/objects", srv.url),
        &json!({"type": "t", "body": 4, "id": "x"}),
        &fence(t2),
    )
    .await;
    assert_eq!(s, 200);
    srv.stop().await;
}
