//! The workflow API (v0) against the real binary: the `exospherehost` 0.0.3 SDK end to end,
//! a server SIGKILLed and restarted in the middle of a run, a QUEUED state whose runtime died
//! timing out into its retry, cancel and delete. The v0 tests run on both backends
//! (`NAME::embedded`, `NAME::postgres`: `--backend` on a database of its own, where a restart
//! is a new server on the same database); the SDK test runs on the embedded engine here and
//! on PostgreSQL, across two servers, in `sdk_shared`.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::pyvenv;
use crate::server::Backend;
use crate::server_cli::ServerProc;
use crate::util::TestDir;

pub const API_KEY: &str = "test-api-key";
/// 32 zero bytes, URL-safe base64.
const SECRETS_KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

pub fn env() -> Vec<(&'static str, String)> {
    vec![
        ("STATE_MANAGER_SECRET", API_KEY.to_string()),
        ("SECRETS_ENCRYPTION_KEY", SECRETS_KEY.to_string()),
    ]
}

/// A Python 3.12 (pyenv) venv with the SDK, or why there is none.
pub fn sdk_python() -> Result<PathBuf, String> {
    let root = Command::new("pyenv")
        .arg("root")
        .output()
        .map_err(|e| format!("pyenv: {e}"))?;
    let root = String::from_utf8_lossy(&root.stdout).trim().to_string();
    let py312 = PathBuf::from(root).join("versions/3.12.1/bin/python3.12");
    if !py312.exists() {
        return Err(format!(
            "{} is missing (pyenv install 3.12.1)",
            py312.display()
        ));
    }
    pyvenv::venv_bin_with(
        &py312,
        "venv-exospherehost-0.0.3",
        &["exospherehost==0.0.3"],
        "STMGR_EXOSPHERE_BIN",
    )
    .map(|bin| bin.join("python"))
}

