//! What `/health` shows of the flows: their supervisors (replicas running against replicas
//! wanted) and their control sockets (sockets the running replicas listen on), from the
//! supervisors' state and the socket directory, not from constant strings.

use std::os::unix::fs::FileTypeExt as _;

use super::{FlowManager, parse_stored};
use crate::flow::manifest::socket_path;
use crate::flow::wire::FlowHealth;
use crate::store::state::flows::FlowDesired;
use crate::supervisor::State;

impl FlowManager {
    /// Replicas wanted and running, and control sockets listened on, over every flow.
    pub async fn health(&self) -> FlowHealth {
        let view = self.inner.engine.view();
        let mut h = FlowHealth::default();
        for (name, record) in view.flows.iter() {
            h.flows += 1;
            let Ok(manifest) = parse_stored(&record.manifest) else {
                continue;
            };
            let Ok(rt) = self.runtime(name, false).await else {
                continue;
            };
            let states: std::collections::BTreeMap<String, State> = rt
                .sup
                .status()
                .into_iter()
                .map(|s| (s.name, s.state))
                .collect();
            if record.desired != FlowDesired::Running {
                continue;
            }
            for (replica, _, _) in manifest.replica_names() {
                h.desired += 1;
                if states.get(&replica) != Some(&State::Running) {
                    h.not_running.push(format!("{name}/{replica}"));
                    continue;
                }
                h.running += 1;
                let path = socket_path(&self.inner.options.socket_dir, name, &replica);
                if std::fs::metadata(&path).is_ok_and(|m| m.file_type().is_socket()) {
                    h.sockets += 1;
                }
                if rt.links.view(&replica).connected {
                    h.connected += 1;
                }
            }
        }
        h
    }
}
