//! The server's admission rules: the full token matrix (each case's exact status and error
//! code), API keys, region pinning, size limits read from `Content-Length` before the body, rate
//! limits with `Retry-After`; then, with the real binary, the safe default (no auth only on
//! loopback), rotation end to end and the client's `--token`.
//!
//! The in-process tests run on both backends (`NAME::embedded`, `NAME::postgres`; see
//! `server`). The two with the real binary stay on the embedded engine: they check its listen
//! and key settings, which do not depend on the storage.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use predicates::prelude::*;
use serde_json::Value;
use stmgr::api::guard::Guard;
use stmgr::auth::{Claims, Key, KeyRing, SecretString, Verb, sign, unix_now};
use stmgr::server::ServeOptions;

use crate::engine::options;
use crate::server::{Backend, Deployment};
use crate::server_cli::ServerProc;
use crate::util::TestDir;

crate::server::both_backends!(
    the_token_matrix_answers_each_case_with_its_status_and_code,
    size_and_rate_limits,
);

fn key(id: &str, secret: &str) -> Key {
    Key::from_config(id, secret).unwrap()
}

/// Claims for `ns` and `verbs`, valid for an hour.
pub(crate) fn claims(ns: &[&str], verbs: &[Verb]) -> Claims {
    let now = unix_now();
    Claims {
        ns: ns.iter().map(|s| s.to_string()).collect(),
        verbs: verbs.to_vec(),
        iat: now,
        exp: now + 3600,
        nbf: None,
        region: None,
        max_bytes: None,
        max_qps: None,
        jti: None,
    }
}

/// `(status, error code or "", Retry-After)` of one request.
async fn call(
    url: &str,
    method: &str,
    path: &str,
    auth: Option<(&str, &str)>,
    body: Option<&str>,
) -> (u16, String, Option<String>) {
    stmgr::client::install_crypto_provider();
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), format!("{url}{path}"));
    if let Some((name, value)) = auth {
        req = req.header(name, value);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    (
        status,
        v["error"].as_str().unwrap_or_default().to_string(),
        retry,
    )
}

fn bearer(token: &str) -> Option<(&'static str, String)> {
    Some(("authorization", format!("Bearer {token}")))
}

