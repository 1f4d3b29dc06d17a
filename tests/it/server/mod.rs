//! The v1 API and admin routes against an in-process server on port 0, each test run over
//! both storage backends (the conformance suite of issue 21): `NAME::embedded` on the embedded
//! engine and `NAME::postgres` on PostgreSQL (`Engine::open_postgres` on a database of its own
//! in the test process's shared cluster, see `postgres::harness::database`). On PostgreSQL a
//! "restart" is a new server, with a data directory of its own, on the same database.
//!
//! The same macro runs `compat_bodies`, `compat_metrics`, the in-process `auth_server` tests
//! and the v0 tests of `workflows` over both backends. Parts of a test that hold only on the
//! embedded engine are under `if backend == Backend::Embedded`, each saying why (WAL files
//! and segments, snapshot files, the offline dump of a data directory).
//!
//! Left on one backend (the embedded engine), and why:
//! - `auth_server::without_keys_…` and `auth_server::rotation_…`: the binary's listen and key
//!   settings, not storage (the token rules run on both backends in the in-process tests).
//! - `workflows::the_exospherehost_sdk_…` and `sdk_agentstate`: the SDK scripts run on
//!   PostgreSQL in `sdk_shared`, against two servers on one database.

use std::time::Duration;

use serde_json::Value;
use stmgr::client::{Client, ClientError};
use stmgr::server::{self, ServeOptions};
use stmgr::store::pg::PgOptions;
use stmgr::store::{Engine, EngineOptions};
use tokio::sync::oneshot;

mod admin;
mod leases;
mod objects;
mod watch;

/// The storage a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded engine on a data directory.
    Embedded,
    /// PostgreSQL: a fresh database in the process's shared cluster.
    Postgres,
}

/// Runs each `async fn NAME(backend: Backend)` as two tests, `NAME::embedded` and
/// `NAME::postgres`: a failure names its backend in the test's name.
/// `both_backends!(sync: NAME, …)` does the same for `fn NAME(backend: Backend)`.
macro_rules! both_backends {
    (sync: $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[test]
            fn embedded() {
                super::$name($crate::server::Backend::Embedded)
            }

            #[test]
            fn postgres() {
                super::$name($crate::server::Backend::Postgres)
            }
        }
    )+};
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$name($crate::server::Backend::Embedded).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::server::Backend::Postgres).await
            }
        }
    )+};
}
pub(crate) use both_backends;

/// One deployment's state: a data directory, and on PostgreSQL a database of its own.
/// Servers started one after another from it see the same state (a restart).
pub struct Deployment {
    pub backend: Backend,
    dir: tempfile::TempDir,
    db: Option<crate::postgres::harness::Database>,
    /// `stmgr_*` parameters added to the database URL.
    pg_params: String,
}

impl Deployment {
    /// A new, empty deployment; `None` (skip) when PostgreSQL is missing outside CI.
    pub fn new(backend: Backend) -> Option<Deployment> {
        let db = match backend {
            Backend::Embedded => None,
            Backend::Postgres => Some(crate::postgres::harness::database()?),
        };
        Some(Deployment {
            backend,
            dir: tempfile::tempdir().unwrap(),
            db,
            pg_params: String::new(),
        })
    }

    /// With `params` (`stmgr_log_keep=0&…`) on the database URL; no effect on the embedded
    /// engine.
    pub fn with_pg_params(self, params: &str) -> Deployment {
        Deployment {
            pg_params: params.to_owned(),
            ..self
        }
    }

    /// The data directory of the embedded engine.
    pub fn dir(&self) -> &std::path::Path {
        assert_eq!(self.backend, Backend::Embedded, "only the embedded engine");
        self.dir.path()
    }

    /// A server on this deployment's state with `opts`.
    pub async fn start(&self, opts: EngineOptions) -> TestServer {
        self.start_with(opts, ServeOptions::default()).await
    }

