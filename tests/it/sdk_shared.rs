//! The real SDKs, unchanged, against two servers on one PostgreSQL (issue 21 §2): the
//! `agentstate` SDK writes through one server and watches through the other, and the
//! `exospherehost` runtime claims and completes states on one server while the graphs are
//! written, triggered and read on the other. The same scripts run against one embedded
//! server in `sdk_agentstate` and `workflows`.

use std::path::PathBuf;
use std::process::Command;

use crate::postgres::harness::{Pg, Server};
use crate::pyvenv;
use crate::workflows::{API_KEY, env, ok_count, sdk_python};

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sdk")
        .join(name)
}

fn assert_ok(out: &std::process::Output) {
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("OK"),
        "SDK script failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_agentstate_sdk_writes_on_one_server_and_watches_through_the_other() {
    let found = pyvenv::venv_bin(
        "venv-agentstate-1.0.2",
        &["agentstate==1.0.2"],
        "STMGR_AGENTSTATE_BIN",
    );
    let Some(bin) = pyvenv::require("the agentstate SDK", found) else {
        return;
    };
    let Some(pg) = Pg::start() else { return };
    let a = Server::start(&pg);
    let b = Server::start(&pg);
    let out = Command::new(bin.join("python"))
        .arg(script("agentstate_sdk.py"))
        .arg(&a.url)
        .arg(&b.url)
        .output()
        .unwrap();
    assert_ok(&out);
}

/// How many `op` calls answered ok on the server at `url` (its `/metrics`).
fn ok_calls(url: &str, op: &str) -> f64 {
    let metrics = reqwest::blocking::get(format!("{url}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    ok_count(&metrics, op)
}

#[test]
fn the_exospherehost_runtime_works_through_another_server_than_its_runs() {
    let Some(python) = pyvenv::require("the exospherehost SDK (Python 3.12)", sdk_python()) else {
        return;
    };
    let Some(pg) = Pg::start() else { return };
    let a = Server::start_env(&pg, &env());
    let b = Server::start_env(&pg, &env());
    let out = Command::new(&python)
        .arg(script("exosphere_sdk.py"))
        .env("EXOSPHERE_STATE_MANAGER_URI", &a.url)
        .env("STMGR_RUNTIME_URI", &b.url)
        .env("EXOSPHERE_API_KEY", API_KEY)
        .env("EXOSPHERE_DISABLE_DEFAULT_LOGGING", "1")
        .output()
        .unwrap();
    assert_ok(&out);
    // Each server saw its side: the runtime's claims and results on B, the triggers on A.
    assert!(ok_calls(&b.url, "workflow_enqueue") >= 1.0);
    assert!(ok_calls(&b.url, "workflow_executed") >= 5.0);
    assert!(ok_calls(&a.url, "workflow_trigger") >= 1.0);
    assert_eq!(ok_calls(&a.url, "workflow_enqueue"), 0.0);
}