async fn the_token_matrix_answers_each_case_with_its_status_and_code(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let active = key("k1", "active-secret");
    let next = key("k2", "next-secret");
    let guard = Guard {
        keys: Some(KeyRing::new(active.clone(), Some(next.clone())).unwrap()),
        region: Some("eu".into()),
        api_key: Some(SecretString::new("exo-key")),
        api_key_grants_v1: true,
        ..Guard::default()
    };
    let srv = d.start_guarded(guard).await;
    let url = srv.url.clone();
    let all = Verb::ALL;
    let good = sign(&active, &claims(&["agent://team/*"], &all));
    let put = r#"{"type":"t","body":{}}"#;
    let obj = "/v1/agent:%2F%2Fteam%2Fa/objects";
    type Case<'a> = (&'a str, Option<(&'a str, String)>, (u16, &'a str));
    let cases: Vec<Case> = vec![
        ("no token", None, (401, "token_missing")),
        ("not a token", bearer("garbage"), (401, "token_malformed")),
        (
            "wrong scheme",
            Some(("authorization", format!("Basic {good}"))),
            (401, "token_missing"),
        ),
        (
            "bad signature",
            bearer(&sign(&key("k1", "forged"), &claims(&["*"], &all))),
            (401, "token_bad_signature"),
        ),
        (
            "unknown kid",
            bearer(&sign(&key("k0", "retired"), &claims(&["*"], &all))),
            (401, "token_unknown_kid"),
        ),
        (
            "expired",
            bearer(&sign(&active, &{
                let mut c = claims(&["*"], &all);
                c.exp = unix_now() - 120;
                c.iat = c.exp - 60;
                c
            })),
            (401, "token_expired"),
        ),
        (
            "not yet valid",
            bearer(&sign(&active, &{
                let mut c = claims(&["*"], &all);
                c.nbf = Some(unix_now() + 600);
                c
            })),
            (401, "token_not_yet_valid"),
        ),
        (
            "other region",
            bearer(&sign(&active, &{
                let mut c = claims(&["*"], &all);
                c.region = Some("us".into());
                c
            })),
            (451, "region_not_allowed"),
        ),
        (
            "verb not granted",
            bearer(&sign(&active, &claims(&["*"], &[Verb::Get]))),
            (403, "verb_not_granted"),
        ),
        (
            "namespace not granted",
            bearer(&sign(&active, &claims(&["agent://other/*"], &all))),
            (403, "namespace_not_granted"),
        ),
        (
            "wrong API key",
            Some(("x-api-key", "nope".into())),
            (401, "invalid_api_key"),
        ),
        ("good token", bearer(&good), (200, "")),
        (
            "next key",
            bearer(&sign(&next, &claims(&["*"], &all))),
            (200, ""),
        ),
        (
            "same region",
            bearer(&sign(&active, &{
                let mut c = claims(&["*"], &all);
                c.region = Some("eu".into());
                c
            })),
            (200, ""),
        ),
        ("API key", Some(("x-api-key", "exo-key".into())), (200, "")),
    ];
    for (what, auth, (status, code)) in cases {
        let auth = auth.as_ref().map(|(n, v)| (*n, v.as_str()));
        let got = call(&url, "POST", obj, auth, Some(put)).await;
        assert_eq!((got.0, got.1.as_str()), (status, code), "{what}");
    }

    // Every guarded route, including watch resumes and admin, refuses a missing token; health
    // and the API document stay open.
    for (method, path) in [
        ("GET", "/v1/ns/objects/x"),
        ("GET", "/v1/ns/objects"),
        ("DELETE", "/v1/ns/objects/x"),
        ("POST", "/v1/ns/query"),
        ("GET", "/v1/ns/watch?from_commit=1"),
        ("POST", "/v1/ns/lease/acquire"),
        ("GET", "/v1/ns/objects/x/checkpoints"),
        ("GET", "/v1/ns/objects/x/history"),
        ("GET", "/v1/namespaces"),
        ("GET", "/v1/stats"),
        ("POST", "/admin/snapshot"),
        ("GET", "/admin/dump"),
    ] {
        let got = call(&url, method, path, None, None).await;
        assert_eq!(
            (got.0, got.1.as_str()),
            (401, "token_missing"),
            "{method} {path}"
        );
    }
    for path in ["/health", "/openapi.json", "/metrics"] {
        assert_eq!(call(&url, "GET", path, None, None).await.0, 200, "{path}");
    }
    // Admin routes need the admin verb; a namespace-wide token without it is refused.
    let no_admin = sign(&active, &claims(&["*"], &[Verb::Get, Verb::Put]));
    let got = call(
        &url,
        "POST",
        "/admin/snapshot",
        Some(("authorization", &format!("Bearer {no_admin}"))),
        None,
    )
    .await;
    assert_eq!((got.0, got.1.as_str()), (403, "verb_not_granted"));
    let admin = sign(&active, &claims(&["*"], &[Verb::Admin]));
    let got = call(
        &url,
        "POST",
        "/admin/snapshot",
        Some(("authorization", &format!("Bearer {admin}"))),
        None,
    )
    .await;
    assert_eq!(got.0, 200);

    // Refusals are counted.
    let metrics = srv.metrics().await;
    assert!(
        metrics.contains("auth_refused_total{code=\"token_expired\"} 1"),
        "{metrics}"
    );
    srv.stop().await;
}

async fn size_and_rate_limits(backend: Backend) {
    let Some(d) = Deployment::new(backend) else {
        return;
    };
    let active = key("k1", "active-secret");
    let guard = Guard {
        keys: Some(KeyRing::new(active.clone(), None).unwrap()),
        ns_max_qps: Some(1000.0),
        ..Guard::default()
    };
    let srv = d
        .start_with(
            options(),
            ServeOptions {
                guard,
                max_body: 64 * 1024,
                ..ServeOptions::default()
            },
        )
        .await;
    let url = srv.url.clone();
    let small = sign(&active, &{
        let mut c = claims(&["*"], &Verb::ALL);
        c.max_bytes = Some(100);
        c
    });
    let auth = format!("Bearer {small}");
    let big = format!(r#"{{"type":"t","body":"{}"}}"#, "x".repeat(200));
    let got = call(
        &url,
        "POST",
        "/v1/ns/objects",
        Some(("authorization", &auth)),
        Some(&big),
    )
    .await;
    assert_eq!((got.0, got.1.as_str()), (413, "too_large"));
    let got = call(
        &url,
        "POST",
        "/v1/ns/objects",
        Some(("authorization", &auth)),
        Some(r#"{"type":"t","body":1}"#),
    )
    .await;
    assert_eq!(got.0, 200);

    // Over the server's limit: answered from the headers, while the body is still unsent.
    let addr = url.trim_start_matches("http://").to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "POST /v1/ns/objects HTTP/1.1\r\nhost: x\r\nauthorization: {auth}\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n{{\"type\""
        )
        .unwrap();
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).to_string()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("too_large"), "{answer}");

    // A token allowed 5 requests per second: the sixth within the second is refused, with
    // Retry-After.
    let slow = sign(&active, &{
        let mut c = claims(&["*"], &Verb::ALL);
        c.max_qps = Some(5.0);
        c.jti = Some("slow-1".into());
        c
    });
    // Six requests at once (one client, so no per-request setup time lets the bucket refill).
    let http = reqwest::Client::new();
    let sends = (0..6).map(|_| {
        http.get(format!("{url}/v1/ns/objects"))
            .bearer_auth(&slow)
            .send()
    });
    let answers = futures_util::future::join_all(sends).await;
    let mut statuses = Vec::new();
    let mut retry = None;
    for a in answers {
        let a = a.unwrap();
        statuses.push(a.status().as_u16());
        if a.status() == 429 {
            retry = a
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let v: Value = a.json().await.unwrap();
            assert_eq!(v["error"], "rate_limited");
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        1,
        "{statuses:?}"
    );
    assert!(retry.is_some_and(|r| r.parse::<u64>().unwrap() >= 1));
    let metrics = srv.metrics().await;
    assert!(
        metrics.contains("rate_limit_exceeded_total{scope=\"token\"} 1"),
        "{metrics}"
    );
    srv.stop().await;
}

