//! `stmgr flow` against the real server with real worker processes (shell scripts): deploy with
//! `--wait`, status (pids, readiness, memory), scale up without touching running replicas, a
//! SIGKILLed worker restarted, stop and start, a SIGTERMed server and a SIGKILLed one bringing
//! every flow back (from a snapshot after a WAL trim, too), an update whose worker never becomes
//! ready rolled back while the old replica keeps running, and manifest errors naming the field.
//! Beside: code snapshots ([`code`]), `docker run` workers ([`docker`]), `exospherehost`
//! runtimes as workers ([`exosphere`]), scaling and 50 flows ([`scale`]), the control socket
//! both ways ([`socket`], [`messages`]).

mod code;
mod docker;
mod events;
mod exosphere;
mod logs;
mod messages;
mod rollback;
mod scale;
mod socket;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};

/// The real Python interpreter (not a pyenv shim: the server's workers get no `PATH`).
pub(crate) fn python() -> String {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `examples/flow_worker.py`, the worker side of the control socket.
pub(crate) fn helper() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flow_worker.py")
}

/// A worker script: prints `ready` (its readiness line) unless `never_ready`, records the URL it
/// was given, then sleeps.
pub(crate) fn worker_script(t: &TestDir, name: &str, never_ready: bool) -> PathBuf {
    let ready = if never_ready { "not yet" } else { "ready" };
    let path = t.write(
        name,
        &format!(
            "#!/bin/sh\necho \"$STMGR_URL\" > \"$OUT/url-$STMGR_FLOW_WORKER-$STMGR_FLOW_REPLICA\"\n\
             echo {ready}\nexec /bin/sleep 1000\n"
        ),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A manifest of flow `name` with one worker `w` running `script` in `replicas` copies.
pub(crate) fn manifest(
    t: &TestDir,
    file: &str,
    name: &str,
    script: &Path,
    replicas: u32,
) -> PathBuf {
    let out = t.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    t.write(
        file,
        &format!(
            "name = \"{name}\"\n[server]\napi_key = \"sekrit\"\n[workers.w]\ncommand = \"{}\"\n\
             replicas = {replicas}\nready_timeout = \"3s\"\nstop_timeout = \"2s\"\n\
             env = {{ OUT = \"{}\" }}\n[workers.w.readiness]\nlog_line = \"^ready\"\n",
            script.display(),
            out.display()
        ),
    )
}

/// `stmgr --server URL ARGS --output json`: exit status and parsed stdout (Null if none).
pub(crate) fn flow(t: &TestDir, srv: &ServerProc, args: &[&str]) -> (i32, Value, String) {
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "--output", "json", "flow"])
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The status of flow `name`.
pub(crate) fn status(t: &TestDir, srv: &ServerProc, name: &str) -> Value {
    let (code, v, err) = flow(t, srv, &["status", name]);
    assert_eq!(code, 0, "flow status: {err}");
    v
}

/// Replica name → pid, of the replicas running and ready.
pub(crate) fn ready_pids(v: &Value) -> Vec<(String, i64)> {
    v["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ready"] == true && r["state"] == "RUNNING")
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["pid"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Waits until `n` replicas of `name` are running and ready; their pids.
pub(crate) fn wait_ready(
    t: &TestDir,
    srv: &ServerProc,
    name: &str,
    n: usize,
) -> Vec<(String, i64)> {
    let mut pids = Vec::new();
    wait_until(
        Duration::from_secs(30),
        &format!("{n} ready replicas of {name}"),
        || {
            pids = ready_pids(&status(t, srv, name));
            pids.len() == n
        },
    );
    pids
}

/// Whether `pid` runs (a zombie waiting for a reaper does not).
pub(crate) fn alive(pid: i64) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// The capability key of [`token_server`].
const CAP_KEY: [(&str, &str); 2] = [("CAP_KEY_ACTIVE_ID", "k1"), ("CAP_KEY_ACTIVE", "secret")];

/// A server on `t` that requires capability tokens.
pub(crate) fn token_server(t: &TestDir) -> ServerProc {
    let env = CAP_KEY.map(|(k, v)| (k, v.to_owned()));
    ServerProc::start_env(t, &t.path().join("data"), &env)
}

/// A token of [`token_server`]'s key for `verbs` on every namespace, from `stmgr token issue`.
pub(crate) fn mint(t: &TestDir, verbs: &str) -> String {
    let out = t
        .stmgr()
        .envs(CAP_KEY)
        .args(["token", "issue", "--ns", "agent://*", "--verbs", verbs])
        .args(["--ttl", "1h"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `GET url` with `token`: status, content type and body.
pub(crate) fn get_with(url: &str, token: &str) -> (u16, Option<String>, String) {
    stmgr::client::install_crypto_provider();
    let resp = reqwest::blocking::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, ctype, resp.text().unwrap())
}

fn pid_of(pids: &[(String, i64)], name: &str) -> i64 {
    pids.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn deploy_scale_sigkill_stop_start_and_server_restarts_bring_flows_back() {
    let t = TestDir::new();
    let data = t.path().join("data");
    let mut srv = ServerProc::start(&t, &data);
    let script = worker_script(&t, "worker.sh", false);
    let file = manifest(&t, "demo.toml", "demo", &script, 2);

    let (code, out, err) = flow(&t, &srv, &["deploy", file.to_str().unwrap(), "--wait"]);
    assert_eq!(code, 0, "deploy --wait: {err}");
    assert_eq!(out["deploy"], "ready", "{out}");
    assert_eq!(
        (out["ready"].as_u64(), out["generation"].as_u64()),
        (Some(2), Some(1))
    );
    // The same manifest again changes nothing.
    let (code, again, _) = flow(&t, &srv, &["deploy", file.to_str().unwrap()]);
    assert_eq!((code, &again["changed"]), (0, &Value::Bool(false)));

    let v = status(&t, &srv, "demo");
    let pids = ready_pids(&v);
    assert_eq!(pids.len(), 2, "{v}");
    for r in v["replicas"].as_array().unwrap() {
        assert!(r["rss_bytes"].as_u64().unwrap() > 0, "{r}");
        assert!(r["cpu_percent"].as_f64().is_some(), "{r}");
    }
    assert_eq!(v["manifest"]["server"]["api_key"], "<redacted>");
    // Workers were given this server's URL.
    let url = std::fs::read_to_string(t.path().join("out/url-w-1")).unwrap();
    assert_eq!(url.trim(), srv.url.trim_end_matches('/'));

    // Scale up: a third replica starts, the first two keep their processes.
    let (code, _, err) = flow(&t, &srv, &["scale", "demo", "3"]);
    assert_eq!(code, 0, "{err}");
    let scaled = wait_ready(&t, &srv, "demo", 3);
    assert_eq!(pid_of(&scaled, "w-0"), pid_of(&pids, "w-0"));
    assert_eq!(pid_of(&scaled, "w-1"), pid_of(&pids, "w-1"));

    // SIGKILL a worker: restarted, with its last exit.
    let victim = pid_of(&scaled, "w-1");
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(victim).unwrap()).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    let mut replica = Value::Null;
    wait_until(Duration::from_secs(30), "w-1 restarted", || {
        let v = status(&t, &srv, "demo");
        replica = v["replicas"][1].clone();
        replica["ready"] == true && replica["pid"].as_i64() != Some(victim)
    });
    assert_eq!(replica["last_exit"], "killed by SIGKILL", "{replica}");
    assert!(replica["restarts"].as_u64().unwrap() >= 1, "{replica}");

    // Stop: every process gone; start: back.
    let stopping = ready_pids(&status(&t, &srv, "demo"));
    let (code, out, err) = flow(&t, &srv, &["stop", "demo"]);
    assert_eq!(
        (code, &out["desired"]),
        (0, &Value::from("stopped")),
        "{err}"
    );
    for (_, pid) in &stopping {
        wait_until(Duration::from_secs(10), "a stopped worker to exit", || {
            !alive(*pid)
        });
    }
    let v = status(&t, &srv, "demo");
    assert!(
        v["replicas"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["state"] == "STOPPED"),
        "{v}"
    );
    let (code, _, err) = flow(&t, &srv, &["start", "demo"]);
    assert_eq!(code, 0, "{err}");
    let before = wait_ready(&t, &srv, "demo", 3);

    // A snapshot, a clean stop (workers stop with the server), a WAL trim: the flow comes back
    // from the snapshot alone.
    let snap = t
        .stmgr()
        .args(["--server", &srv.url, "--output", "json", "snapshot"])
        .output()
        .unwrap();
    let snap: Value = serde_json::from_slice(&snap.stdout).unwrap();
    let snap_id = snap["snapshot_id"].as_str().unwrap().to_owned();
    assert!(srv.terminate_with_stderr().0.success());
    for (_, pid) in &before {
        assert!(!alive(*pid), "a worker outlived the server's clean stop");
    }
    t.stmgr()
        .args(["trim-wal", "--snapshot-id", &snap_id, "--data-dir"])
        .arg(&data)
        .assert()
        .success();
    let mut srv = ServerProc::start(&t, &data);
    let (code, list, _) = flow(&t, &srv, &["ls"]);
    assert_eq!(code, 0);
    assert_eq!(list[0]["name"], "demo");
    assert_eq!(list[0]["desired"], "running");
    let back = wait_ready(&t, &srv, "demo", 3);

    // SIGKILL the server: at the next start the orphaned workers are killed and replaced.
    srv.signal(rustix::process::Signal::KILL);
    srv.child.wait().unwrap();
    let srv = ServerProc::start(&t, &data);
    let again = wait_ready(&t, &srv, "demo", 3);
    for (_, pid) in &back {
        wait_until(
            Duration::from_secs(10),
            "an orphaned worker to be killed",
            || !alive(*pid),
        );
    }
    assert!(again.iter().all(|(_, p)| back.iter().all(|(_, q)| p != q)));

    // Remove: the processes and the flow go.
    let (code, _, err) = flow(&t, &srv, &["rm", "demo"]);
    assert_eq!(code, 0, "{err}");
    for (_, pid) in &again {
        wait_until(
            Duration::from_secs(10),
            "a removed flow's worker to exit",
            || !alive(*pid),
        );
    }
    let (_, list, _) = flow(&t, &srv, &["ls"]);
    assert_eq!(list, Value::Array(vec![]));
    let (code, _, err) = flow(&t, &srv, &["status", "demo"]);
    assert_eq!(code, 1);
    assert!(err.contains("no flow named \"demo\""), "{err}");
}