    /// As [`Deployment::start`], behind `guard`.
    pub async fn start_guarded(&self, guard: stmgr::api::guard::Guard) -> TestServer {
        let serve_opts = ServeOptions {
            guard,
            ..ServeOptions::default()
        };
        self.start_with(crate::engine::options(), serve_opts).await
    }

    /// As [`Deployment::start`], with server options.
    pub async fn start_with(&self, opts: EngineOptions, serve_opts: ServeOptions) -> TestServer {
        match &self.db {
            None => TestServer::start_with(self.dir.path(), opts, serve_opts).await,
            Some(db) => {
                // A new server: a data directory of its own, the state all in the database.
                let dir = tempfile::tempdir().unwrap();
                let url = match self.pg_params.as_str() {
                    "" => db.url.clone(),
                    params => format!("{}?{params}", db.url),
                };
                let engine = tokio::task::spawn_blocking({
                    let dir = dir.path().to_path_buf();
                    move || Engine::open_postgres(&dir, PgOptions::new(&url), opts, "test server")
                })
                .await
                .unwrap()
                .unwrap();
                let mut srv = TestServer::serve(engine, serve_opts).await;
                srv._dir = Some(dir);
                srv
            }
        }
    }
}

/// A server running in this process until dropped (or `stop`ped).
pub struct TestServer {
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// The data directory of a server on PostgreSQL.
    _dir: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start(dir: &std::path::Path, opts: EngineOptions) -> TestServer {
        TestServer::start_with(dir, opts, ServeOptions::default()).await
    }

    /// As [`TestServer::start`] with the test engine options, behind `guard`.
    pub async fn start_guarded(
        dir: &std::path::Path,
        guard: stmgr::api::guard::Guard,
    ) -> TestServer {
        let serve_opts = ServeOptions {
            guard,
            ..ServeOptions::default()
        };
        TestServer::start_with(dir, crate::engine::options(), serve_opts).await
    }

    /// As [`TestServer::start`], with server options (heartbeat and drain are set for tests).
    pub async fn start_with(
        dir: &std::path::Path,
        opts: EngineOptions,
        serve_opts: ServeOptions,
    ) -> TestServer {
        let engine = tokio::task::spawn_blocking({
            let dir = dir.to_path_buf();
            move || Engine::open(&dir, opts, "test server")
        })
        .await
        .unwrap()
        .unwrap();
        TestServer::serve(engine, serve_opts).await
    }

    /// Serves `engine` on a free port (heartbeat and drain are set for tests).
    async fn serve(engine: Engine, serve_opts: ServeOptions) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel();
        let serve_opts = ServeOptions {
            heartbeat: Duration::from_millis(200),
            drain_timeout: Duration::from_secs(5),
            ..serve_opts
        };
        let task = tokio::spawn(server::serve(listener, engine, serve_opts, async move {
            let _ = rx.await;
        }));
        TestServer {
            url,
            stop: Some(tx),
            task: Some(task),
            _dir: None,
        }
    }

    /// The text of `/metrics`.
    pub async fn metrics(&self) -> String {
        stmgr::client::install_crypto_provider();
        let resp = reqwest::get(format!("{}/metrics", self.url)).await.unwrap();
        resp.text().await.unwrap()
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url).unwrap()
    }

    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
    }
}

async fn raw(
    method: &str,
    url: &str,
    body: Option<&str>,
    content_type: Option<&str>,
) -> (u16, Value) {
    stmgr::client::install_crypto_provider();
    let c = reqwest::Client::new();
    let mut req = c.request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Sends only the head of a `POST path` announcing a JSON body of `len` bytes, then reads the
/// answer (the connection is closed after it).
async fn head_only_post(url: &str, path: &str, len: usize) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = sock.read_to_end(&mut answer);
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the server answers without waiting for the body")
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (
        status,
        serde_json::from_str(body.trim()).unwrap_or(Value::Null),
    )
}

fn status_of(e: ClientError) -> (u16, String) {
    match e {
        ClientError::Api { status, code, .. } => (status, code),
        other => panic!("expected an API error, got {other}"),
    }
}