#[test]
fn without_keys_the_server_only_listens_on_loopback_unless_insecure() {
    let t = TestDir::new();
    t.stmgr()
        .args(["--data-dir"])
        .arg(t.path().join("state"))
        .args(["server", "start", "--listen", "0.0.0.0:0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "refusing to listen on 0.0.0.0:0 without authentication",
        ));
    let (mut child, lines) = ServerProc::spawn(&t, &t.path().join("state"), &["--insecure"]);
    let mut warned = false;
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(30)) {
        if line.contains("WARNING: authentication is off") {
            warned = true;
        }
        if line.contains("recovered commit_seq") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned, "the server warns loudly when auth is off");
}

#[test]
fn rotation_end_to_end_with_the_real_binary_and_client_tokens() {
    let t = TestDir::new();
    let data = t.path().join("state");
    let keys = |cmd: &mut assert_cmd::Command, active: (&str, &str), next: Option<(&str, &str)>| {
        cmd.env("CAP_KEY_ACTIVE_ID", active.0)
            .env("CAP_KEY_ACTIVE", active.1);
        if let Some((id, k)) = next {
            cmd.env("CAP_KEY_NEXT_ID", id).env("CAP_KEY_NEXT", k);
        }
    };
    let mint = |active: (&str, &str), next: Option<(&str, &str)>, kid: &str| -> String {
        let mut cmd = t.stmgr();
        keys(&mut cmd, active, next);
        let out = cmd
            .args([
                "token",
                "issue",
                "--ns",
                "agent://*",
                "--verbs",
                "put,get",
                "--ttl",
                "1h",
                "--kid",
                kid,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let old = ("k1", "old-secret");
    let new = ("k2", "new-secret");
    let serve = |active: (&str, &str), next: Option<(&str, &str)>| {
        let mut env = vec![
            ("CAP_KEY_ACTIVE_ID", active.0.to_string()),
            ("CAP_KEY_ACTIVE", active.1.to_string()),
        ];
        if let Some((id, k)) = next {
            env.push(("CAP_KEY_NEXT_ID", id.to_string()));
            env.push(("CAP_KEY_NEXT", k.to_string()));
        }
        ServerProc::start_env(&t, &data, &env)
    };
    let put = |url: &str, token: &str, id: &str| {
        t.stmgr()
            .args(["--server", url, "--token", token])
            .args(["put", "agent://demo", id, "--type", "t", "--body", "{}"])
            .assert()
    };
    let old_token = mint(old, None, "active");
    // 1. Stage NEXT: tokens from both keys work.
    let srv = serve(old, Some(new));
    let new_token = mint(old, Some(new), "next");
    put(&srv.url, &old_token, "a").success();
    put(&srv.url, &new_token, "b").success();
    drop(srv);
    // 2. Promote NEXT to ACTIVE and retire the old key: its tokens are refused.
    let srv = serve(new, None);
    put(&srv.url, &new_token, "c").success();
    put(&srv.url, &old_token, "d")
        .code(1)
        .stderr(predicate::str::contains("token_unknown_kid"));
    // The token from the environment works the same as --token.
    t.stmgr()
        .env("STMGR_TOKEN", &new_token)
        .args([
            "--server",
            &srv.url,
            "--output",
            "json",
            "get",
            "agent://demo",
            "c",
        ])
        .assert()
        .success();
}
