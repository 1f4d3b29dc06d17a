//! `stmgr keys generate`, `stmgr token issue` and `stmgr token inspect` with the real binary:
//! issue → inspect verifies, a different key fails with exit 1, key rotation at the CLI level,
//! and configuration errors (no key, a key without its id) exit 2 without showing keys.

use predicates::prelude::*;

use crate::util::TestDir;

/// A `stmgr` command whose active (and optionally next) key are set in the environment.
fn with_keys(
    dir: &TestDir,
    active: (&str, &str),
    next: Option<(&str, &str)>,
) -> assert_cmd::Command {
    let mut cmd = dir.stmgr();
    cmd.env("CAP_KEY_ACTIVE_ID", active.0)
        .env("CAP_KEY_ACTIVE", active.1);
    if let Some((id, key)) = next {
        cmd.env("CAP_KEY_NEXT_ID", id).env("CAP_KEY_NEXT", key);
    }
    cmd
}

/// Runs `token issue` with these keys and returns the token (stdout, trimmed).
fn issue(
    dir: &TestDir,
    active: (&str, &str),
    next: Option<(&str, &str)>,
    extra: &[&str],
) -> String {
    let output = with_keys(dir, active, next)
        .args([
            "token",
            "issue",
            "--ns",
            "agent://demo",
            "--verbs",
            "put,get",
            "--ttl",
            "1h",
        ])
        .args(extra)
        .output()
        .expect("run stmgr");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "token issue failed: {stderr}");
    let token = String::from_utf8(output.stdout).expect("UTF-8 token");
    assert_eq!(
        token.lines().count(),
        1,
        "the token alone on stdout: {token:?}"
    );
    token.trim().to_owned()
}

/// Runs `token inspect TOKEN --output json` with these keys: (exit code, document).
fn inspect(
    dir: &TestDir,
    active: (&str, &str),
    next: Option<(&str, &str)>,
    token: &str,
) -> (i32, serde_json::Value) {
    let output = with_keys(dir, active, next)
        .args(["token", "inspect", "--output", "json", token])
        .output()
        .expect("run stmgr");
    let doc = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "inspect printed no JSON ({err}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("exit code"), doc)
}

#[test]
fn issued_token_inspects_and_verifies() {
    let dir = TestDir::new();
    let key = ("k1", "dev-secret");
    let token = issue(
        &dir,
        key,
        None,
        &[
            "--region",
            "eu",
            "--max-qps",
            "2.5",
            "--max-bytes",
            "1KiB",
            "--jti",
            "job-7",
        ],
    );
    assert!(token.starts_with("k1."), "{token}");

    let (code, doc) = inspect(&dir, key, None, &token);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["verifies"], true);
    assert_eq!(doc["status"], "verifies");
    assert_eq!(doc["kid"], "k1");
    let claims = &doc["claims"];
    assert_eq!(claims["ns"], serde_json::json!(["agent://demo"]));
    assert_eq!(claims["verbs"], serde_json::json!(["put", "get"]));
    assert_eq!(claims["region"], "eu");
    assert_eq!(claims["max_qps"], 2.5);
    assert_eq!(claims["max_bytes"], 1024);
    assert_eq!(claims["jti"], "job-7");
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 3600);

    // The table form and stdin work too.
    with_keys(&dir, key, None)
        .args(["token", "inspect", "-"])
        .write_stdin(format!("{token}\n"))
        .assert()
        .success()
        .stdout(predicate::str::contains("agent://demo"))
        .stdout(predicate::str::contains("verifies"));
}

#[test]
fn default_jti_is_a_ulid_and_json_output_has_token_kid_and_claims() {
    let dir = TestDir::new();
    let output = with_keys(&dir, ("k1", "dev-secret"), None)
        .args([
            "token", "issue", "--ns", "*", "--verbs", "admin", "--ttl", "5m",
        ])
        .args(["--output", "json"])
        .output()
        .expect("run stmgr");
    assert!(output.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["kid"], "k1");
    assert!(doc["token"].as_str().unwrap().starts_with("k1."));
    let jti = doc["claims"]["jti"].as_str().expect("jti");
    assert_eq!(jti.len(), 26, "{jti}");
    assert!(jti.parse::<ulid::Ulid>().is_ok(), "{jti}");
}

#[test]
fn a_different_key_or_no_key_fails_with_exit_1() {
    let dir = TestDir::new();
    let token = issue(&dir, ("k1", "dev-secret"), None, &[]);

    let (code, doc) = inspect(&dir, ("k1", "another-secret"), None, &token);
    assert_eq!(code, 1);
    assert_eq!(doc["status"], "token_bad_signature");
    assert_eq!(doc["verifies"], false);

    let output = dir
        .stmgr()
        .args(["token", "inspect", "--output", "json", &token])
        .output()
        .expect("run stmgr");
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["status"], "no_keys_configured");

    dir.stmgr()
        .args(["token", "inspect", "not-a-token"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("malformed"));
}

