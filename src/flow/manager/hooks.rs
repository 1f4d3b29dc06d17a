//! Where the manager records its own flow events (`activity`, and `error` for a failed
//! deploy) and hands out the event journal.

use std::sync::Arc;

use serde_json::json;

use super::FlowManager;
use crate::flow::events::Journal;
use crate::store::state::flows::{DeployStatus, EventKind, FlowRecord};

impl FlowManager {
    /// The event journal (what the event stream and `flow events` read).
    pub fn journal(&self) -> &Arc<Journal> {
        &self.inner.journal
    }

    /// Records an `activity` event: the manager did `action` to flow `name`.
    pub(super) async fn activity(&self, name: &str, action: &str, mut data: serde_json::Value) {
        if let Some(o) = data.as_object_mut() {
            o.insert("action".into(), action.into());
        }
        self.inner
            .journal
            .record(name, None, EventKind::Activity, data)
            .await;
    }

    /// Records how a deploy ended: an `activity` (`deployed`, `rolled_back`), and an `error`
    /// (`deploy_failed`) when it did not become ready.
    pub(super) async fn deploy_ended(&self, name: &str, done: &FlowRecord) {
        let action = match done.deploy {
            DeployStatus::Ready => "deployed",
            DeployStatus::RolledBack => "rolled_back",
            DeployStatus::Failed => "deploy_failed",
            DeployStatus::Deploying => return,
        };
        let data = json!({"generation": done.generation, "message": done.message.as_deref()});
        self.activity(name, action, data.clone()).await;
        if done.deploy != DeployStatus::Ready {
            let data = json!({
                "error": "deploy_failed",
                "message": done.message.as_deref(),
                "generation": done.generation,
            });
            self.inner
                .journal
                .record(name, None, EventKind::Error, data)
                .await;
        }
    }
}
