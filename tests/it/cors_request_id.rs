//! CORS (`--cors-origins`, `STMGR_CORS_ORIGINS`, `CORS_ORIGINS`; off by default) and request
//! ids (`x-request-id` kept or made up, echoed, and on the log lines of the request) on the
//! real server binary.

use std::io::Write as _;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::rawhttp::{connect, read_to_close, status_of};
use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// One request on a fresh connection: status and lower-cased head lines.
fn call(url: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<String>) {
    let addr = url.trim_start_matches("http://");
    let mut s = connect(addr);
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if method == "POST" {
        req.push_str("Content-Length: 0\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let (text, _) = read_to_close(&mut s, Duration::from_secs(20));
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let lines = head
        .lines()
        .skip(1)
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap_or((l, ""));
            format!("{}: {}", k.to_ascii_lowercase(), v.trim())
        })
        .collect();
    (status_of(head), lines)
}

fn header(lines: &[String], name: &str) -> Option<String> {
    let prefix = format!("{name}: ");
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
}

fn preflight(url: &str, origin: &str) -> (u16, Vec<String>) {
    call(
        url,
        "OPTIONS",
        "/v1/ns/objects",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type",
            ),
        ],
    )
}

fn start(t: &TestDir, extra: &[&str], env: &[(&str, &str)]) -> ServerProc {
    let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (*k, v.to_string())).collect();
    ServerProc::from_spawned_env(t, extra, &env)
}

impl ServerProc {
    /// `server start EXTRA...` on `t`'s `state` directory with environment variables.
    fn from_spawned_env(t: &TestDir, extra: &[&str], env: &[(&str, String)]) -> ServerProc {
        let (child, lines) = ServerProc::spawn_env(t, &t.path().join("state"), extra, env);
        ServerProc::from_spawned(child, lines)
    }
}

#[test]
fn cors_is_off_unless_origins_are_given() {
    let t = TestDir::new();
    let srv = start(&t, &[], &[]);
    let (_, head) = preflight(&srv.url, "https://app.example.com");
    assert_eq!(
        header(&head, "access-control-allow-origin"),
        None,
        "{head:#?}"
    );
    let (status, head) = call(
        &srv.url,
        "GET",
        "/health",
        &[("Origin", "https://app.example.com")],
    );
    assert_eq!(status, 200);
    assert_eq!(
        header(&head, "access-control-allow-origin"),
        None,
        "{head:#?}"
    );
}

#[test]
fn cors_origins_allow_exactly_the_listed_origins() {
    let t = TestDir::new();
    let srv = start(
        &t,
        &[
            "--cors-origins",
            "https://app.example.com, http://localhost:3000",
        ],
        // Authentication on: a preflight carries no credentials and must still pass.
        &[("STATE_MANAGER_SECRET", "s3cret"), ("CORS_ORIGINS", "*")],
    );
    let (status, head) = preflight(&srv.url, "http://localhost:3000");
    assert_eq!(status, 200, "{head:#?}");
    assert_eq!(
        header(&head, "access-control-allow-origin").as_deref(),
        Some("http://localhost:3000"),
        "the flag beats CORS_ORIGINS: {head:#?}"
    );
    let methods = header(&head, "access-control-allow-methods").unwrap();
    assert!(
        methods.contains("POST") && methods.contains("DELETE"),
        "{methods}"
    );
    let allowed = header(&head, "access-control-allow-headers").unwrap();
    for h in [
        "authorization",
        "content-type",
        "x-api-key",
        "idempotency-key",
        "last-event-id",
    ] {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }
    assert!(
        header(&head, "access-control-max-age").is_some(),
        "{head:#?}"
    );

    let (_, head) = preflight(&srv.url, "https://evil.example.com");
    assert_eq!(
        header(&head, "access-control-allow-origin"),
        None,
        "{head:#?}"
    );

    // An actual request: the origin is allowed and the request id readable by the page.
    let (status, head) = call(
        &srv.url,
        "GET",
        "/health",
        &[("Origin", "https://app.example.com")],
    );
    assert_eq!(status, 200);
    assert_eq!(
        header(&head, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    let exposed = header(&head, "access-control-expose-headers").unwrap();
    assert!(exposed.contains("x-request-id"), "{exposed}");
}

#[test]
fn cors_origins_come_from_the_environment_too() {
    for (env, origin, want) in [
        (
            vec![
                ("STMGR_CORS_ORIGINS", "https://a.example.com"),
                ("CORS_ORIGINS", "https://b.example.com"),
            ],
            "https://a.example.com",
            Some("https://a.example.com"),
        ),
        (
            vec![
                ("STMGR_CORS_ORIGINS", "https://a.example.com"),
                ("CORS_ORIGINS", "*"),
            ],
            "https://b.example.com",
            None,
        ),
        (
            vec![("CORS_ORIGINS", "*")],
            "https://any.example.org",
            Some("*"),
        ),
        (vec![("CORS_ORIGINS", "")], "https://any.example.org", None),
    ] {
        let t = TestDir::new();
        let srv = start(&t, &[], &env);
        let (_, head) = preflight(&srv.url, origin);
        assert_eq!(
            header(&head, "access-control-allow-origin").as_deref(),
            want,
            "{env:?}: {head:#?}"
        );
    }
}

#[test]
fn a_bad_origin_is_a_usage_error() {
    for (args, env, needle) in [
        (
            &["--cors-origins", "https://app.example.com/"][..],
            &[][..],
            "--cors-origins: \"https://app.example.com/\" is not an origin as browsers send it \
             (scheme://host[:port], no path); did you mean https://app.example.com?",
        ),
        (
            &[],
            &[("CORS_ORIGINS", "app.example.com")],
            "CORS_ORIGINS: ",
        ),
        (
            &[],
            &[("STMGR_CORS_ORIGINS", "*,https://a.example.com")],
            "STMGR_CORS_ORIGINS: `*` allows every origin",
        ),
    ] {
        let t = TestDir::new();
        let mut cmd = ServerProc::command(&t, &t.path().join("state"), args, &[]);
        cmd.envs(env.iter().copied());
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{needle:?} in {stderr}");
    }
}

/// Lines from `lines` until one contains `needle` (panics after 20 s).
fn line_with(lines: &Receiver<String>, needle: &str) -> String {
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("no line with {needle:?}: {e}"));
        if line.contains(needle) {
            return line;
        }
    }
}

