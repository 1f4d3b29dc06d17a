//! The record of running children (`STATE_DIR/children.json`: instance → pid and start time)
//! and the cleanup of what a supervisor that was killed (SIGKILL, OOM) left running: at the
//! next start, every process still in the session and process group of a recorded child is
//! killed before anything starts.
//!
//! A recorded group counts as ours only if the machine did not reboot since (`boot_id`) and
//! its processes started no earlier than the recorded child did (so a recycled pid from
//! before is left alone).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

/// One recorded child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    pid: i32,
    /// Start time in clock ticks since boot (`/proc/PID/stat` field 22).
    start_ticks: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    boot_id: String,
    children: BTreeMap<String, Record>,
}

/// The live record. Every change is written to the file (temp file + rename) by a writer
/// thread, at once but off the caller's path: a restart does not wait for two file writes
/// (changes that come while it writes are written together next).
#[derive(Debug)]
pub struct Children {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    path: Option<PathBuf>,
    file: Mutex<File>,
    /// Versions changed and written, and whether the writer should end.
    progress: Mutex<Progress>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct Progress {
    changed: u64,
    written: u64,
    closed: bool,
}

impl Children {
    /// A record kept in `path` (`None`: in memory only).
    pub fn new(path: Option<PathBuf>) -> Children {
        let shared = Arc::new(Shared {
            path,
            file: Mutex::new(File {
                boot_id: boot_id(),
                children: BTreeMap::new(),
            }),
            progress: Mutex::default(),
            wake: Condvar::new(),
        });
        if shared.path.is_some() {
            let s = shared.clone();
            let spawned = std::thread::Builder::new()
                .name("stmgr-children".into())
                .spawn(move || s.write_loop());
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "cannot start the writer of the children record");
            }
        }
        Children { shared }
    }

    /// Waits (up to 5 s) until every change so far is in the file.
    pub fn flush(&self) {
        let r = &self.shared;
        let mut p = r.progress.lock().unwrap_or_else(PoisonError::into_inner);
        let target = p.changed;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while r.path.is_some() && p.written < target {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return;
            }
            p = r
                .wake
                .wait_timeout(p, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// `instance` now runs as `pid`.
    pub fn started(&self, instance: &str, pid: i32) {
        let start_ticks = stat(pid).map_or(0, |s| s.start_ticks);
        self.update(|f| {
            f.children
                .insert(instance.to_owned(), Record { pid, start_ticks });
        });
    }

    /// `instance` no longer runs.
    pub fn ended(&self, instance: &str) {
        self.update(|f| {
            f.children.remove(instance);
        });
    }

    fn update(&self, change: impl FnOnce(&mut File)) {
        let r = &self.shared;
        change(&mut r.file.lock().unwrap_or_else(PoisonError::into_inner));
        r.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .changed += 1;
        r.wake.notify_all();
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.flush();
        self.shared
            .progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .closed = true;
        self.shared.wake.notify_all();
    }
}

impl Shared {
    /// Writes the record each time it changed, until closed.
    fn write_loop(&self) {
        let Some(path) = &self.path else { return };
        loop {
            let version = {
                let mut p = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
                while p.changed == p.written && !p.closed {
                    p = self.wake.wait(p).unwrap_or_else(PoisonError::into_inner);
                }
                if p.changed == p.written {
                    return;
                }
                p.changed
            };
            let bytes = {
                let f = self.file.lock().unwrap_or_else(PoisonError::into_inner);
                serde_json::to_vec(&*f)
            };
            if let Err(e) = bytes
                .map_err(std::io::Error::other)
                .and_then(|b| write(path, &b))
            {
                tracing::warn!(path = %path.display(), error = %e, "cannot record children");
            }
            self.progress
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .written = version;
            self.wake.notify_all();
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Kills (SIGKILL) every process left from the children recorded in `path` and removes the
/// file. Returns how many processes were killed.
pub fn clean_up(path: &Path) -> usize {
    let Ok(bytes) = std::fs::read(path) else {
        return 0;
    };
    let _ = std::fs::remove_file(path);
    let Ok(file) = serde_json::from_slice::<File>(&bytes) else {
        return 0;
    };
    if file.boot_id != boot_id() || file.children.is_empty() {
        return 0;
    }
    let mut killed = 0;
    for pid in all_pids() {
        let Some(s) = stat(pid) else { continue };
        let ours = file
            .children
            .values()
            .any(|r| s.pgrp == r.pid && s.session == r.pid && s.start_ticks >= r.start_ticks);
        if ours
            && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL)
                .is_ok()
        {
            killed += 1;
        }
    }
    killed
}

/// What the cleanup reads of `/proc/PID/stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// Parent pid.
    pub ppid: i32,
    /// Process group.
    pub pgrp: i32,
    /// Session.
    pub session: i32,
    /// Start time in clock ticks since boot.
    pub start_ticks: u64,
    /// Single-letter state (`Z` for a zombie).
    pub state: char,
}

/// `/proc/PID/stat` of a process, if it exists.
pub fn stat(pid: i32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(Stat {
        state: f.first()?.chars().next()?,
        ppid: f.get(1)?.parse().ok()?,
        pgrp: f.get(2)?.parse().ok()?,
        session: f.get(3)?.parse().ok()?,
        start_ticks: f.get(19)?.parse().ok()?,
    })
}

/// Every pid in `/proc`.
pub fn all_pids() -> Vec<i32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_stat_reads() {
        let me = std::process::id() as i32;
        let s = stat(me).unwrap();
        assert_eq!(s.pgrp, rustix::process::getpgrp().as_raw_nonzero().get());
        assert_eq!(s.ppid, std::os::unix::process::parent_id() as i32);
        assert!(s.start_ticks > 0);
        assert!(all_pids().contains(&me));
    }

    #[test]
    fn a_left_group_is_killed_and_the_file_removed() {
        use std::os::unix::process::CommandExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("children.json");
        let mut cmd = std::process::Command::new("sleep");
        cmd.arg("60");
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| rustix::process::setsid().map(|_| ()).map_err(Into::into));
        }
        let mut child = cmd.spawn().unwrap();
        let pid = child.id() as i32;
        let record = Children::new(Some(path.clone()));
        record.started("x", pid);
        record.flush();
        assert_eq!(clean_up(&path), 1);
        let status = child.wait().unwrap();
        assert!(!status.success());
        assert!(!path.exists());
        assert_eq!(clean_up(&path), 0);
    }
}
