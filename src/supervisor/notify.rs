//! The `NOTIFY_SOCKET` of an instance (systemd's `Type=notify` protocol): a datagram socket
//! the child finds in its environment; a `READY=1` line in a datagram makes it ready.

use std::path::{Path, PathBuf};

use tokio::net::UnixDatagram;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::probe::ProbeEvent;

/// A bound notify socket and the task reading it; the socket file goes with it.
pub struct NotifySocket {
    path: PathBuf,
    task: JoinHandle<()>,
}

impl NotifySocket {
    /// Binds `path` (replacing a stale file) and reports `READY=1` as run `run`'s readiness.
    ///
    /// # Errors
    /// When the socket cannot be bound.
    pub fn bind(
        path: &Path,
        run: u64,
        events: mpsc::Sender<ProbeEvent>,
    ) -> std::io::Result<NotifySocket> {
        let _ = std::fs::remove_file(path);
        let socket = UnixDatagram::bind(path)?;
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok(n) = socket.recv(&mut buf).await {
                let text = String::from_utf8_lossy(&buf[..n]);
                if text.lines().any(|l| l.trim() == "READY=1") {
                    let _ = events.send(ProbeEvent::Ready(run)).await;
                }
            }
        });
        Ok(NotifySocket {
            path: path.to_owned(),
            task,
        })
    }

    /// The path to put in `NOTIFY_SOCKET`.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for NotifySocket {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}
