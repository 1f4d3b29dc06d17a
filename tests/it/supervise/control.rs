//! The control interface: the Unix socket's mode, the TCP auth matrix, `/config` (404 while
//! unconfigured, 201 once, 409 after, redacted, stored 0600 and re-applied after a restart),
//! JSON errors, and the CLI's exit status when nobody listens.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use super::{Sup, parse_http};
use crate::util::{TestDir, lines_starting_with};

#[test]
fn unconfigured_then_configured_once_stored_privately_and_reapplied() {
    let mut sup = Sup::start_in(TestDir::new(), &[]);
    let mode = std::fs::metadata(&sup.socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let (status, body) = sup.http("GET", "/config", None);
    assert_eq!(status, 404, "{body}");
    let err: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(err["error"], "not_configured");
    let (status, body) = sup.http("GET", "/", None);
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["configured"],
        false
    );
    let config = r#"{"process": {"w": {"command": "sleep", "args": ["1000"],
        "env": {"API_TOKEN": "hush", "PORT": "80"}}},
        "storage": {"bucket": "b", "endpoint": "http://127.0.0.1:1", "access_key": "AK",
        "secret_key": "SK"}}"#;
    let (status, body) = sup.http("POST", "/config", Some("{not json"));
    assert_eq!(status, 400, "{body}");
    let (status, body) = sup.http("POST", "/config", Some(config));
    assert_eq!(status, 201, "{body}");
    sup.wait_state("w", "RUNNING");
    let (status, body) = sup.http("POST", "/config", Some(config));
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("already_configured"));
    let (status, body) = sup.http("GET", "/config", None);
    assert_eq!(status, 200);
    assert!(
        !body.contains("hush") && !body.contains("SK") && !body.contains("\"AK\""),
        "{body}"
    );
    assert!(body.contains("\"80\""));
    let stored = sup.state.join("config.json");
    assert_eq!(
        std::fs::metadata(&stored).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // After a restart the stored configuration is applied again.
    assert!(sup.stop().success());
    sup.spawn(&[]);
    sup.wait_state("w", "RUNNING");
    let (status, _) = sup.http("POST", "/config", Some(config));
    assert_eq!(status, 409);
}

#[test]
fn errors_are_json_and_unknown_names_are_404() {
    let sup = Sup::start("[process.a]\ncommand = 'sleep'\nargs = ['1000']\n");
    for (method, path, body, code) in [
        ("GET", "/nope", None, 404),
        ("DELETE", "/config", None, 405),
        ("POST", "/processes/zz/start", None, 404),
        (
            "POST",
            "/processes/a/signal",
            Some("{\"signal\": \"NOPE\"}"),
            400,
        ),
        ("GET", "/processes/zz/logs", None, 404),
        ("POST", "/checkpoint", None, 409),
    ] {
        let (status, text) = sup.http(method, path, body);
        assert_eq!(status, code, "{method} {path}: {text}");
        let v: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}"));
        assert!(v["error"].is_string() && v["message"].is_string(), "{text}");
    }
    let out = sup.cli(&["stop", "zz"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: "),
        "{out:?}"
    );
}

#[test]
fn tcp_needs_the_bearer_token_and_the_socket_does_not() {
    let t = TestDir::new();
    let procs = t.write(
        "procs.toml",
        "[process.a]\ncommand = 'sleep'\nargs = ['1000']\n",
    );
    // --listen without a token is a usage error.
    let out = t
        .stmgr()
        .args(["supervise", "run", "--listen", "127.0.0.1:0", "--config"])
        .arg(&procs)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // CONTROLLER_TOKEN, as the Go system's deployments set it.
    let mut sup = Sup::start_env(
        t,
        &[
            "--config".into(),
            procs.display().to_string(),
            "--listen".into(),
            "127.0.0.1:0".into(),
        ],
        &[("CONTROLLER_TOKEN", "tok-123")],
    );
    let stderr = sup.child.as_mut().unwrap().stderr.take().unwrap();
    let url = read_url(stderr);
    stmgr::client::install_crypto_provider();
    let http = reqwest::blocking::Client::new();
    let get = |token: Option<&str>| {
        let mut r = http.get(format!("{url}/"));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().unwrap())
    };
    let (s, body) = get(None);
    assert_eq!(s, 401, "{body}");
    assert!(body.contains("\"unauthorized\""));
    assert_eq!(get(Some("wrong")).0, 401);
    assert_eq!(get(Some("tok-123")).0, 200);
    // The socket needs no token; the CLI reaches TCP with CONTROLLER_TOKEN or --token.
    assert_eq!(sup.http("GET", "/", None).0, 200);
    let out = sup
        .t
        .stmgr()
        .env("CONTROLLER_TOKEN", "tok-123")
        .args(["supervise", "status", "--url", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = sup
        .t
        .stmgr()
        .args(["supervise", "status", "--url", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

/// The `control API on http://ADDR` line of the supervisor's stderr.
fn read_url(stderr: std::process::ChildStderr) -> String {
    use std::io::BufRead as _;
    for line in std::io::BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("control API on ") {
            return u.to_owned();
        }
    }
    panic!("no control API line");
}

#[test]
fn the_cli_exits_10_when_no_supervisor_listens() {
    let t = TestDir::new();
    let out = t
        .stmgr()
        .args(["supervise", "status", "--socket"])
        .arg(t.path().join("none.sock"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(10), "{out:?}");
    assert_eq!(
        lines_starting_with(&out.stderr, "error: ").len(),
        1,
        "{out:?}"
    );
    let _ = parse_http;
}
