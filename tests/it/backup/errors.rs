//! Errors: an unreachable endpoint fails fast with "target unreachable"; a missing bucket is
//! "not found"; no credential shows in `Debug`, `Display`, an error or a log line.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stmgr::backup::{
    BackupError, ErrorKind, GoStorageConfig, Location, S3Location, Secret, StorageConfig, Target,
    TargetConfig, TargetOptions, UploadInfo,
};

use super::harness::{ACCESS_KEY, Moto, SECRET_KEY, credentials, free_port, runtime};
use super::snapshots::make_snapshot;

fn s3_at(endpoint: String, bucket: &str) -> Location {
    Location::S3(S3Location {
        bucket: bucket.into(),
        prefix: "p".into(),
        endpoint: Some(endpoint),
        ..S3Location::default()
    })
}

fn quick() -> TargetOptions {
    TargetOptions {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(800),
        max_retries: 1,
        retry_timeout: Duration::from_secs(2),
        ..TargetOptions::default()
    }
}

fn open_quick(location: Location) -> Target {
    Target::open(TargetConfig {
        location,
        credentials: Some(credentials()),
        options: quick(),
    })
    .unwrap()
}

#[test]
fn an_unreachable_endpoint_fails_fast_and_says_so() {
    // Nobody listens on a released port; a listener that never answers holds the request.
    let closed = free_port();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    for port in [closed, silent_port] {
        let t = open_quick(s3_at(format!("http://127.0.0.1:{port}"), "bkt-x"));
        let start = Instant::now();
        let e = runtime().block_on(t.list_snapshots()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unreachable, "port {port}: {e}");
        assert!(e.to_string().starts_with("target unreachable:"), "{e}");
        assert!(
            e.to_string().contains("s3://bkt-x/p/stmgr.json"),
            "names the object: {e}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "took {:?}",
            start.elapsed()
        );
    }
    drop(silent);
}

/// Collects log lines written while it is the thread's default subscriber.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in [ACCESS_KEY, SECRET_KEY] {
        assert!(!text.contains(secret), "{what} shows a credential: {text}");
    }
}

#[test]
fn credentials_never_show() {
    let src = tempfile::tempdir().unwrap();
    let snap = make_snapshot(src.path(), None, 3);
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let creds = credentials().with_session_token(Secret::new("sessionTokenValue"));
    assert_clean("Credentials", &format!("{creds:?}"));
    let mut errors: Vec<BackupError> = Vec::new();
    // An unreachable endpoint, and (with moto) a bucket that does not exist and one that does.
    let mut locations = vec![s3_at(format!("http://127.0.0.1:{}", free_port()), "bkt-x")];
    let moto = Moto::start();
    if let Some(m) = &moto {
        m.create_bucket("bkt-ok");
        locations.push(s3_at(m.endpoint(), "bkt-missing"));
        locations.push(s3_at(m.endpoint(), "bkt-ok"));
    }
    for location in locations {
        let config = TargetConfig {
            location,
            credentials: Some(creds.clone()),
            options: quick(),
        };
        assert_clean("TargetConfig", &format!("{config:?}"));
        let t = Target::open(config).unwrap();
        assert_clean("Target", &format!("{t:?} {}", t.location()));
        let rt = runtime();
        let r = rt.block_on(async {
            t.upload_snapshot(&snap, UploadInfo::default()).await?;
            t.list_snapshots().await?;
            t.download_snapshot("snap-01NONE", &src.path().join("none.snap"))
                .await
        });
        if let Err(e) = r {
            errors.push(e);
        }
        let e = rt
            .block_on(t.download_snapshot("snap-01NONE", &src.path().join("n.snap")))
            .unwrap_err();
        errors.push(e);
    }
    assert!(errors.iter().any(|e| e.kind() == ErrorKind::Unreachable));
    if moto.is_some() {
        assert!(
            errors
                .iter()
                .any(|e| e.kind() == ErrorKind::NotFound && e.to_string().contains("bkt-missing")),
            "{errors:?}"
        );
    }
    for e in errors {
        let shown = format!("{e} {e:?}");
        let chain = anyhow::Error::from(e).context("backup failed");
        assert_clean("error", &format!("{shown} {chain:#} {chain:?}"));
    }
    // Configuration from a [storage] table and from the Go state manager's JSON.
    let table: StorageConfig = toml::from_str(&format!(
        "url = \"s3://bkt/p\"\naccess_key_id = \"{ACCESS_KEY}\"\nsecret_access_key = \"{SECRET_KEY}\""
    ))
    .unwrap();
    assert_clean(
        "StorageConfig",
        &format!("{table:?} {:?}", table.resolve().unwrap()),
    );
    let go = GoStorageConfig::from_json(&format!(
        r#"{{"storage": {{"bucket": "bkt", "endpoint": "https://e.example", "access_key": "{ACCESS_KEY}", "secret_key": "{SECRET_KEY}"}}}}"#
    ))
    .unwrap();
    assert_clean(
        "GoStorageConfig",
        &format!("{go:?} {:?}", go.resolve().unwrap()),
    );
    let bad = GoStorageConfig::from_json(&format!(
        r#"{{"bucket": "bkt", "secret_key": "{SECRET_KEY}"}}"#
    ))
    .unwrap_err();
    assert_clean("Go config error", &bad.to_string());
    let url = Location::parse(&format!("s3://{ACCESS_KEY}:{SECRET_KEY}@bkt/p")).unwrap_err();
    assert_clean("URL error", &format!("{url} {url:?}"));

    drop(_guard);
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(!logged.is_empty(), "the client logged at TRACE");
    assert_clean("log", &logged);
}