#[test]
fn request_ids_are_kept_or_made_up_echoed_and_logged() {
    let t = TestDir::new();
    let srv = start(&t, &[], &[("STMGR_LOG", "info")]);
    let (status, head) = call(&srv.url, "GET", "/health", &[("X-Request-Id", "req-abc.1")]);
    assert_eq!(status, 200);
    assert_eq!(header(&head, "x-request-id").as_deref(), Some("req-abc.1"));
    let line = line_with(&srv.lines, "req-abc.1");
    assert!(
        line.contains("request_id=req-abc.1")
            && line.contains("method=GET")
            && line.contains("path=/health")
            && line.contains("status=200"),
        "{line}"
    );

    // None, or one that would not do in a log line: a UUID is made up, a new one each time.
    let too_long = "x".repeat(129);
    let mut made = Vec::new();
    for given in [None, Some(""), Some(too_long.as_str()), Some("has space")] {
        let headers: Vec<(&str, &str)> = given.map(|g| ("X-Request-Id", g)).into_iter().collect();
        let (_, head) = call(&srv.url, "GET", "/v1/ns/objects/none", &headers);
        let id = header(&head, "x-request-id").expect("an id");
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(id.matches('-').count(), 4, "{id}");
        assert!(!made.contains(&id), "{id} twice");
        let line = line_with(&srv.lines, &id);
        assert!(line.contains("status=404"), "{line}");
        made.push(id);
    }
}

#[test]
fn the_error_lines_of_a_request_carry_its_id_at_the_default_level_and_in_json() {
    for json in [false, true] {
        let t = TestDir::new();
        let extra: &[&str] = if json { &["--log-format", "json"] } else { &[] };
        let srv = start(&t, extra, &[]);
        // In JSON mode the address line is JSON: the URL ends at the quote.
        let url = srv.url.split('"').next().unwrap().to_string();
        // A snapshot that no longer verifies: trim-wal fails on the server's side, which the
        // handler logs at ERROR.
        let out = t
            .stmgr()
            .args(["--server", &url, "snapshot", "-o", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let snap: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let id = snap["snapshot_id"].as_str().unwrap();
        let file = t.path().join("state/snapshots").join(format!("{id}.snap"));
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&file, bytes).unwrap();

        let path = format!("/admin/trim-wal?snapshot_id={id}");
        let (status, head) = call(&url, "POST", &path, &[("X-Request-Id", "trim-7")]);
        assert_eq!(status, 500, "{head:#?}");
        assert_eq!(header(&head, "x-request-id").as_deref(), Some("trim-7"));
        let line = line_with(&srv.lines, "admin operation failed");
        if json {
            let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
            assert_eq!(v["level"], "ERROR", "{line}");
            let span = &v["spans"][0];
            assert_eq!(span["request_id"], "trim-7", "{line}");
            assert_eq!(span["path"], "/admin/trim-wal", "{line}");
        } else {
            assert!(line.contains("ERROR"), "{line}");
            assert!(
                line.contains("request{request_id=trim-7 method=POST"),
                "{line}"
            );
        }
    }
}

#[test]
fn the_metrics_listener_echoes_request_ids_too() {
    let t = TestDir::new();
    let srv = start(&t, &["--metrics-listen", "127.0.0.1:0"], &[]);
    let line = line_with(&srv.lines, "metrics and health on ");
    let url = line.rsplit("on ").next().unwrap().trim().to_string();
    let (status, head) = call(&url, "GET", "/metrics", &[("X-Request-Id", "scrape-1")]);
    assert_eq!(status, 200);
    assert_eq!(header(&head, "x-request-id").as_deref(), Some("scrape-1"));
}
