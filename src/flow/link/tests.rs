//! A link against a worker played by a real Unix socket in the test: replies correlated out of
//! order, a worker's message between them, a late reply dropped, a malformed frame failing the
//! request waiting on it and rate-limited as an event, and the reconnection after it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::UnixListener;

use super::Links;
use crate::flow::events::{EventOptions, Journal};
use crate::flow::socket::{Message, SocketError, read_frame, write_frame};
use crate::flow::wire::FlowEventOut;
use crate::store::{Durability, Engine, EngineOptions};

struct Setup {
    _dir: tempfile::TempDir,
    journal: Arc<Journal>,
    links: Links,
    listener: UnixListener,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let options = EngineOptions {
        durability: Durability::Never,
        ..EngineOptions::default()
    };
    let engine = Engine::open(&dir.path().join("data"), options, "link test").unwrap();
    let journal = Arc::new(Journal::new(
        engine.clone(),
        EventOptions::default().retention,
    ));
    let sockets = dir.path().join("s");
    std::fs::create_dir(&sockets).unwrap();
    let path = crate::flow::manifest::socket_path(&sockets, "f", "w-0");
    let listener = UnixListener::bind(path).unwrap();
    let links = Links::new("f", sockets, journal.clone(), engine);
    Setup {
        _dir: dir,
        journal,
        links,
        listener,
    }
}

fn reply(to: &Message, data: Value) -> Message {
    Message {
        command: to.command.clone(),
        data,
        timestamp: String::new(),
        id: to.id.clone(),
    }
}

fn message(command: &str) -> Message {
    Message {
        command: command.into(),
        data: json!({"from": "worker"}),
        timestamp: String::new(),
        id: None,
    }
}

