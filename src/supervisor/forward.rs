//! Signal forwarding (`forward_signals`): catches, in this process, every signal some process
//! of the configuration wants passed on, and sends each one received to the process groups of
//! the running instances of those processes.
//!
//! A signal is caught only once a configuration asks for it, and stays caught until the
//! forwarder is dropped (a reload that drops it leaves it caught and forwarded to nobody);
//! until then it keeps its default action. Used by the `supervise` command; a library user
//! sharing the process with other code leaves it out.

use std::collections::BTreeMap;

use nix::sys::signal::Signal;
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinHandle;

use super::Supervisor;

/// Forwards signals until dropped.
pub struct Forwarder {
    watcher: JoinHandle<()>,
}

impl Forwarder {
    /// Catches the signals the current configuration forwards before it returns, then those
    /// later configurations add (`POST /config`, reloads). Needs a tokio runtime.
    pub fn start(sup: &Supervisor) -> Forwarder {
        let mut caught = Caught(BTreeMap::new());
        caught.add_new(sup);
        let mut changes = sup.config_changes();
        let sup = sup.clone();
        let watcher = tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                caught.add_new(&sup);
            }
        });
        Forwarder { watcher }
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}

/// The signals caught, each with the task that forwards it (aborted on drop).
struct Caught(BTreeMap<Signal, JoinHandle<()>>);

impl Caught {
    fn add_new(&mut self, sup: &Supervisor) {
        let wanted = sup
            .config()
            .map(|c| c.forwarded_signals())
            .unwrap_or_default();
        for sig in wanted {
            if self.0.contains_key(&sig) {
                continue;
            }
            let mut stream = match signal(SignalKind::from_raw(sig as i32)) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(signal = sig.as_str(), error = %e, "cannot catch a signal to forward");
                    continue;
                }
            };
            let sup = sup.clone();
            let task = tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    let groups = sup.forward_signal(sig).await;
                    tracing::debug!(signal = sig.as_str(), groups, "signal forwarded");
                }
            });
            self.0.insert(sig, task);
        }
    }
}

impl Drop for Caught {
    fn drop(&mut self) {
        for t in self.0.values() {
            t.abort();
        }
    }
}
