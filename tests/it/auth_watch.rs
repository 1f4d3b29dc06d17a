//! A watch stream opened with a capability token ends when the token expires (with an explicit
//! `expired` event naming where to resume), instead of running on for as long as the client
//! keeps the connection.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use stmgr::api::guard::Guard;
use stmgr::auth::{Key, KeyRing, Verb, sign};
use stmgr::client::{Client, ClientOptions};

use crate::auth_server::claims;
use crate::server::TestServer;
use crate::util::TestDir;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_stream_ends_when_its_token_expires() {
    let tmp = tempfile::tempdir().unwrap();
    let key = Key::from_config("k1", "watch-secret").unwrap();
    let guard = Guard {
        keys: Some(KeyRing::new(key.clone(), None).unwrap()),
        leeway: Duration::ZERO,
        ..Guard::default()
    };
    let srv = TestServer::start_guarded(tmp.path(), guard).await;
    let token = |valid_for: i64| {
        let mut c = claims(&["w"], &Verb::ALL);
        c.exp = c.iat + valid_for;
        sign(&key, &c)
    };
    let client = |token: String| {
        Client::with_options(
            &srv.url,
            &ClientOptions {
                token: Some(token),
                ..ClientOptions::default()
            },
        )
        .unwrap()
    };
    let writer = client(token(3600));
    let watcher = client(token(2));
    let stream = watcher.watch("w", Some(0), None).await.unwrap();
    writer
        .put("w", &json!({"type": "t", "body": 1, "id": "a"}), None)
        .await
        .unwrap();
    // The put comes through, then the end, without the client doing anything.
    let events: Vec<_> = tokio::time::timeout(Duration::from_secs(30), stream.collect::<Vec<_>>())
        .await
        .expect("the stream ended when the token expired");
    let events: Vec<_> = events.into_iter().map(Result::unwrap).collect();
    let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["message", "expired"], "{events:?}");
    assert_eq!(events[1].data["error"], "token_expired");
    assert_eq!(events[1].data["last_commit"], 1);
    // The writer's stream, with an hour left, is still served.
    let stream = writer.watch("w", Some(0), None).await.unwrap();
    let mut stream = std::pin::pin!(stream);
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!((first.kind.as_str(), first.id), ("message", Some(1)));
    let metrics = srv.metrics().await;
    assert!(
        metrics.contains(r#"watch_drops_total{reason="expired"} 1"#),
        "{metrics}"
    );
    // `stmgr watch` stops with exit 1 and says where to resume with a new token.
    let short = token(2);
    let url = srv.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        TestDir::new()
            .stmgr()
            .args([
                "--server", &url, "--token", &short, "watch", "w", "--from", "0",
            ])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: the server ended the stream: the token expired")
            && stderr.contains("--from 1"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("put     a"));
    srv.stop().await;
}
