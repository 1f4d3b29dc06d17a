//! [`Reaper`]: the one place that starts and reaps child processes.
//!
//! Every child is started through [`Reaper::spawn`], which registers its pid before anything
//! can reap it; on `SIGCHLD` the reaper collects exit statuses with `waitpid(WNOHANG)` and hands
//! each to the task that waits for it. In *subreaper* mode (the `supervise` command, see
//! [`become_subreaper`]) it also reaps every other child: grandchildren whose parent died are
//! re-parented to the supervisor and would otherwise stay zombies. Without it (a library user
//! sharing the process with other code that waits for its own children) it waits only for the
//! pids it registered.

use std::collections::HashMap;
use std::io;
use std::process::Command;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustix::process::{Pid, WaitOptions, WaitStatus};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::oneshot;

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExitStatus {
    /// Its exit code, when it exited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// The signal that killed it, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
}

impl ExitStatus {
    fn from_wait(s: WaitStatus) -> ExitStatus {
        ExitStatus {
            code: s.exit_status(),
            signal: s.terminating_signal(),
        }
    }

    /// A shell's view of it: the code, or 128 + the signal.
    pub fn shell_code(&self) -> i32 {
        match (self.code, self.signal) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            (None, None) => 1,
        }
    }
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.code, self.signal) {
            (Some(c), _) => write!(f, "exit code {c}"),
            (None, Some(s)) => match nix::sys::signal::Signal::try_from(s) {
                Ok(sig) => write!(f, "killed by {}", sig.as_str()),
                Err(_) => write!(f, "killed by signal {s}"),
            },
            (None, None) => f.write_str("unknown status"),
        }
    }
}

/// Makes this process the child subreaper of its descendants (Linux `PR_SET_CHILD_SUBREAPER`):
/// orphaned grandchildren become its children instead of init's.
///
/// # Errors
/// The `prctl` error.
pub fn become_subreaper() -> io::Result<()> {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid())).map_err(io::Error::from)
}

/// Starts children and collects their exit statuses. Cheap to clone.
#[derive(Clone)]
pub struct Reaper {
    /// Pids registered by `spawn`, each with the sender its waiter listens on. Held across
    /// `spawn` and across each `waitpid` sweep so a child cannot be reaped before it is known.
    waiting: Arc<Mutex<HashMap<i32, oneshot::Sender<ExitStatus>>>>,
    reap_all: bool,
}

impl Reaper {
    /// Starts the reaper task on the current tokio runtime. `reap_all`: also reap children
    /// that were not started here (subreaper mode). There is one such reaper per process
    /// (a second would take the first one's exit statuses): later calls return it, so its
    /// runtime must outlive every supervisor of the process.
    ///
    /// # Errors
    /// When the `SIGCHLD` handler cannot be installed.
    pub fn start(reap_all: bool) -> io::Result<Reaper> {
        static GLOBAL: Mutex<Option<Reaper>> = Mutex::new(None);
        if !reap_all {
            return Reaper::spawn_task(false);
        }
        let mut global = GLOBAL.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(r) = &*global {
            return Ok(r.clone());
        }
        let r = Reaper::spawn_task(true)?;
        *global = Some(r.clone());
        Ok(r)
    }

    fn spawn_task(reap_all: bool) -> io::Result<Reaper> {
        let mut sigchld = signal(SignalKind::child())?;
        let reaper = Reaper {
            waiting: Arc::default(),
            reap_all,
        };
        let r = reaper.clone();
        tokio::spawn(async move {
            // The tick is a safety net only: SIGCHLD wakes the sweep in the normal case.
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    s = sigchld.recv() => if s.is_none() { break },
                    _ = tick.tick() => {}
                }
                r.sweep();
            }
        });
        Ok(reaper)
    }

    /// Spawns `cmd` and returns its pid and a receiver of its exit status.
    ///
    /// # Errors
    /// The spawn error (program not found, not executable, bad directory, …).
    pub fn spawn(&self, cmd: &mut Command) -> io::Result<(i32, oneshot::Receiver<ExitStatus>)> {
        self.spawn_with(|| {
            let child = cmd.spawn()?;
            // `std::process::Child` neither waits nor kills on drop: the sweep owns the status.
            i32::try_from(child.id()).map_err(io::Error::other)
        })
    }

    /// Starts a child with `start` (which returns its pid) and returns its pid and a receiver
    /// of its exit status.
    ///
    /// # Errors
    /// The error of `start`.
    pub fn spawn_with(
        &self,
        start: impl FnOnce() -> io::Result<i32>,
    ) -> io::Result<(i32, oneshot::Receiver<ExitStatus>)> {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let pid = start()?;
        let (tx, rx) = oneshot::channel();
        waiting.insert(pid, tx);
        Ok((pid, rx))
    }

    /// Collects every exit status that is ready.
    fn sweep(&self) {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        if self.reap_all {
            while let Ok(Some((pid, status))) = rustix::process::wait(WaitOptions::NOHANG) {
                if let Some(tx) = waiting.remove(&pid.as_raw_nonzero().get()) {
                    let _ = tx.send(ExitStatus::from_wait(status));
                }
            }
        } else {
            let pids: Vec<i32> = waiting.keys().copied().collect();
            for raw in pids {
                let Some(pid) = Pid::from_raw(raw) else {
                    continue;
                };
                match rustix::process::waitpid(Some(pid), WaitOptions::NOHANG) {
                    Ok(Some((_, status))) => {
                        if let Some(tx) = waiting.remove(&raw) {
                            let _ = tx.send(ExitStatus::from_wait(status));
                        }
                    }
                    Ok(None) => {}
                    Err(_) => {
                        // Not our child any more (reaped elsewhere): nobody can report it.
                        waiting.remove(&raw);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn exit_codes_and_signals_reach_the_waiter() {
        let reaper = Reaper::start(false).unwrap();
        let (_, rx) = reaper
            .spawn(Command::new("sh").args(["-c", "exit 7"]))
            .unwrap();
        let status = rx.await.unwrap();
        assert_eq!(status.code, Some(7));
        assert_eq!(status.shell_code(), 7);
        let (pid, rx) = reaper.spawn(Command::new("sleep").arg("30")).unwrap();
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL).unwrap();
        let status = rx.await.unwrap();
        assert_eq!(status.signal, Some(9));
        assert_eq!(status.to_string(), "killed by SIGKILL");
    }
}
