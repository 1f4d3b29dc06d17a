//! A throwaway PostgreSQL 15 on 127.0.0.1 (Debian's binaries: `initdb -A trust --no-sync` in
//! a directory under cargo's target tmpdir, owned by `postgres` when the tests run as root),
//! and `stmgr server start --backend` child processes on it. A missing PostgreSQL skips the
//! test, except under `CI=true` where it fails (`.ci/run` installs it).

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::util::{TestDir, wait_until};

#[path = "../../../benches/common/pg.rs"]
mod cluster;

pub use cluster::Pg;

/// `stmgr server start --backend URL` as a child process with a data directory of its own.
pub struct Server {
    child: Child,
    pub url: String,
    /// Every line the server wrote on stderr so far.
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _dir: TestDir,
}

impl Server {
    pub fn start(pg: &Pg) -> Server {
        Server::start_env(pg, &[])
    }

    /// As [`Server::start`], with these environment variables set.
    pub fn start_env(pg: &Pg, env: &[(&str, String)]) -> Server {
        Server::start_url(&pg.url(), env)
    }

    /// A server on the database at `url` (TLS settings and all), with `env` set.
    pub fn start_url(url: &str, env: &[(&str, String)]) -> Server {
        Server::spawn(url, &[], env)
    }

    fn spawn(url: &str, args: &[&str], env: &[(&str, String)]) -> Server {
        stmgr::client::install_crypto_provider();
        let dir = TestDir::new();
        let mut child = dir
            .std_command()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args([
                "server",
                "start",
                "--listen",
                "127.0.0.1:0",
                "--backend",
                url,
            ])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn stmgr server start");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = lines.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line.clone());
                if !sent && let Some(i) = line.find("listening on ") {
                    let _ = tx.send(line[i + "listening on ".len()..].trim().to_owned());
                    sent = true;
                }
                if std::env::var_os("STMGR_TEST_SERVER_LOG").is_some() {
                    eprintln!("[server] {line}");
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server announces its address");
        let s = Server {
            child,
            url,
            lines,
            _dir: dir,
        };
        wait_until(
            Duration::from_secs(20),
            "the server answers /health",
            || {
                reqwest::blocking::get(format!("{}/health", s.url))
                    .is_ok_and(|r| r.status().is_success())
            },
        );
        s
    }

    pub fn client(&self) -> stmgr::client::Client {
        stmgr::client::Client::new(&self.url).unwrap()
    }

    /// How many of the server's stderr lines so far contain `text`.
    pub fn logged(&self, text: &str) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(text))
            .count()
    }

    /// The server's own data directory (its local snapshot copies are under `snapshots/`).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.default_data_dir()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, and reap.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The cluster every test of this process shares ([`database`]): started on first use, and
/// stopped and removed by its watchdog when the process exits (statics are never dropped).
/// `None` when PostgreSQL is missing outside CI (under `CI=true` [`Pg::start`] panics, and
/// each test asking for it fails).
struct Shared {
    pg: Pg,
    _watchdog: std::process::ChildStdin,
    next: std::sync::atomic::AtomicU64,
}

static SHARED: std::sync::OnceLock<Option<Shared>> = std::sync::OnceLock::new();

/// A database of its own in the shared cluster, for one test; dropped with it
/// (`DROP DATABASE … WITH (FORCE)`, ending the sessions still on it).
pub struct Database {
    /// `postgres://…/NAME`, for `Engine::open_postgres` or `--backend`.
    pub url: String,
    name: String,
    admin_url: String,
}

/// A fresh database in the process's shared cluster (~50 ms, against 1–2 s for a cluster of
/// its own), or `None` (skip) when PostgreSQL is missing and not under CI.
pub fn database() -> Option<Database> {
    let shared = SHARED.get_or_init(|| {
        Pg::start().map(|pg| Shared {
            _watchdog: pg.stop_when_this_process_exits(),
            pg,
            next: Default::default(),
        })
    });
    let shared = shared.as_ref()?;
    let n = shared
        .next
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("t{}_{n}", std::process::id());
    let admin_url = shared.pg.url();
    // The synchronous driver runs its own runtime: keep it off the caller's (a tokio test).
    admin(&admin_url, &format!("CREATE DATABASE {name}"));
    Some(Database {
        url: format!("postgres://postgres@127.0.0.1:{}/{name}", shared.pg.port),
        name,
        admin_url,
    })
}

/// Runs `sql` on the cluster's `postgres` database from a thread of its own.
fn admin(url: &str, sql: &str) {
    std::thread::scope(|s| {
        s.spawn(|| {
            postgres::Client::connect(url, postgres::NoTls)
                .and_then(|mut c| c.batch_execute(sql))
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        })
        .join()
        .unwrap()
    });
}

impl Drop for Database {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return; // keep it for a look; the cluster goes with the process
        }
        admin(
            &self.admin_url,
            &format!("DROP DATABASE {} WITH (FORCE)", self.name),
        );
    }
}

impl Server {
    /// A server on the database at `url` with more `server start` arguments and `env` set.
    pub fn start_url_args(url: &str, args: &[&str], env: &[(&str, String)]) -> Server {
        Server::spawn(url, args, env)
    }
}
