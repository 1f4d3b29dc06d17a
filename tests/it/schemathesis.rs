//! schemathesis (PyPI) against the real server's `/openapi.json`: generated requests for every
//! documented operation, including stateful sequences through the links it infers. Checks:
//! no 5xx, status codes, content types, headers and response bodies as documented.
//!
//! Not checked: `negative_data_rejection` (it counts an unknown request header as invalid
//! input, which HTTP servers rightly ignore) and `positive_data_acceptance` (ids and namespaces
//! are limited in bytes, JSON Schema counts characters). The watch stream never ends by design
//! and is covered by its own tests. A flow deploy (`POST /v1/flows`, operation `deploy`) runs
//! the commands it is given on this machine, so generated manifests are never sent; the flow
//! tests cover it.

use std::process::Command;

use crate::pyvenv;
use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// The pinned release.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

/// Runs `st run` against a server's document; returns its stdout, panicking with the report
/// when it finds anything.
fn run_st(bin: &std::path::Path, t: &TestDir, url: &str, extra: &[&str], examples: &str) -> String {
    let out = Command::new(bin.join("st"))
        .args(["run", &format!("{url}/openapi.json")])
        .args(["--exclude-path", "/v1/{ns}/watch"])
        .args(["--exclude-operation-id", "deploy"])
        .args(["--checks", "all"])
        .args(["--max-examples", examples, "--seed", "20261123"])
        .args(["--request-timeout", "10", "--no-color"])
        .args(extra)
        .current_dir(t.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "schemathesis found failures ({extra:?}):\n{stdout}\n{}",
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
    stdout
}

fn schemathesis() -> Option<std::path::PathBuf> {
    let found = pyvenv::venv_bin(
        "venv-schemathesis",
        &[SCHEMATHESIS],
        "STMGR_SCHEMATHESIS_BIN",
    );
    pyvenv::require("schemathesis", found)
}

#[test]
fn schemathesis_finds_no_server_errors_and_no_schema_violations() {
    let Some(bin) = schemathesis() else {
        return;
    };
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    run_st(
        &bin,
        &t,
        &srv.url,
        &[
            "--exclude-checks",
            "negative_data_rejection,positive_data_acceptance,ignored_auth",
        ],
        "40",
    );
}

/// With token keys configured: once with a token granting everything (schemathesis also
/// checks that the same requests without it are refused), once with no credentials at all.
#[test]
fn schemathesis_with_and_without_a_token() {
    let Some(bin) = schemathesis() else {
        return;
    };
    let t = TestDir::new();
    let env = [
        ("CAP_KEY_ACTIVE_ID", "k1".to_string()),
        ("CAP_KEY_ACTIVE", "schemathesis-secret".to_string()),
    ];
    let srv = ServerProc::start_env(&t, &t.path().join("state"), &env);
    let key = stmgr::auth::Key::from_config("k1", "schemathesis-secret").unwrap();
    let now = stmgr::auth::unix_now();
    let claims = stmgr::auth::Claims {
        ns: vec!["*".into()],
        verbs: stmgr::auth::Verb::ALL.to_vec(),
        iat: now,
        exp: now + 3600,
        nbf: None,
        region: None,
        max_bytes: None,
        max_qps: None,
        jti: None,
    };
    let header = format!("Authorization: Bearer {}", stmgr::auth::sign(&key, &claims));
    run_st(
        &bin,
        &t,
        &srv.url,
        &[
            "--header",
            &header,
            "--exclude-checks",
            "negative_data_rejection,positive_data_acceptance",
        ],
        "20",
    );
    run_st(
        &bin,
        &t,
        &srv.url,
        &[
            "--exclude-checks",
            "negative_data_rejection,positive_data_acceptance,ignored_auth",
        ],
        "10",
    );
}
