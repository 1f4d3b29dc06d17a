//! A flow's running part: its supervisor, the lock that serializes changes to it and the links
//! to its replicas' control sockets, and how its replicas are shown (supervisor status plus
//! `/proc` usage and thresholds, and the link's state).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::link::Links;
use super::manifest::Manifest;
use super::procfs::Sampler;
use super::wire::ReplicaStatus;
use crate::supervisor::{InstanceStatus, State, Supervisor};

/// One flow's supervisor and change lock.
pub(super) struct Runtime {
    /// Runs the flow's replicas (one process each).
    pub sup: Supervisor,
    /// Held by every change of the flow (a deploy's rollout holds it until it ends).
    pub ops: Arc<tokio::sync::Mutex<()>>,
    /// True while a deploy rolls out.
    pub rolling: AtomicBool,
    /// The manager's connections to the replicas' control sockets.
    pub links: Arc<Links>,
}

/// Every replica `manifest` asks for, as the supervisor has it (STOPPED when it has not).
pub(super) fn replicas(rt: &Runtime, manifest: &Manifest, usage: &Sampler) -> Vec<ReplicaStatus> {
    let sup = &rt.sup;
    let by_name: BTreeMap<String, InstanceStatus> = sup
        .status()
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect();
    manifest
        .replica_names()
        .into_iter()
        .map(|(name, worker, index)| {
            let mut r = ReplicaStatus {
                name: name.clone(),
                worker: worker.clone(),
                index,
                state: State::Stopped.as_str().to_owned(),
                ready: false,
                pid: None,
                uptime_secs: None,
                restarts: 0,
                last_exit: None,
                reason: None,
                cpu_percent: None,
                rss_bytes: None,
                over: Vec::new(),
                socket_connected: false,
                last_message_at: None,
            };
            let link = rt.links.view(&name);
            r.socket_connected = link.connected;
            r.last_message_at = link.last_message_at.map(crate::time::format_ts);
            if let Some(s) = by_name.get(&name) {
                r.state = s.state.as_str().to_owned();
                r.ready = s.ready && s.state == State::Running;
                r.pid = s.pid;
                r.uptime_secs = s.uptime_secs();
                r.restarts = s.restarts;
                r.last_exit = s.last_exit.map(|e| e.to_string());
                r.reason = s.reason.clone();
                if let Some(u) = s.pid.and_then(|p| usage.read(p)) {
                    r.cpu_percent = Some(u.cpu_percent);
                    r.rss_bytes = Some(u.rss_bytes);
                    let limits = &manifest.workers[&worker].resources;
                    if limits.max_cpu_percent.is_some_and(|m| u.cpu_percent > m) {
                        r.over.push("cpu".into());
                    }
                    if limits
                        .max_rss_mib
                        .is_some_and(|m| u.rss_bytes > m.saturating_mul(1024 * 1024))
                    {
                        r.over.push("rss".into());
                    }
                }
            }
            r
        })
        .collect()
}

/// Removes the control sockets in `socket_dir` of flow `manifest.name`'s replicas that the
/// manifest no longer has (a scale down, a deploy with fewer replicas): a worker stopped by a
/// signal leaves its socket behind.
pub(super) fn remove_stale_sockets(socket_dir: &std::path::Path, manifest: &Manifest) {
    let Ok(dir) = std::fs::read_dir(socket_dir) else {
        return;
    };
    let wanted: std::collections::BTreeSet<std::ffi::OsString> = manifest
        .replica_names()
        .into_iter()
        .map(|(replica, _, _)| {
            super::manifest::socket_path(socket_dir, &manifest.name, &replica)
                .file_name()
                .map(ToOwned::to_owned)
                .unwrap_or_default()
        })
        .collect();
    let prefix = format!("{}.", manifest.name);
    for e in dir.flatten() {
        let name = e.file_name();
        let text = name.to_string_lossy();
        if text.starts_with(&prefix) && text.ends_with(".sock") && !wanted.contains(&name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
