//! `stmgr supervise`: the real binary supervising real shell-script children. A [`Sup`] is a
//! running `supervise run` in its own test directory; it is stopped by SIGTERM when dropped,
//! so it stops its children in turn.

mod control;
mod events;
mod features;
mod leaks;
mod lifecycle;
mod order;
mod probes;
mod protect;
mod protect_lease;
mod signals;

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::util::{TestDir, wait_until};

/// A running supervisor.
pub struct Sup {
    pub t: TestDir,
    pub child: Option<Child>,
    pub socket: PathBuf,
    pub state: PathBuf,
}

impl Sup {
    /// `supervise run --config procs.toml` with `procs` as the file.
    pub fn start(procs: &str) -> Sup {
        let t = TestDir::new();
        let file = t.write("procs.toml", procs);
        Sup::start_in(t, &["--config".into(), file.display().to_string()])
    }

    /// `supervise run` with `args` in `t`; waits for its socket.
    pub fn start_in(t: TestDir, args: &[String]) -> Sup {
        Sup::start_env(t, args, &[])
    }

    /// [`Sup::start_in`] with environment variables.
    pub fn start_env(t: TestDir, args: &[String], env: &[(&str, &str)]) -> Sup {
        let state = t.path().join("st");
        let socket = t.path().join("control.sock");
        let mut sup = Sup {
            child: None,
            socket,
            state,
            t,
        };
        sup.spawn_env(args, env);
        sup
    }

    /// Starts (again) the supervisor process.
    pub fn spawn(&mut self, args: &[String]) {
        self.spawn_env(args, &[]);
    }

    /// [`Sup::spawn`] with environment variables.
    pub fn spawn_env(&mut self, args: &[String], env: &[(&str, &str)]) {
        let _ = std::fs::remove_file(&self.socket);
        let child = self
            .t
            .std_command()
            .envs(env.iter().copied())
            .args(["supervise", "run", "--state-dir"])
            .arg(&self.state)
            .arg("--socket")
            .arg(&self.socket)
            .args(args)
            .stdout(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.stdout_path())
                    .expect("the supervisor's stdout file"),
            )
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn supervise run");
        self.child = Some(child);
        let socket = self.socket.clone();
        wait_until(Duration::from_secs(20), "the control socket", || {
            std::os::unix::net::UnixStream::connect(&socket).is_ok()
        });
    }

    /// Where the supervisor's stdout goes.
    pub fn stdout_path(&self) -> PathBuf {
        self.t.path().join("supervisor.out")
    }

    /// What the supervisor printed on stdout so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.stdout_path()).unwrap_or_default()
    }

    /// The lines of `stmgr supervise logs NAME` (each `TIME STREAM TEXT`).
    pub fn logs(&self, name: &str) -> Vec<String> {
        let out = self.cli(&["logs", name]);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The texts of the log lines of `name` (without time and stream).
    pub fn log_texts(&self, name: &str) -> Vec<String> {
        self.logs(name)
            .iter()
            .map(|l| l.splitn(3, ' ').nth(2).unwrap_or("").to_owned())
            .collect()
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().expect("running").id() as i32
    }

    /// `stmgr supervise ARGS --socket S`.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        self.t
            .std_command()
            .args(["supervise"])
            .args(args)
            .arg("--socket")
            .arg(&self.socket)
            .output()
            .expect("run stmgr supervise")
    }

    /// `stmgr supervise ARGS --socket S` running in the background, its stdout read line by
    /// line.
    pub fn cli_spawn(&self, args: &[&str]) -> Lines {
        let mut child = self
            .t
            .std_command()
            .args(["supervise"])
            .args(args)
            .arg("--socket")
            .arg(&self.socket)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn stmgr supervise");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Lines {
            child,
            rx,
            seen: Vec::new(),
        }
    }

    /// Every instance, from `supervise status -o json`.
    pub fn status(&self) -> Vec<Value> {
        let out = self.cli(&["status", "-o", "json"]);
        assert!(out.status.success(), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).expect("status JSON");
        v["processes"].as_array().expect("processes").clone()
    }

    /// One instance.
    pub fn one(&self, name: &str) -> Value {
        self.status()
            .into_iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no instance {name}"))
    }

    /// Waits until `name` satisfies `f`.
    pub fn wait_for(&self, name: &str, what: &str, f: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        wait_until(Duration::from_secs(30), &format!("{name}: {what}"), || {
            last = self.one(name);
            f(&last)
        });
        last
    }

    /// Waits until `name` is in `state`.
    pub fn wait_state(&self, name: &str, state: &str) -> Value {
        self.wait_for(name, state, |p| p["state"] == state)
    }

    /// A raw HTTP/1.0 request on the Unix socket: (status, body).
    pub fn http(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let mut s = std::os::unix::net::UnixStream::connect(&self.socket).expect("connect");
        let body = body.unwrap_or("");
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write request");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read answer");
        parse_http(&answer)
    }

    /// SIGTERM, then the exit status.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        signal(child.id() as i32, nix::sys::signal::SIGTERM);
        let mut status = None;
        wait_until(Duration::from_secs(30), "the supervisor to exit", || {
            status = child.try_wait().expect("try_wait");
            status.is_some()
        });
        status.expect("exited")
    }
}

impl Drop for Sup {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id() as i32, nix::sys::signal::SIGTERM);
            let _ = child.wait();
        }
    }
}

/// The output of a background command, line by line.
pub struct Lines {
    child: Child,
    rx: std::sync::mpsc::Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
}

impl Lines {
    /// Reads lines until one satisfies `f` (30 s at most) and returns it.
    pub fn wait_line(&mut self, f: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if f(&line) {
                        return line;
                    }
                }
                Err(e) => panic!("no matching line ({e}); seen: {:#?}", self.seen),
            }
        }
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (status, body) of an HTTP/1.x answer.
pub fn parse_http(answer: &str) -> (u16, String) {
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

pub fn signal(pid: i32, sig: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig);
}

/// Live (not zombie) processes in process group `pgid`.
pub fn live_in_group(pgid: i32) -> Vec<i32> {
    stmgr::supervisor::leftovers::all_pids()
        .into_iter()
        .filter(|&p| {
            stmgr::supervisor::leftovers::stat(p).is_some_and(|s| s.pgrp == pgid && s.state != 'Z')
        })
        .collect()
}

/// Children of `pid`, with their state letter.
pub fn children_of(pid: i32) -> Vec<(i32, char)> {
    stmgr::supervisor::leftovers::all_pids()
        .into_iter()
        .filter_map(|p| {
            let s = stmgr::supervisor::leftovers::stat(p)?;
            (s.ppid == pid).then_some((p, s.state))
        })
        .collect()
}

/// The pid of a running instance.
pub fn pid_of(p: &Value) -> i32 {
    p["pid"].as_i64().unwrap_or_else(|| panic!("no pid: {p}")) as i32
}
