//! Flow event latency (`cargo bench --bench flow_events`): the real server binary runs a flow of
//! 100 `sleep` replicas; a client follows `GET /v1/flows/events` (SSE). Each sample SIGKILLs
//! one replica and measures the time from the `kill` to the `crashed` event of that replica
//! arriving at the client (the event is committed to the engine before it is sent). Three
//! rounds over the 100 replicas (300 samples; one kill per replica per round keeps each
//! replica under the supervisor's start limit). Prints p50, p99 and the maximum.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

const REPLICAS: usize = 100;
const ROUNDS: usize = 3;

struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_raw(self.child.id() as i32).unwrap(),
            rustix::process::Signal::TERM,
        );
        let _ = self.child.wait();
    }
}

fn start_server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stmgr"))
        .args(["server", "start", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .env("STMGR_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(url) = line.split("listening on ").nth(1) {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Server {
        child,
        url,
        _dir: dir,
    }
}

/// Replica name → pid, once every replica runs and is ready.
async fn running(http: &reqwest::Client, url: &str) -> Vec<(String, i32)> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let v: Value = http
            .get(format!("{url}/v1/flows/bench"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let pids: Vec<(String, i32)> = v["replicas"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .filter(|r| r["ready"] == true && r["state"] == "RUNNING")
                    .filter_map(|r| {
                        Some((r["name"].as_str()?.to_owned(), r["pid"].as_i64()? as i32))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if pids.len() == REPLICAS {
            return pids;
        }
        assert!(Instant::now() < deadline, "replicas not ready: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    stmgr::client::install_crypto_provider();
    let server = start_server();
    let url = server.url.clone();
    let http = reqwest::Client::new();
    let manifest = json!({
        "name": "bench",
        "workers": {"w": {"command": "/bin/sleep", "args": ["100000"], "replicas": REPLICAS}},
    });
    let resp = http
        .post(format!("{url}/v1/flows"))
        .json(&manifest)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());

    // The follower: crashed events, with the instant each arrived.
    let (tx, mut crashed) = mpsc::unbounded_channel::<(String, Instant)>();
    let resp = http
        .get(format!("{url}/v1/flows/events?flow=bench"))
        .header("Accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    tokio::spawn(async move {
        let mut events = eventsource_stream::Eventsource::eventsource(resp.bytes_stream());
        while let Some(Ok(ev)) = events.next().await {
            let at = Instant::now();
            if ev.event == "crashed" {
                let v: Value = serde_json::from_str(&ev.data).unwrap();
                let replica = v["replica"].as_str().unwrap_or_default().to_owned();
                let _ = tx.send((replica, at));
            }
        }
    });

    let mut samples = Vec::with_capacity(REPLICAS * ROUNDS);
    for _ in 0..ROUNDS {
        for (replica, pid) in running(&http, &url).await {
            let t0 = Instant::now();
            rustix::process::kill_process(
                rustix::process::Pid::from_raw(pid).unwrap(),
                rustix::process::Signal::KILL,
            )
            .unwrap();
            loop {
                let (r, at) = tokio::time::timeout(Duration::from_secs(10), crashed.recv())
                    .await
                    .expect("a crashed event within 10 s")
                    .expect("the stream goes on");
                if r == replica {
                    samples.push(at - t0);
                    break;
                }
            }
        }
    }
    samples.sort();
    println!(
        "flow event latency, SIGKILL to SSE `crashed` ({} samples, {REPLICAS} replicas): \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}
