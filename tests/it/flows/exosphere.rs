//! A flow whose workers are real `exospherehost` 0.0.3 Runtimes (Python 3.12, the venv of the
//! workflow tests, `tests/sdk/flow_runtime.py`): the manifest's server URL and API key reach the
//! SDK as `EXOSPHERE_STATE_MANAGER_URI` and `EXOSPHERE_API_KEY`; a graph runs through the
//! workers; a worker SIGKILLed in the middle of a run is restarted and the run completes (its
//! state times out into a retry); a broken update is rolled back while the untouched replica
//! keeps serving and a run completes; the server SIGKILLed in the middle of a run comes back
//! with the flow's replicas running, and the run completes.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::{flow, status, wait_ready};
use crate::pyvenv;
use crate::server_cli::ServerProc;
use crate::util::{TestDir, wait_until};
use crate::workflows::{API_KEY, V0, env, node, sdk_python};

/// A server with the workflow API's key, which the `flow` commands send too (from the client
/// section of the test's config file).
fn server(t: &TestDir, data: &Path) -> ServerProc {
    let config = t.default_config_file();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, format!("[client]\napi_key = \"{API_KEY}\"\n")).unwrap();
    // A claimed state whose runtime died is retried after 2 s.
    let (child, lines) = ServerProc::spawn_env(
        t,
        data,
        &["--queued-timeout", "2s", "--api-key-grants-v1"],
        &env(),
    );
    ServerProc::from_spawned(child, lines)
}

fn trigger(v0: &V0, x: &str) -> String {
    v0.ok(
        "POST",
        "/graph/steps/trigger",
        Some(json!({"store": {"x": x}})),
    )["run_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits until run `id` succeeded (the workers did it: the test never reports a state).
fn wait_success(v0: &V0, id: &str) {
    let mut last = Value::Null;
    wait_until(
        Duration::from_secs(60),
        &format!("run {id} to succeed"),
        || {
            last = v0.run(id);
            last["status"] == "SUCCESS"
        },
    );
    assert_eq!(last["success_count"], 1, "{last}");
}

/// The pid in `OUT/claimed-X`, once a worker claimed the state of input `x`.
fn claimed_by(out: &Path, x: &str) -> i64 {
    let path = out.join(format!("claimed-{x}"));
    let mut pid = 0;
    wait_until(
        Duration::from_secs(30),
        &format!("a worker to claim {x}"),
        || {
            pid = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            pid > 0
        },
    );
    pid
}

fn kill(pid: i64) {
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(pid).unwrap()).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
}

#[test]
fn exospherehost_runtimes_as_flow_workers_survive_kills_rollbacks_and_restarts() {
    let Some(python) = pyvenv::require("the exospherehost SDK (Python 3.12)", sdk_python()) else {
        return;
    };
    let t = TestDir::new();
    let data = t.path().join("data");
    let mut srv = server(&t, &data);
    let out = t.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/flow_runtime.py");
    let manifest = |file: &str, command: &Path, ready_timeout: &str| {
        t.write(
            file,
            &format!(
                "name = \"exo\"\n[server]\napi_key = \"{API_KEY}\"\n[workers.rt]\n\
                 command = \"{}\"\nargs = [\"{}\"]\nreplicas = 2\nready_timeout = \"{ready_timeout}\"\n\
                 stop_timeout = \"3s\"\nenv = {{ OUT = \"{}\" }}\n\
                 [workers.rt.readiness]\nlog_line = \"Registered nodes\"\n",
                command.display(),
                script.display(),
                out.display()
            ),
        )
    };
    let good = manifest("exo.toml", &python, "60s");
    let (rc, v, err) = flow(&t, &srv, &["deploy", good.to_str().unwrap(), "--wait"]);
    assert_eq!((rc, &v["deploy"]), (0, &Value::from("ready")), "{v} {err}");
    let pids = wait_ready(&t, &srv, "exo", 2);

    // The workers registered their node with the URL and key the manifest injected.
    let v0 = V0::new(&srv.url, "wf");
    v0.upsert_valid(
        "steps",
        json!({"secrets": {}, "nodes": [node("Step", "s", "${{ store.x }}", &[])],
               "store_config": {"required_keys": ["x"]},
               "retry_policy": {"max_retries": 3, "strategy": "FIXED", "backoff_factor": 100}}),
    );
    let run = trigger(&v0, "plain");
    wait_success(&v0, &run);

    // SIGKILL the worker in the middle of a run: it is restarted, the state it held times out
    // into a retry that a worker completes.
    let run = trigger(&v0, "slow1");
    let victim = claimed_by(&out, "slow1");
    assert!(pids.iter().any(|(_, p)| *p == victim), "{victim} {pids:?}");
    kill(victim);
    let mut replica = Value::Null;
    wait_until(
        Duration::from_secs(60),
        "the killed worker restarted",
        || {
            let v = status(&t, &srv, "exo");
            replica = v["replicas"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| {
                    pids.iter()
                        .any(|(n, p)| *p == victim && r["name"] == n.as_str())
                })
                .cloned()
                .unwrap();
            replica["ready"] == true && replica["pid"].as_i64() != Some(victim)
        },
    );
    assert_eq!(replica["last_exit"], "killed by SIGKILL", "{replica}");
    assert!(replica["restarts"].as_u64().unwrap() >= 1, "{replica}");
    wait_success(&v0, &run);

    // A broken update: rolled back; the replica the rollout did not reach kept its process,
    // and the workers still serve.
    let before = wait_ready(&t, &srv, "exo", 2);
    let broken = manifest("broken.toml", Path::new("/nonexistent/python3"), "10s");
    let (rc, v, err) = flow(&t, &srv, &["deploy", broken.to_str().unwrap(), "--wait"]);
    assert_eq!(rc, 1, "{v} {err}");
    assert_eq!(v["deploy"], "rolled_back", "{v}");
    let after = wait_ready(&t, &srv, "exo", 2);
    assert_eq!(after[1], before[1], "rt-1 was not touched");
    let st = status(&t, &srv, "exo");
    assert_eq!(
        st["manifest"]["workers"]["rt"]["command"],
        Value::from(python.to_str().unwrap())
    );
    let run = trigger(&v0, "after-rollback");
    wait_success(&v0, &run);

    // SIGKILL the server in the middle of a run: at the next start the flow's replicas run
    // again (the orphans are replaced) and the run completes.
    let run = trigger(&v0, "slow2");
    let holder = claimed_by(&out, "slow2");
    srv.signal(rustix::process::Signal::KILL);
    srv.child.wait().unwrap();
    let srv = server(&t, &data);
    let back = wait_ready(&t, &srv, "exo", 2);
    let names: Vec<&str> = back.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["rt-0", "rt-1"]);
    wait_until(
        Duration::from_secs(20),
        "the orphaned worker killed",
        || !super::alive(holder),
    );
    let v0 = V0::new(&srv.url, "wf");
    wait_success(&v0, &run);
    let run = trigger(&v0, "after-restart");
    wait_success(&v0, &run);
    let (rc, _, err) = flow(&t, &srv, &["rm", "exo"]);
    assert_eq!(rc, 0, "{err}");
}
