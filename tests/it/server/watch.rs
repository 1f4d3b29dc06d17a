//! Watch: resume across a restart, and the explicit events that end a stream.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use stmgr::client::Client;
use stmgr::store::EngineOptions;

use super::{Backend, Deployment};
use crate::engine::options;

super::both_backends!(
    watch_resumes_across_a_restart_without_gap_or_duplicate,
    watch_ends_with_explicit_events,
);

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

async fn watch_resumes_across_a_restart_without_gap_or_duplicate(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
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
    let srv = d.start(options()).await;
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

async fn watch_ends_with_explicit_events(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let d = d.with_pg_params("stmgr_log_keep=0");
    let opts = EngineOptions {
        watch_buffer_events: 4,
        watch_ring_events: 8,
        ..options()
    };
    let srv = d.start(opts).await;
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
    let deleted = trim["deleted"].as_array().unwrap();
    match backend {
        Backend::Embedded => assert!(!deleted.is_empty(), "{trim}"),
        // On PostgreSQL there are no segments: the leader trimmed `stmgr_log` when it stored
        // the snapshot (all of it here: `stmgr_log_keep=0`).
        Backend::Postgres => {
            assert!(snap["shipped_to"].is_string(), "{snap}");
            assert!(
                deleted.is_empty() && trim["segments"] == json!([]),
                "{trim}"
            );
        }
    }
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