#[test]
fn rotation_stage_issue_promote_retire() {
    let dir = TestDir::new();
    let old = ("k2025", "old-secret");
    let new = ("k2026", "new-secret");
    let old_token = issue(&dir, old, None, &[]);

    // 1. Stage the new key as NEXT: old tokens still verify, new ones can be issued with it.
    let new_token = issue(&dir, old, Some(new), &["--kid", "next"]);
    assert!(new_token.starts_with("k2026."), "{new_token}");
    assert_eq!(inspect(&dir, old, Some(new), &old_token).0, 0);
    let (code, doc) = inspect(&dir, old, Some(new), &new_token);
    assert_eq!(code, 0, "{doc}");
    assert!(doc["message"].as_str().unwrap().contains("next"), "{doc}");

    // 2. Promote NEXT to ACTIVE (and keep the old key as NEXT for a while): both verify.
    assert_eq!(inspect(&dir, new, Some(old), &new_token).0, 0);
    assert_eq!(inspect(&dir, new, Some(old), &old_token).0, 0);

    // 3. Retire the old key: its tokens are refused by kid, new ones keep working.
    assert_eq!(inspect(&dir, new, None, &new_token).0, 0);
    let (code, doc) = inspect(&dir, new, None, &old_token);
    assert_eq!(code, 1);
    assert_eq!(doc["status"], "token_unknown_kid");
}

#[test]
fn generated_keys_are_usable_and_random() {
    let dir = TestDir::new();
    let generate = |args: &[&str]| {
        let output = dir
            .stmgr()
            .args(["keys", "generate"])
            .args(args)
            .output()
            .expect("run stmgr");
        assert!(output.status.success());
        String::from_utf8(output.stdout)
            .expect("UTF-8")
            .trim()
            .to_owned()
    };
    let key = generate(&[]);
    assert!(key.starts_with("base64:"), "{key}");
    assert_eq!(key.len(), "base64:".len() + 44, "32 bytes: {key}");
    assert_ne!(key, generate(&[]));
    assert_eq!(generate(&["--bytes", "64"]).len(), "base64:".len() + 88);

    let token = issue(&dir, ("gen", &key), None, &[]);
    assert_eq!(inspect(&dir, ("gen", &key), None, &token).0, 0);

    dir.stmgr()
        .args(["keys", "generate", "--bytes", "8"])
        .assert()
        .code(2);

    // Half-configured (the id set, its key not yet: the moment an operator runs this), and a
    // broken config file: the generator reads neither.
    for id in ["CAP_KEY_ACTIVE_ID", "STMGR_CAP_KEY_ACTIVE_ID"] {
        let output = dir
            .stmgr()
            .env(id, "k1")
            .args(["keys", "generate"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{id}: {output:?}");
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("base64:"));
    }
    let bad = dir.path().join("broken.toml");
    std::fs::write(&bad, "[auth\n").unwrap();
    dir.stmgr()
        .arg("--config")
        .arg(&bad)
        .args(["keys", "generate"])
        .assert()
        .success();
}

#[test]
fn issuing_without_a_key_or_next_key_exits_2() {
    let dir = TestDir::new();
    dir.stmgr()
        .args([
            "token", "issue", "--ns", "a", "--verbs", "get", "--ttl", "1h",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("CAP_KEY_ACTIVE"));
    with_keys(&dir, ("k1", "dev-secret"), None)
        .args([
            "token", "issue", "--ns", "a", "--verbs", "get", "--ttl", "1h",
        ])
        .args(["--kid", "next"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("CAP_KEY_NEXT"));
    with_keys(&dir, ("k1", "dev-secret"), None)
        .args([
            "token", "issue", "--ns", "a b", "--verbs", "get", "--ttl", "1h",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("whitespace"));
}

#[test]
fn a_key_without_its_id_exits_2_without_showing_the_key() {
    let dir = TestDir::new();
    dir.stmgr()
        .env("CAP_KEY_ACTIVE", "zebra-secret-value")
        .args([
            "token", "issue", "--ns", "a", "--verbs", "get", "--ttl", "1h",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("CAP_KEY_ACTIVE_ID"))
        .stderr(predicate::str::contains("zebra").not());
    let config = dir.write(
        "stmgr.toml",
        "[auth]\ncap_key_active_id = \"k1\"\ncap_key_active = \"base64:zebra!!\"\n",
    );
    dir.stmgr()
        .arg("--config")
        .arg(&config)
        .args(["token", "inspect", "k1.e30.AAAA"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("auth.cap_key_active"))
        .stderr(predicate::str::contains("zebra").not());
}

#[test]
fn keys_from_the_config_file_sign_tokens() {
    let dir = TestDir::new();
    dir.write(
        dir.default_config_file(),
        "[auth]\ncap_key_active_id = \"file-key\"\ncap_key_active = \"base64:c2VjcmV0LWJ5dGVz\"\n",
    );
    let output = dir
        .stmgr()
        .args([
            "token", "issue", "--ns", "a", "--verbs", "get", "--ttl", "1h",
        ])
        .output()
        .expect("run stmgr");
    assert!(output.status.success());
    let token = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(token.starts_with("file-key."), "{token}");
    // The same bytes given raw verify it: base64: only changes how the key is written.
    let (code, _) = inspect(&dir, ("file-key", "secret-bytes"), None, token.trim());
    assert_eq!(code, 0);
}
