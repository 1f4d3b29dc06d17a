//! Flow manager benchmark (`cargo bench --bench flows`; unoptimised: `cargo test --bench
//! flows`): the real `stmgr` binary built with the bench, on 127.0.0.1, real worker processes.
//!
//! 1. Deploy to ready: `POST /v1/flows` of a 10-replica flow (a `sh` worker that prints `ready`,
//!    `log_line` readiness) until `GET /v1/flows/NAME` shows it `ready` with 10 ready replicas
//!    (polled every 5 ms); 5 rounds, a new flow each, removed after.
//! 2. Socket round trip to one replica of `examples/flow_worker.py`: `flow::socket::request` in
//!    this process on the replica's socket (a connection per request: connect, frame, reply),
//!    and `POST /v1/flows/NAME/send` through the server (HTTP + the manager + its persistent
//!    link to the replica); p50 and p99 of 1,000 each, after 50 unmeasured.
//! 3. Worker-to-manager message latency: the worker sends 220 messages (`send` of the helper,
//!    one every 10 ms) carrying its clock; this process follows `GET /v1/flows/events` and
//!    takes the time each `message_received` event arrives less the time the worker sent it
//!    (same machine, same clock); p50 and p99, after 20 unmeasured. Then 1,000 at once: events
//!    per second at the client (each event is one engine commit) and their latency.
//! 4. Idle manager: 100 replicas of the `sh` worker (10 flows of 10; each `exec`s `sleep`), all ready; the server's CPU time
//!    over 10 s and its RSS, from `/proc/PID` of the server process.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    child: Child,
    url: String,
    http: reqwest::blocking::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM: the server stops its workers before it exits.
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::TERM,
        );
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(data: &Path, sockets: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stmgr"))
            .args(["server", "start", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .arg("--flow-socket-dir")
            .arg(sockets)
            .env_clear()
            .env("HOME", data)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("the server's address").unwrap();
            if let Some(u) = line.split("listening on ").nth(1) {
                break u.trim().to_owned();
            }
        };
        // Keep draining its stderr.
        std::thread::spawn(move || for _ in lines {});
        stmgr::client::install_crypto_provider();
        Server {
            child,
            url,
            http: reqwest::blocking::Client::new(),
        }
    }

    fn deploy(&self, manifest: &Value) {
        let r = self
            .http
            .post(format!("{}/v1/flows", self.url))
            .json(manifest)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{:?}", r.text());
    }

    fn status(&self, name: &str) -> Value {
        self.http
            .get(format!("{}/v1/flows/{name}", self.url))
            .send()
            .unwrap()
            .json()
            .unwrap()
    }

    /// Polls every `every` until `name` is deployed and `n` replicas are ready.
    fn wait_ready(&self, name: &str, n: u64, every: Duration) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let s = self.status(name);
            if s["flow"]["deploy"] == "ready" && s["flow"]["ready"] == n {
                return;
            }
            assert!(Instant::now() < deadline, "{name} not ready: {s}");
            std::thread::sleep(every);
        }
    }

    fn remove(&self, name: &str) {
        let r = self
            .http
            .delete(format!("{}/v1/flows/{name}", self.url))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{:?}", r.text());
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn sh_worker(dir: &Path) -> PathBuf {
    let path = dir.join("tiny.sh");
    std::fs::write(&path, "#!/bin/sh\necho ready\nexec /bin/sleep 100000\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn manifest(name: &str, command: &str, args: &[&str], replicas: u32) -> Value {
    json!({"name": name, "workers": {"w": {
        "command": command, "args": args, "replicas": replicas,
        "stop_timeout": "2s", "readiness": {"log_line": "^ready"}}}})
}

fn deploy_to_ready(srv: &Server, worker: &Path) {
    let mut times = Vec::new();
    for round in 0..5 {
        let name = format!("d{round}");
        let t0 = Instant::now();
        srv.deploy(&manifest(&name, worker.to_str().unwrap(), &[], 10));
        srv.wait_ready(&name, 10, Duration::from_millis(5));
        times.push(t0.elapsed());
        srv.remove(&name);
    }
    let list: Vec<String> = times.iter().map(|d| ms(*d)).collect();
    times.sort();
    println!(
        "deploy to ready, 10 replicas (5 rounds): median {}, min {}, max {} [{}]",
        ms(times[2]),
        ms(times[0]),
        ms(times[4]),
        list.join(", ")
    );
}

fn python() -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn round_trips(srv: &Server, sockets: &Path) {
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flow_worker.py");
    srv.deploy(&manifest("rt", &python(), &[helper.to_str().unwrap()], 1));
    srv.wait_ready("rt", 1, Duration::from_millis(20));
    let path = stmgr::flow::manifest::socket_path(sockets, "rt", "w-0");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut direct = Vec::new();
    rt.block_on(async {
        for i in 0..1050 {
            let t0 = Instant::now();
            let reply = stmgr::flow::socket::request(
                &path,
                "echo",
                json!({"i": i}),
                "2026-12-06T00:00:00Z".into(),
                Duration::from_secs(10),
            )
            .await
            .expect("the worker answers");
            if i >= 50 {
                direct.push(t0.elapsed());
            }
            assert_eq!(reply.data["i"], i);
        }
    });
    let mut via = Vec::new();
    for i in 0..1050 {
        let t0 = Instant::now();
        let r = srv
            .http
            .post(format!("{}/v1/flows/rt/send", srv.url))
            .json(&json!({"command": "echo", "data": {"i": i}}))
            .send()
            .unwrap();
        assert!(r.status().is_success());
        let v: Value = r.json().unwrap();
        if i >= 50 {
            via.push(t0.elapsed());
        }
        assert_eq!(v["reply"]["data"]["i"], i);
    }
    direct.sort();
    via.sort();
    println!(
        "socket round trip, flow::socket::request (1000): p50 {}, p99 {}, max {}",
        ms(pct(&direct, 0.5)),
        ms(pct(&direct, 0.99)),
        ms(*direct.last().unwrap())
    );
    println!(
        "socket round trip, POST /v1/flows/NAME/send (1000): p50 {}, p99 {}, max {}",
        ms(pct(&via, 0.5)),
        ms(pct(&via, 0.99)),
        ms(*via.last().unwrap())
    );
    srv.remove("rt");
}

fn message_latency(srv: &Server, dir: &Path) {
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let script = dir.join("pace.py");
    std::fs::write(
        &script,
        format!(
            "import sys, threading, time\nsys.path.insert(0, {:?})\nimport flow_worker as fw\n\
             def pace(d):\n    def run():\n        for i in range(d['n']):\n            \
             fw.send(d['tag'], {{'i': i, 't': time.time()}})\n            \
             d['every'] and time.sleep(d['every'])\n    \
             threading.Thread(target=run, daemon=True).start()\n    return d\n\
             fw.serve_forever({{'pace': pace}}, on_ready=lambda: print('ready', flush=True))\n",
            helper.display().to_string()
        ),
    )
    .unwrap();
    srv.deploy(&manifest("ml", &python(), &[script.to_str().unwrap()], 1));
    srv.wait_ready("ml", 1, Duration::from_millis(20));
    let events = reqwest::blocking::Client::builder()
        .timeout(None)
        .build()
        .unwrap()
        .get(format!("{}/v1/flows/events?flow=ml", srv.url))
        .send()
        .unwrap();
    assert!(events.status().is_success());
    let mut lines = BufReader::new(events).lines();
    // Asks for `n` messages tagged `tag`, one every `every` s; each one's latency (from the
    // worker's clock to its arrival here) and the time from the first arrival to the last.
    let mut run = |tag: &str, n: u64, every: f64| -> (Vec<Duration>, Duration) {
        let r = srv
            .http
            .post(format!("{}/v1/flows/ml/send", srv.url))
            .json(&json!({"command": "pace", "data": {"tag": tag, "n": n, "every": every}}))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{:?}", r.text());
        let mut lat = Vec::new();
        let mut first = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            let Some(data) = line.strip_prefix("data:") else {
                continue;
            };
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64();
            let v: Value = serde_json::from_str(data.trim()).unwrap();
            if v["kind"] != "message_received" || v["data"]["command"] != tag {
                continue;
            }
            let first = *first.get_or_insert_with(Instant::now);
            let i = v["data"]["data"]["i"].as_u64().unwrap();
            let sent = v["data"]["data"]["t"].as_f64().unwrap();
            lat.push(Duration::from_secs_f64((now - sent).max(0.0)));
            if i == n - 1 {
                return (lat, first.elapsed());
            }
        }
        panic!("the event stream ended");
    };
    let (mut paced, _) = run("paced", 220, 0.01);
    let mut paced = paced.split_off(20);
    paced.sort();
    println!(
        "worker message to SSE event, one every 10 ms ({}): p50 {}, p99 {}, max {}",
        paced.len(),
        ms(pct(&paced, 0.5)),
        ms(pct(&paced, 0.99)),
        ms(*paced.last().unwrap())
    );
    let (mut burst, took) = run("burst", 1000, 0.0);
    burst.sort();
    println!(
        "worker messages in a burst (1000): {:.0} events/s at the SSE client, latency p50 {}, max {}",
        999.0 / took.as_secs_f64(),
        ms(pct(&burst, 0.5)),
        ms(*burst.last().unwrap())
    );
    srv.remove("ml");
}

/// utime + stime (ticks) and VmRSS (KiB) of `pid`.
fn usage(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0);
    (ticks, rss)
}