#[test]
fn the_exospherehost_sdk_runs_graphs_against_stmgr() {
    let Some(python) = pyvenv::require("the exospherehost SDK (Python 3.12)", sdk_python()) else {
        return;
    };
    let t = TestDir::new();
    let srv = ServerProc::start_env(&t, &t.path().join("state"), &env());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/exosphere_sdk.py");
    let out = Command::new(&python)
        .arg(&script)
        .env("EXOSPHERE_STATE_MANAGER_URI", &srv.url)
        .env("EXOSPHERE_API_KEY", API_KEY)
        .env("EXOSPHERE_DISABLE_DEFAULT_LOGGING", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("OK"),
        "SDK script failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The SDK's calls are counted under their own operation names.
    stmgr::client::install_crypto_provider();
    let metrics = reqwest::blocking::get(format!("{}/metrics", srv.url))
        .unwrap()
        .text()
        .unwrap();
    let count = |op: &str| ok_count(&metrics, op);
    // The script's graphs report at least two chains, a fan-out and its merge `executed`, and
    // the failing nodes `errored`.
    assert!(count("workflow_executed") >= 5.0, "{metrics}");
    assert!(count("workflow_errored") >= 1.0, "{metrics}");
    assert!(count("workflow_enqueue") >= 1.0, "{metrics}");
    assert!(count("workflow_trigger") >= 1.0, "{metrics}");
    assert_eq!(count("other"), 0.0, "every v0 call is labelled: {metrics}");
}

/// How many `op` calls answered ok, from a server's `/metrics` text.
pub fn ok_count(metrics: &str, op: &str) -> f64 {
    let prefix = format!("operations_total{{op=\"{op}\",result=\"ok\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// A blocking JSON client of one server (also used by `workflow_cli`).
pub struct V0 {
    base: String,
    http: reqwest::blocking::Client,
}

impl V0 {
    pub fn new(url: &str, ns: &str) -> V0 {
        stmgr::client::install_crypto_provider();
        V0 {
            base: format!("{url}/v0/namespace/{ns}"),
            http: reqwest::blocking::Client::new(),
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .header("x-api-key", API_KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    pub fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v
    }

    pub fn register(&self, names: &[&str]) {
        let nodes: Vec<Value> = names
            .iter()
            .map(|n| {
                json!({"name": n, "secrets": [],
                       "inputs_schema": {"type": "object", "properties": {"x": {"type": "string"}}},
                       "outputs_schema": {"type": "object", "properties": {"x": {"type": "string"}}}})
            })
            .collect();
        self.ok(
            "PUT",
            "/nodes/",
            Some(json!({"runtime_name": "rt", "nodes": nodes})),
        );
    }

    pub fn upsert_valid(&self, name: &str, graph: Value) {
        let (status, v) = self.call("PUT", &format!("/graph/{name}"), Some(graph));
        assert_eq!(status, 201, "{v}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let g = self.ok("GET", &format!("/graph/{name}"), None);
            match g["validation_status"].as_str() {
                Some("VALID") => return,
                Some("PENDING") => {}
                other => panic!("validation {other:?}: {g}"),
            }
            assert!(Instant::now() < deadline, "still PENDING");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Claims one state of `node`, polling until one is due.
    pub fn claim(&self, node: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.ok(
                "POST",
                "/states/enqueue",
                Some(json!({"nodes": [node], "batch_size": 1})),
            );
            if v["count"] == 1 {
                return v["states"][0].clone();
            }
            assert!(Instant::now() < deadline, "no {node} state became due");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn run(&self, run_id: &str) -> Value {
        let page = self.ok("GET", "/runs/1/100", None);
        page["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["run_id"] == run_id)
            .cloned()
            .unwrap()
    }
}

/// A workflow server: the binary on a data directory or on PostgreSQL.
enum Proc {
    Embedded(ServerProc),
    Postgres(crate::postgres::harness::Server),
}

impl Proc {
    fn url(&self) -> &str {
        match self {
            Proc::Embedded(p) => &p.url,
            Proc::Postgres(p) => &p.url,
        }
    }
}

/// Where a test's servers keep their state: a data directory, or a database of its own in
/// the shared PostgreSQL cluster. Servers started one after another from it share the state
/// (on PostgreSQL each is a new server, with a data directory of its own).
struct Site {
    t: TestDir,
    db: Option<crate::postgres::harness::Database>,
}

impl Site {
    /// `None` (skip) when PostgreSQL is missing outside CI.
    fn new(backend: Backend) -> Option<Site> {
        let db = match backend {
            Backend::Embedded => None,
            Backend::Postgres => Some(crate::postgres::harness::database()?),
        };
        Some(Site {
            t: TestDir::new(),
            db,
        })
    }

    /// `stmgr server start` with `extra` arguments and the workflow environment.
    fn start(&self, extra: &[&str]) -> Proc {
        match &self.db {
            None => {
                let data = self.t.path().join("state");
                let (child, lines) = ServerProc::spawn_env(&self.t, &data, extra, &env());
                Proc::Embedded(ServerProc::from_spawned(child, lines))
            }
            Some(db) => Proc::Postgres(crate::postgres::harness::Server::start_url_args(
                &db.url,
                extra,
                &env(),
            )),
        }
    }
}

crate::server::both_backends!(
    sync: a_run_survives_a_sigkill_of_the_server_and_completes_after_restart,
    a_queued_state_whose_runtime_died_times_out_and_is_retried,
    cancel_a_run_and_delete_a_graph,
);

pub fn node(name: &str, id: &str, x: &str, next: &[&str]) -> Value {
    json!({"node_name": name, "namespace": "wf", "identifier": id,
           "inputs": {"x": x}, "next_nodes": next})
}

fn a_run_survives_a_sigkill_of_the_server_and_completes_after_restart(backend: Backend) {
    let Some(site) = Site::new(backend) else {
        return;
    };
    let srv = site.start(&[]);
    let v0 = V0::new(srv.url(), "wf");
    v0.register(&["A", "B"]);
    v0.upsert_valid(
        "chain",
        json!({"secrets": {}, "nodes": [
            node("A", "a", "${{ store.k }}", &["b"]),
            node("B", "b", "after ${{ a.outputs.x }}", &[]),
        ], "store_config": {"required_keys": ["k"]}}),
    );
    let run = v0.ok(
        "POST",
        "/graph/chain/trigger",
        Some(json!({"store": {"k": "v1"}})),
    )["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = v0.claim("A");
    assert_eq!(a["inputs"], json!({"x": "v1"}));
    drop(srv); // SIGKILL

    let srv = site.start(&[]);
    let v0 = V0::new(srv.url(), "wf");
    let id = a["state_id"].as_str().unwrap();
    v0.ok(
        "POST",
        &format!("/state/{id}/executed"),
        Some(json!({"outputs": [{"x": "A-out"}]})),
    );
    let b = v0.claim("B");
    assert_eq!(b["inputs"], json!({"x": "after A-out"}));
    let id = b["state_id"].as_str().unwrap();
    v0.ok(
        "POST",
        &format!("/state/{id}/executed"),
        Some(json!({"outputs": [{"x": "done"}]})),
    );
    let r = v0.run(&run);
    assert_eq!(
        (r["status"].as_str(), r["success_count"].as_u64()),
        (Some("SUCCESS"), Some(2)),
        "{r}"
    );
}

fn a_queued_state_whose_runtime_died_times_out_and_is_retried(backend: Backend) {
    let Some(site) = Site::new(backend) else {
        return;
    };
    let srv = site.start(&["--queued-timeout", "1s"]);
    let v0 = V0::new(srv.url(), "wf");
    v0.register(&["A"]);
    v0.upsert_valid(
        "once",
        json!({"secrets": {}, "nodes": [node("A", "a", "x", &[])],
               "retry_policy": {"max_retries": 1, "strategy": "FIXED", "backoff_factor": 100}}),
    );
    let run = v0.ok("POST", "/graph/once/trigger", Some(json!({})))["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = v0.claim("A"); // and never report: the runtime "died"
    let retry = v0.claim("A"); // due once the first timed out (1 s) and the retry's 100 ms passed
    assert_ne!(first["state_id"], retry["state_id"]);
    let graph = v0.ok("GET", &format!("/states/run/{run}/graph"), None);
    let old = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == first["state_id"])
        .unwrap()
        .clone();
    assert_eq!(old["status"], "RETRY_CREATED", "{graph}");
    assert!(
        old["error"].as_str().unwrap().contains("timed out"),
        "{old}"
    );
    // Reporting on the timed-out state is refused; the retry completes the run.
    let id = first["state_id"].as_str().unwrap();
    let (status, _) = v0.call(
        "POST",
        &format!("/state/{id}/executed"),
        Some(json!({"outputs": []})),
    );
    assert_eq!(status, 400);
    let id = retry["state_id"].as_str().unwrap();
    v0.ok(
        "POST",
        &format!("/state/{id}/executed"),
        Some(json!({"outputs": []})),
    );
    assert_eq!(v0.run(&run)["status"], "SUCCESS");
}

fn cancel_a_run_and_delete_a_graph(backend: Backend) {
    let Some(site) = Site::new(backend) else {
        return;
    };
    let srv = site.start(&[]);
    let v0 = V0::new(srv.url(), "wf");
    v0.register(&["A", "B"]);
    v0.upsert_valid(
        "g",
        json!({"secrets": {}, "nodes": [node("A", "a", "x", &["b"]), node("B", "b", "y", &[])]}),
    );
    let run = v0.ok("POST", "/graph/g/trigger", Some(json!({})))["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = v0.claim("A");
    let cancelled = v0.ok("POST", &format!("/run/{run}/cancel"), None);
    assert_eq!(cancelled["cancelled_states"], 1);
    let id = a["state_id"].as_str().unwrap();
    let (status, body) = v0.call(
        "POST",
        &format!("/state/{id}/executed"),
        Some(json!({"outputs": []})),
    );
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("cancelled"));
    assert_eq!(v0.run(&run)["status"], "CANCELLED");
    let (status, _) = v0.call("POST", &format!("/run/{run}/cancel"), None);
    assert_eq!(status, 409);

    v0.ok("DELETE", "/graph/g", None);
    let (status, body) = v0.call("GET", "/graph/g", None);
    assert_eq!(status, 404, "{body}");
    let (status, _) = v0.call("POST", "/graph/g/trigger", Some(json!({})));
    assert_eq!(status, 404);
    // The run stays readable.
    assert_eq!(v0.run(&run)["status"], "CANCELLED");
}
