//! Scripts and pipes: results on stdout in every format (`rm`, `checkpoint prune`), `-o` and
//! `--no-headers`, a closed stdout as success for every command that prints, Ctrl-C, and
//! `--timeout`.

mod closed_stdout;
mod interrupt;
mod results;
mod tables;
mod timeout;

use std::process::{Child, Command, Output};
use std::time::Duration;

use crate::server_cli::{ServerProc, reqwest::blocking_get};
use crate::util::{TestDir, wait_until};

/// Runs `stmgr --server URL ARGS...` to completion.
fn run(t: &TestDir, srv: &ServerProc, args: &[&str]) -> Output {
    t.stmgr()
        .args(["--server", &srv.url])
        .args(args)
        .output()
        .expect("run stmgr")
}

/// The `watch_clients` gauge of the server's `/metrics`: its open watch streams.
fn watch_clients(srv: &ServerProc) -> u64 {
    let (_, text) = blocking_get(&format!("{}/metrics", srv.url));
    text.lines()
        .find_map(|l| l.strip_prefix("watch_clients "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no watch_clients in\n{text}"))
}

/// Stdout and stderr as text.
fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A spawned process, killed if the test ends (or fails) before it exits.
struct Reaped {
    child: Option<Child>,
}

impl Reaped {
    fn spawn(cmd: &mut Command) -> Reaped {
        Reaped {
            child: Some(cmd.spawn().expect("spawn stmgr")),
        }
    }

    fn child(&mut self) -> &mut Child {
        self.child.as_mut().expect("not waited for yet")
    }

    /// Waits at most `deadline` for the process to exit (else the test fails, naming
    /// `what`); its status and output.
    fn wait_within(mut self, deadline: Duration, what: &str) -> Output {
        wait_until(deadline, what, || {
            self.child().try_wait().expect("try_wait").is_some()
        });
        let child = self.child.take().expect("not waited for yet");
        child.wait_with_output().expect("output of stmgr")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