fn idle(srv: &Server, worker: &Path) {
    let pid = srv.child.id();
    let (_, before) = usage(pid);
    for f in 0..10 {
        srv.deploy(&manifest(
            &format!("idle{f}"),
            worker.to_str().unwrap(),
            &[],
            10,
        ));
    }
    for f in 0..10 {
        srv.wait_ready(&format!("idle{f}"), 10, Duration::from_millis(100));
    }
    // Let the rollouts' last waits end.
    std::thread::sleep(Duration::from_secs(2));
    let (t0, _) = usage(pid);
    let window = Duration::from_secs(10);
    std::thread::sleep(window);
    let (t1, rss) = usage(pid);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let cpu = (t1 - t0) as f64 / hz / window.as_secs_f64() * 100.0;
    println!(
        "100 idle replicas (10 flows x 10): server CPU over 10 s {cpu:.3}% of a core, RSS {:.1} MiB ({:.1} MiB before deploying them)",
        rss as f64 / 1024.0,
        before as f64 / 1024.0
    );
    let t = Instant::now();
    for f in 0..10 {
        srv.remove(&format!("idle{f}"));
    }
    println!("removing 10 flows of 10 replicas: {}", ms(t.elapsed()));
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let short = tempfile::Builder::new()
        .prefix("fb")
        .tempdir_in("/tmp")
        .unwrap();
    let sockets = short.path().join("s");
    let srv = Server::start(&dir.path().join("data"), &sockets);
    let worker = sh_worker(dir.path());
    deploy_to_ready(&srv, &worker);
    round_trips(&srv, &sockets);
    message_latency(&srv, dir.path());
    idle(&srv, &worker);
}
