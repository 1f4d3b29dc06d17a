//! The manager's side of the replicas' control sockets: where they are, the check that their
//! paths fit a Unix socket, a request to a replica over its link ([`crate::flow::link`]), and
//! the cleanup of a removed flow's sockets.

use super::FlowManager;
use crate::flow::FlowError;
use crate::flow::manifest::Manifest;
use crate::flow::wire::{SendInput, SendOut};

/// How long a command sent to a replica's control socket may take.
pub const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The longest wait for a reply a request may ask for (`timeout_ms`).
pub const MAX_SEND_TIMEOUT_MS: u64 = 60_000;

impl FlowManager {
    /// Refuses a manifest whose replicas' socket paths would be too long for a Unix socket.
    pub(super) fn check_socket_paths(&self, manifest: &Manifest) -> Result<(), FlowError> {
        for (replica, _, _) in manifest.replica_names() {
            let path = crate::flow::manifest::socket_path(
                &self.inner.options.socket_dir,
                &manifest.name,
                &replica,
            );
            let len = path.as_os_str().len();
            if len > crate::flow::socket::MAX_SOCKET_PATH {
                return Err(FlowError::Invalid(format!(
                    "the control socket of replica {replica}, {}, is {len} bytes long (at most \
                     {}): use a shorter flow or worker name, or a shorter SOCKET_DIR",
                    path.display(),
                    crate::flow::socket::MAX_SOCKET_PATH
                )));
            }
        }
        Ok(())
    }

    /// Sends `command` to a replica over its control socket's link and returns its reply.
    /// `replica` defaults to the flow's only replica, else its first running one.
    ///
    /// `timeout_ms` bounds the wait for the reply ([`SEND_TIMEOUT`] without it).
    ///
    /// # Errors
    /// [`FlowError::NotFound`], [`FlowError::Invalid`] for an unknown replica, none running or
    /// a timeout out of 1..=60,000 ms, [`FlowError::Socket`] when the worker does not answer.
    pub async fn send(&self, name: &str, input: SendInput) -> Result<SendOut, FlowError> {
        let SendInput {
            replica,
            command,
            data,
            timeout_ms,
        } = input;
        let timeout = match timeout_ms {
            None => SEND_TIMEOUT,
            Some(ms @ 1..=MAX_SEND_TIMEOUT_MS) => std::time::Duration::from_millis(ms),
            Some(ms) => {
                return Err(FlowError::Invalid(format!(
                    "timeout_ms {ms} is not from 1 to {MAX_SEND_TIMEOUT_MS}"
                )));
            }
        };
        let replica = replica.as_deref();
        let command = command.as_str();
        let status = self.status(name).await?;
        let chosen = match replica {
            Some(r) => status
                .replicas
                .iter()
                .find(|x| x.name == r)
                .ok_or_else(|| FlowError::Invalid(format!("flow {name} has no replica {r:?}")))?,
            None if status.replicas.len() == 1 => &status.replicas[0],
            None => status
                .replicas
                .iter()
                .find(|x| x.state == "RUNNING")
                .ok_or_else(|| FlowError::Invalid(format!("no replica of flow {name} runs")))?,
        };
        let link = self.runtime(name, false).await?.links.get(&chosen.name);
        let reply = link.request(command, data, timeout).await?;
        Ok(SendOut {
            replica: chosen.name.clone(),
            reply,
        })
    }

    /// Removes the sockets a removed flow's workers left behind.
    pub(super) fn remove_sockets(&self, name: &str) {
        let Ok(dir) = std::fs::read_dir(&self.inner.options.socket_dir) else {
            return;
        };
        let prefix = format!("{name}.");
        for e in dir.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