/// Waits (at most 10 s) until the journal holds an event `pred` accepts; every event so far.
async fn wait_for(journal: &Journal, pred: impl Fn(&FlowEventOut) -> bool) -> Vec<FlowEventOut> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let all = journal.replay(Some("f"), 0, usize::MAX);
        if all.iter().any(&pred) {
            return all;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no such event: {all:#?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn replies_find_their_requests_in_any_order_and_late_ones_are_dropped() {
    let s = setup();
    let link = s.links.get("w-0");
    let worker = tokio::spawn(async move {
        let (mut conn, _) = s.listener.accept().await.unwrap();
        let first = read_frame(&mut conn).await.unwrap();
        let second = read_frame(&mut conn).await.unwrap();
        // The second answered first, a message of the worker's own between the two replies;
        // each reply's data is its request's command.
        let echo = |m: &Message| reply(m, json!(m.command));
        write_frame(&mut conn, &echo(&second)).await.unwrap();
        write_frame(&mut conn, &message("hello")).await.unwrap();
        write_frame(&mut conn, &echo(&first)).await.unwrap();
        // Not answered in time: its reply comes once the next request came (after the
        // timeout), then a message, then the next request's reply.
        let slow = read_frame(&mut conn).await.unwrap();
        let next = read_frame(&mut conn).await.unwrap();
        write_frame(&mut conn, &reply(&slow, json!("late")))
            .await
            .unwrap();
        write_frame(&mut conn, &message("after")).await.unwrap();
        write_frame(&mut conn, &reply(&next, json!("next")))
            .await
            .unwrap();
        conn
    });
    let (a, b) = tokio::join!(
        link.request("a", Value::Null, Duration::from_secs(10)),
        link.request("b", Value::Null, Duration::from_secs(10)),
    );
    assert_eq!(a.unwrap().data, json!("a"));
    assert_eq!(b.unwrap().data, json!("b"));
    let slow = link
        .request("slow", Value::Null, Duration::from_millis(100))
        .await;
    assert!(matches!(slow, Err(SocketError::Timeout { .. })), "{slow:?}");
    let next = link
        .request("next", Value::Null, Duration::from_secs(10))
        .await;
    assert_eq!(next.unwrap().data, json!("next"));
    let all = wait_for(&s.journal, |e| e.data["command"] == "after").await;
    let kinds: Vec<(String, Value)> = all
        .iter()
        .map(|e| (e.kind.clone(), e.data["command"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("message_received".to_owned(), json!("hello")),
            ("error".to_owned(), json!("slow")),
            ("message_received".to_owned(), json!("after")),
        ],
        "{all:#?}"
    );
    assert_eq!(all[1].data["error"], "socket_timeout");
    assert_eq!(all[0].replica.as_deref(), Some("w-0"));
    assert_eq!(link.lock().late_replies, 1);
    assert!(link.view().connected);
    assert!(link.view().last_message_at.is_some());
    drop(worker.await.unwrap());
}

#[tokio::test]
async fn a_malformed_frame_fails_the_waiting_request_and_the_link_reconnects() {
    let s = setup();
    let link = s.links.get("w-0");
    let worker = tokio::spawn(async move {
        for bad in [
            &[0u8, 0, 0, 3, b'n', b'o', b'!'][..],
            &[0xff, 0xff, 0xff, 0xff],
        ] {
            let (mut conn, _) = s.listener.accept().await.unwrap();
            let _ = read_frame(&mut conn).await.unwrap();
            conn.write_all(bad).await.unwrap();
        }
        // Then a good connection.
        let (mut conn, _) = s.listener.accept().await.unwrap();
        let m = read_frame(&mut conn).await.unwrap();
        write_frame(&mut conn, &reply(&m, json!("fine")))
            .await
            .unwrap();
        conn
    });
    for _ in 0..2 {
        let bad = link
            .request("x", Value::Null, Duration::from_secs(10))
            .await;
        assert!(
            matches!(&bad, Err(SocketError::Protocol { message, .. }) if message.contains("malformed frame")),
            "{bad:?}"
        );
    }
    let good = link
        .request("y", Value::Null, Duration::from_secs(10))
        .await;
    assert_eq!(good.unwrap().data, json!("fine"));
    // The two malformed frames came within a second: one event, the other left out (counted
    // in the next one, when there is one).
    let all = wait_for(&s.journal, |e| e.data["error"] == "malformed_frame").await;
    let malformed: Vec<&FlowEventOut> = all
        .iter()
        .filter(|e| e.data["error"] == "malformed_frame")
        .collect();
    assert_eq!(malformed.len(), 1, "{all:#?}");
    assert_eq!(malformed[0].data["bytes"], 3);
    assert_eq!(link.lock().malformed_suppressed, 1);
    drop(worker.await.unwrap());
}

/// A caller that goes away (its future dropped) while its frame is half written, or while it
/// waits for the reply, leaves nothing pending, and the next request does not follow a frame
/// cut short: it gets a new connection of its own.
#[tokio::test]
async fn a_request_dropped_mid_frame_or_mid_wait_leaves_a_clean_link() {
    let s = setup();
    let link = s.links.get("w-0");
    let (first_tx, first_rx) = tokio::sync::oneshot::channel();
    let worker = tokio::spawn(async move {
        // First connection: never read (the big frame fills the socket's buffer).
        let (stuck, _) = s.listener.accept().await.unwrap();
        let _ = first_tx.send(());
        // Second connection: a clean frame; its request is dropped while waiting, then
        // another one is answered.
        let (mut conn, _) = s.listener.accept().await.unwrap();
        let waited = read_frame(&mut conn).await.unwrap();
        let answered = read_frame(&mut conn).await.unwrap();
        write_frame(&mut conn, &reply(&answered, json!("clean")))
            .await
            .unwrap();
        (stuck, conn, waited.command)
    });
    let big = json!("x".repeat(8 * 1024 * 1024));
    let dropped = tokio::time::timeout(
        Duration::from_millis(300),
        link.request("big", big, Duration::from_secs(30)),
    )
    .await;
    assert!(dropped.is_err(), "the big frame cannot have been written");
    first_rx.await.unwrap();
    assert!(link.lock().pending.is_empty());
    let waiting = tokio::time::timeout(
        Duration::from_millis(200),
        link.request("waits", Value::Null, Duration::from_secs(30)),
    )
    .await;
    assert!(waiting.is_err(), "no reply to this one");
    assert!(link.lock().pending.is_empty());
    let answered = link
        .request("after", Value::Null, Duration::from_secs(10))
        .await;
    assert_eq!(answered.unwrap().data, json!("clean"));
    let (_stuck, _conn, waited) = worker.await.unwrap();
    assert_eq!(waited, "waits");
}
