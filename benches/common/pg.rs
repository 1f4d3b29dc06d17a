//! A throwaway PostgreSQL cluster on 127.0.0.1 for the tests and benchmarks: Debian's
//! binaries (`/usr/lib/postgresql/*/bin`), `initdb -A trust --no-sync` in a directory under
//! cargo's target tmpdir (owned by `postgres` when running as root, as the server refuses
//! root), `pg_ctl -w start` on a free port, `pg_ctl -m immediate stop` when dropped (or, for a
//! cluster kept in a static, by a watchdog when the process exits:
//! [`Pg::stop_when_this_process_exits`]). Missing PostgreSQL: `None` (skip), except under
//! `CI=true` where it panics.

#![allow(dead_code, reason = "each user takes what it needs")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where Debian keeps the server binaries.
fn pg_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A running cluster; stopped (`pg_ctl -m immediate stop`) and removed when dropped.
pub struct Pg {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Pg {
    /// Starts a cluster, or `None` (skip) when PostgreSQL is not installed and not under CI.
    pub fn start() -> Option<Pg> {
        let Some(bin) = pg_bin() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "PostgreSQL is missing and CI=true: .ci/run installs it (apt-get install postgresql)"
            );
            eprintln!("skipped: PostgreSQL is not installed (apt-get install postgresql)");
            return None;
        };
        let tmp = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("tmp");
        std::fs::create_dir_all(&tmp).expect("target/tmp");
        let dir = tempfile::Builder::new()
            .prefix("pg-")
            .tempdir_in(&tmp)
            .expect("pg tempdir");
        if is_root() {
            // The server refuses to run as root: the cluster belongs to `postgres`, and the
            // directories above it must let that user through.
            let mut p = dir.path().to_path_buf();
            while let Some(parent) = p.parent() {
                let _ = Command::new("chmod").arg("o+x").arg(parent).status();
                p = parent.to_path_buf();
                if p == Path::new("/") {
                    break;
                }
            }
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown")
                .success();
            assert!(ok, "chown postgres {}", dir.path().display());
        }
        let port = free_port();
        let data = dir.path().join("data");
        let pg = Pg { bin, dir, port };
        pg.tool(&[
            "initdb",
            "-D",
            data.to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ]);
        pg.pg_start();
        Some(pg)
    }

    /// Runs a PostgreSQL tool as the cluster's owner; panics when it fails.
    fn tool(&self, args: &[&str]) {
        let out = as_owner()
            .arg(self.bin.join(args[0]))
            .args(&args[1..])
            .stdin(Stdio::null())
            .output()
            .expect("run a PostgreSQL tool");
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Crashes the server (`pg_ctl -m immediate stop`: no shutdown checkpoint, every session
    /// cut) and starts it again on the same port (`pg_ctl -l logfile -w start`: crash
    /// recovery, then it accepts connections).
    pub fn crash_restart(&self) {
        let data = self.dir.path().join("data");
        let data_s = data.to_str().unwrap();
        self.tool(&["pg_ctl", "-D", data_s, "-m", "immediate", "-w", "stop"]);
        self.pg_start();
    }

    /// `pg_ctl -l logfile -w start` on the cluster's port, listening on 127.0.0.1 only.
    fn pg_start(&self) {
        let data = self.dir.path().join("data");
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.tool(&[
            "pg_ctl",
            "-D",
            data.to_str().unwrap(),
            "-o",
            &opts,
            "-l",
            log.to_str().unwrap(),
            "-w",
            "start",
        ]);
    }

    /// Ties the cluster's life to this process, for a cluster kept in a `static` (never
    /// dropped): a watchdog child (`sh`, ignoring SIGINT, SIGTERM and SIGHUP) reads its stdin
    /// until end of file, then stops the cluster (`pg_ctl -m immediate stop`) and removes its
    /// directory. Its stdin is the returned pipe: keep it open (in the static) and the end of
    /// this process, however it ends (even SIGKILL), closes it. The pipe is close-on-exec, so
    /// no other child holds it open.
    pub fn stop_when_this_process_exits(&self) -> std::process::ChildStdin {
        let data = self.dir.path().join("data");
        let mut stop = as_owner();
        stop.arg(self.bin.join("pg_ctl")).args([
            "-D",
            data.to_str().unwrap(),
            "-m",
            "immediate",
            "stop",
        ]);
        let stop: Vec<String> = std::iter::once(stop.get_program())
            .chain(stop.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        #[allow(
            clippy::zombie_processes,
            reason = "the watchdog outlives this process: there is nothing to wait for"
        )]
        let mut watchdog = Command::new("sh")
            .args([
                "-c",
                "trap '' INT TERM HUP; cat >/dev/null; dir=$1; shift; \"$@\"; rm -rf \"$dir\"",
                "stmgr-pg-watchdog",
            ])
            .arg(self.dir.path())
            .args(&stop)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the cluster's watchdog");
        watchdog.stdin.take().expect("the watchdog's stdin")
    }

    /// Ends the sessions whose `application_name` is `name` (`pg_terminate_backend`); how
    /// many.
    pub fn terminate(&self, name: &str) -> i64 {
        let row = self
            .client()
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE application_name = $1",
                &[&name],
            )
            .unwrap();
        row.get(0)
    }

    /// The sessions whose `application_name` is `name`.
    pub fn sessions(&self, name: &str) -> i64 {
        let row = self
            .client()
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
            .unwrap();
        row.get(0)
    }

    /// The URL of the `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A client session (for checks on the tables).
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).expect("connect to PostgreSQL")
    }

    /// `(count, min, max)` of `stmgr_log.commit_seq`.
    pub fn log_range(&self) -> (i64, i64, i64) {
        let row = self
            .client()
            .query_one(
                "SELECT count(*), coalesce(min(commit_seq), 0), coalesce(max(commit_seq), 0) FROM stmgr_log",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1), row.get(2))
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = as_owner()
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A command run as the cluster's owner: `postgres` when the tests run as root.
fn as_owner() -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]);
        c
    } else {
        Command::new("env")
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
