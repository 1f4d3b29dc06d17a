//! `GET /health` of the real server binary: 503 once the engine is poisoned (a WAL write fails
//! for real: the server runs under a file-size limit with `SIGXFSZ` ignored, so growing the
//! WAL fails with EFBIG) and `engine_poisoned 1` on `/metrics`, and `--health-format json` for
//! clients that send `Accept: */*` (the Exosphere SDK) while `?format=text` still answers `ok`.
//! `stmgr status` shows a degraded server, and `stmgr status --check` (the container health
//! check) fails on it.

use std::os::unix::process::CommandExt;
use std::process::Command;

use serde_json::Value;

use crate::rawhttp::{Started, get};
use crate::server_cli::ServerProc;
use crate::util::{TestDir, stmgr_path};

#[test]
fn a_poisoned_engine_answers_health_with_a_503_in_every_format() {
    let t = TestDir::new();
    // `server start` under `sh`, which ignores SIGXFSZ (kept across exec), with a 1 MiB file
    // size limit: the first write preallocates 4 MiB of WAL and fails.
    let server = ServerProc::command(&t, &t.path().join("state"), &[], &[]);
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg("trap '' XFSZ; exec \"$0\" \"$@\"")
        .arg(stmgr_path())
        .args(server.get_args())
        .env_clear()
        .envs(server.get_envs().filter_map(|(k, v)| Some((k, v?))));
    // SAFETY: setrlimit is a single system call, safe between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            rustix::process::setrlimit(
                rustix::process::Resource::Fsize,
                rustix::process::Rlimit {
                    current: Some(1 << 20),
                    maximum: Some(1 << 20),
                },
            )
            .map_err(std::io::Error::from)
        });
    }
    let s = Started::spawned(cmd);
    let addr = s.addr();
    assert_eq!(get(&addr, "/health", "").0, 200, "healthy before any write");
    let poisoned = |addr: &str| {
        let body = get(addr, "/metrics", "").2;
        body.lines()
            .find_map(|l| l.strip_prefix("engine_poisoned "))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no engine_poisoned in\n{body}"))
    };
    assert_eq!(poisoned(&addr), "0");
    let out = t
        .stmgr()
        .args([
            "--server", &s.srv.url, "put", "ns", "k", "--type", "t", "--body", "1",
        ])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("503"), "{stderr}");
    for (path, headers) in [
        ("/health", ""),
        ("/health", "Accept: */*\r\n"),
        ("/health?format=json", ""),
        ("/health?format=text", ""),
    ] {
        let (status, head, body) = get(&addr, path, headers);
        assert_eq!(status, 503, "{path} {headers}: {head}\n{body}");
        let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert_eq!(
            (v["error"].as_str(), v["status"].as_str()),
            (Some("degraded"), Some("degraded")),
            "{v}"
        );
        let why = v["message"].as_str().unwrap();
        assert!(why.contains("File too large"), "{v}");
        assert_eq!(v["detail"].as_str(), Some(why));
    }
    assert_eq!(
        poisoned(&addr),
        "1",
        "the engine_poisoned gauge alerts can use"
    );
    // Reads go on, and `stmgr status` shows the degraded state rather than failing.
    let (status, _, _) = get(&addr, "/v1/ns/objects", "");
    assert_eq!(status, 200);
    let out = t
        .stmgr()
        .args(["--server", &s.srv.url, "status", "--output", "json"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["health"]["status"], "degraded", "{v}");
    // `status --check` (the container health check) fails on it.
    let out = t
        .stmgr()
        .args(["--server", &s.srv.url, "status", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "degraded\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: the server at http://127.0.0.1:")
            && stderr.contains("is degraded: "),
        "{stderr}"
    );
}

#[test]
fn status_check_exits_0_only_for_a_healthy_server_and_needs_no_token() {
    let t = TestDir::new();
    // Authentication on: /health needs no token, unlike plain `stmgr status`.
    let srv = ServerProc::start_env(
        &t,
        &t.path().join("state"),
        &[("STATE_MANAGER_SECRET", "s3cret".to_string())],
    );
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "status", "--check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "healthy\n");
    let out = t
        .stmgr()
        .args(["--server", &srv.url, "status", "--check", "-o", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "healthy", "{v}");
    drop(srv);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let out = t
        .stmgr()
        .args(["--server", &url, "status", "--check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(10),
        "unreachable is exit 10: {out:?}"
    );
}

#[test]
fn health_format_json_answers_the_json_document_to_accept_any() {
    let t = TestDir::new();
    let s = Started::new(&t, &["--health-format", "json"], |_| {});
    let addr = s.addr();
    let (status, head, body) = get(&addr, "/health", "Accept: */*\r\n");
    assert_eq!(status, 200, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    assert!(body.contains(r#""message":"OK""#), "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "healthy");
    assert!(v.get("error").is_none(), "no error field when healthy: {v}");
    assert!(get(&addr, "/health", "").2.contains(r#""message":"OK""#));
    let (status, _, body) = get(&addr, "/health?format=text", "Accept: */*\r\n");
    assert_eq!((status, body.as_str()), (200, "ok"));

    // The default stays `ok`, and the environment variable chooses too.
    let t2 = TestDir::new();
    let text = Started::new(&t2, &[], |_| {});
    assert_eq!(get(&text.addr(), "/health", "Accept: */*\r\n").2, "ok");
    let t3 = TestDir::new();
    let from_env = Started::new(&t3, &[], |c| {
        c.env("STMGR_HEALTH_FORMAT", "json");
    });
    assert!(
        get(&from_env.addr(), "/health", "Accept: */*\r\n")
            .2
            .contains(r#""message":"OK""#)
    );
}
