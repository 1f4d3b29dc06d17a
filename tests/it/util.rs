//! Test harness: the real `stmgr` binary in an isolated environment, a tempdir per test and a
//! poll-with-deadline helper (tests never sleep for a fixed time).
//!
//! Isolation: the environment is cleared, then only `PATH` is passed through, and `HOME`,
//! `XDG_CONFIG_HOME`, `XDG_DATA_HOME`, `XDG_CACHE_HOME` and `XDG_STATE_HOME` point inside the
//! test's own directory. No `STMGR_*` variable of the developer leaks in.

#![allow(
    dead_code,
    reason = "helpers are shared by test modules added over time"
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// Path of the binary under test.
pub fn stmgr_path() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_stmgr"))
}

/// The real binary with a cleared environment (only `PATH`), run from a scratch directory
/// under cargo's target tmpdir. For tests that never read or write user files (`--help`,
/// parse errors); anything else uses [`TestDir::stmgr`].
pub fn stmgr() -> Command {
    Command::from_std(std_stmgr())
}

/// [`stmgr`] as a `std::process::Command` (for custom stdio, spawning, killing).
pub fn std_stmgr() -> std::process::Command {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("stmgr-it-no-home");
    let mut cmd = std::process::Command::new(stmgr_path());
    cmd.env_clear().current_dir(env!("CARGO_TARGET_TMPDIR"));
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    // Point the user directories somewhere that is never created, not at the real home.
    isolate(&mut cmd, &scratch);
    cmd
}

/// Points `HOME` and the XDG directories inside `root`.
fn isolate(cmd: &mut std::process::Command, root: &Path) {
    cmd.env("HOME", root.join("home"))
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("XDG_DATA_HOME", root.join("data"))
        .env("XDG_CACHE_HOME", root.join("cache"))
        .env("XDG_STATE_HOME", root.join("state"));
}

/// A temporary directory owned by one test, holding its home, config and data directories.
/// Removed when dropped (kept if the test panics only as long as the process lives).
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    /// A fresh directory with `home/`, `config/` and `data/` inside.
    pub fn new() -> TestDir {
        let dir = tempfile::Builder::new()
            .prefix("stmgr-it-")
            .tempdir()
            .expect("create test tempdir");
        for sub in ["home", "config", "data"] {
            std::fs::create_dir(dir.path().join(sub)).expect("create test subdirectory");
        }
        TestDir { dir }
    }

    /// The root of the test directory (also the working directory of [`TestDir::stmgr`]).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `$XDG_CONFIG_HOME/stmgr/config.toml` as seen by [`TestDir::stmgr`].
    pub fn default_config_file(&self) -> PathBuf {
        self.path().join("config").join("stmgr").join("config.toml")
    }

    /// `$XDG_DATA_HOME/stmgr`: the default data directory seen by [`TestDir::stmgr`].
    pub fn default_data_dir(&self) -> PathBuf {
        self.path().join("data").join("stmgr")
    }

    /// Writes `contents` to `relative` (parents created) and returns the full path.
    pub fn write(&self, relative: impl AsRef<Path>, contents: &str) -> PathBuf {
        let path = self.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        std::fs::write(&path, contents).expect("write test file");
        path
    }

    /// The binary with the isolated environment rooted in this directory.
    pub fn stmgr(&self) -> Command {
        Command::from_std(self.std_command())
    }

    /// [`TestDir::stmgr`] as a `std::process::Command` (for custom stdio, spawning, killing).
    pub fn std_command(&self) -> std::process::Command {
        let mut cmd = std_stmgr();
        cmd.current_dir(self.path());
        isolate(&mut cmd, self.path());
        cmd
    }
}

/// Polls `f` until it returns true; panics naming `what` after `deadline`. The pause between
/// polls grows from 5 ms to 100 ms.
pub fn wait_until(deadline: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        if f() {
            return;
        }
        let elapsed = start.elapsed();
        if elapsed >= deadline {
            panic!("timed out after {elapsed:?} waiting for {what}");
        }
        std::thread::sleep(pause.min(deadline - elapsed));
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// Lines of `bytes` (stdout or stderr) that start with `prefix`.
pub fn lines_starting_with<'a>(bytes: &'a [u8], prefix: &str) -> Vec<&'a str> {
    std::str::from_utf8(bytes)
        .expect("output is UTF-8")
        .lines()
        .filter(|line| line.starts_with(prefix))
        .collect()
}

#[test]
fn wait_until_returns_as_soon_as_the_condition_holds() {
    let mut calls = 0;
    wait_until(Duration::from_secs(5), "the third call", || {
        calls += 1;
        calls == 3
    });
    assert_eq!(calls, 3);
}

#[test]
#[should_panic(expected = "timed out")]
fn wait_until_panics_at_the_deadline() {
    wait_until(Duration::from_millis(20), "never", || false);
}
