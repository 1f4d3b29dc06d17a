//! The real `agentstate` 1.0.2 Python SDK against the real server binary.
//!
//! The SDK lives in a venv under cargo's target tmpdir, created with pip on first use (or given
//! by `STMGR_AGENTSTATE_BIN`, a venv's `bin/`). Without Python or pip the test is skipped locally and fails
//! under `CI=true`.
//!
//! On the embedded engine only: `sdk_shared` runs the same script on PostgreSQL, across two
//! servers on one database (writes through one, watches through the other).

use std::path::PathBuf;
use std::process::Command;

use crate::pyvenv;
use crate::server_cli::ServerProc;
use crate::util::TestDir;

#[test]
fn the_agentstate_python_sdk_works_unchanged() {
    let found = pyvenv::venv_bin(
        "venv-agentstate-1.0.2",
        &["agentstate==1.0.2"],
        "STMGR_AGENTSTATE_BIN",
    );
    let Some(bin) = pyvenv::require("the agentstate SDK", found) else {
        return;
    };
    let python = bin.join("python");
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/agentstate_sdk.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&srv.url)
        .output()
        .unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("OK"),
        "SDK script failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
