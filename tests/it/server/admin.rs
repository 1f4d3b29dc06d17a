//! Admin and metrics: the manifest, the dump, the metric figures, checkpoints, history,
//! stats and GC.

use futures_util::StreamExt;
use serde_json::{Value, json};
use stmgr::client::ClientError;

use super::{Backend, Deployment};
use crate::engine::options;

super::both_backends!(
    admin_manifest_and_dump,
    metrics_count_operations_watches_and_engine_figures,
    checkpoints_history_stats_and_gc,
);

async fn admin_manifest_and_dump(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
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
    // WAL segment files: one; none on PostgreSQL (the log is the `stmgr_log` table).
    let segments = match backend {
        Backend::Embedded => 1,
        Backend::Postgres => 0,
    };
    assert_eq!((m.commit_seq, m.objects, m.wal.len()), (6, 4, segments));
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

async fn metrics_count_operations_watches_and_engine_figures(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
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
    if backend == Backend::Embedded {
        // The local WAL's figures.
        assert!(value("wal_fsync_total") >= 1.0);
        assert!(value("wal_appended_bytes_total") > 0.0);
        assert_eq!(value("wal_segments "), 1.0);
    } else {
        // On PostgreSQL the log is the `stmgr_log` table: no WAL of the server's own, and its
        // figures stay 0 (docs/operations/monitoring.md).
        for family in [
            "wal_fsync_total",
            "wal_appended_bytes_total",
            "wal_records_total",
            "wal_segments ",
            r#"storage_bytes_total{kind="wal"}"#,
        ] {
            assert_eq!(value(family), 0.0, "{family}");
        }
    }
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

async fn checkpoints_history_stats_and_gc(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let srv = d.start(options()).await;
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
    // The WAL's files (on PostgreSQL: the `stmgr_log` table, not counted here).
    let wal_bytes = st["wal"]["bytes"].as_u64().unwrap();
    match backend {
        Backend::Embedded => assert!(wal_bytes > 0),
        Backend::Postgres => assert_eq!(wal_bytes, 0),
    }
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
    let srv = d.start(options()).await;
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
