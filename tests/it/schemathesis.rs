//! schemathesis (PyPI) against the real server's `/openapi.json`: generated requests for every
//! documented operation, including stateful sequences through the links it infers. Checks:
//! no 5xx, status codes, content types, headers and response bodies as documented.
//!
//! Not checked: `negative_data_rejection` (it counts an unknown request header as invalid
//! input, which HTTP servers rightly ignore) and `positive_data_acceptance` (ids and namespaces
//! are limited in bytes, JSON Schema counts characters). The watch stream never ends by design
//! and is covered by its own tests.

use std::process::Command;

use crate::pyvenv;
use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// The pinned release.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

#[test]
fn schemathesis_finds_no_server_errors_and_no_schema_violations() {
    let found = pyvenv::venv_bin(
        "venv-schemathesis",
        &[SCHEMATHESIS],
        "STMGR_SCHEMATHESIS_BIN",
    );
    let Some(bin) = pyvenv::require("schemathesis", found) else {
        return;
    };
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    let out = Command::new(bin.join("st"))
        .args(["run", &format!("{}/openapi.json", srv.url)])
        .args(["--exclude-path", "/v1/{ns}/watch"])
        .args(["--checks", "all"])
        .args([
            "--exclude-checks",
            "negative_data_rejection,positive_data_acceptance,ignored_auth",
        ])
        .args(["--max-examples", "40", "--seed", "20261123"])
        .args(["--request-timeout", "10", "--no-color"])
        .current_dir(t.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every selected operation (all but watch) was reached.
    let number_after = |label: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|rest| rest.trim().split('/').next()?.parse::<u32>().ok())
    };
    let (selected, tested) = (number_after("Selected:"), number_after("Tested:"));
    assert!(
        selected.is_some_and(|n| n >= 20) && selected == tested,
        "selected {selected:?}, tested {tested:?}:\n{stdout}"
    );
}
