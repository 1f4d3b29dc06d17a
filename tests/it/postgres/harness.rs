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
