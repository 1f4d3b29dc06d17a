//! One task per flow that turns what its supervisor publishes into flow events
//! (`status_changed`, `crashed`, `restarted`, `health_warning`) and samples its running
//! replicas' CPU and memory against their worker's thresholds (`resource_alert` once when a
//! replica goes over, once when it comes back under). The task ends when the flow's runtime is
//! dropped (the flow was removed).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Weak};
use std::time::Duration;

use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::Journal;
use crate::flow::manifest::{Format, Manifest};
use crate::flow::procfs::Sampler;
use crate::flow::runtime::Runtime;
use crate::store::Engine;
use crate::store::state::flows::EventKind;
use crate::supervisor::{InstanceStatus, State};

/// Starts the task of flow `name`.
pub(in crate::flow) fn spawn(
    journal: Arc<Journal>,
    engine: Engine,
    name: String,
    rt: &Arc<Runtime>,
    every: Duration,
) {
    let mut rx = rt.sup.subscribe();
    let weak: Weak<Runtime> = Arc::downgrade(rt);
    let mut prev: HashMap<String, InstanceStatus> = rt
        .sup
        .status()
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut sampler = Thresholds::default();
        loop {
            tokio::select! {
                ev = rx.recv() => match ev {
                    Ok(ev) => {
                        let before = prev.insert(ev.status.name.clone(), ev.status.clone());
                        translate(&journal, &name, before.as_ref(), &ev.status).await;
                    }
                    Err(RecvError::Lagged(_)) => {
                        let Some(rt) = weak.upgrade() else { break };
                        prev = rt.sup.status().into_iter().map(|s| (s.name.clone(), s)).collect();
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = tick.tick() => {
                    let Some(rt) = weak.upgrade() else { break };
                    let running = rt.sup.status();
                    drop(rt);
                    sampler.check(&journal, &engine, &name, &running).await;
                }
            }
        }
    });
}

/// The events one supervisor change makes.
async fn translate(j: &Journal, flow: &str, before: Option<&InstanceStatus>, now: &InstanceStatus) {
    let replica = Some(now.name.as_str());
    let was = before.map_or(State::Stopped, |b| b.state);
    if was != now.state {
        let data = json!({"from": was.as_str(), "to": now.state.as_str(), "reason": now.reason});
        j.record(flow, replica, EventKind::StatusChanged, data)
            .await;
    }
    let ended_on_its_own = matches!(was, State::Running | State::Starting)
        && matches!(now.state, State::Backoff | State::Exited);
    if ended_on_its_own && let Some(exit) = now.last_exit {
        let data = json!({
            "code": exit.code,
            "signal": exit.signal,
            "exit": exit.to_string(),
            "restarts": now.restarts,
            "reason": now.reason,
        });
        j.record(flow, replica, EventKind::Crashed, data).await;
    }
    let restarts_before = before.map_or(0, |b| b.restarts);
    if now.state == State::Running && was != State::Running && now.restarts > restarts_before {
        let data = json!({"restarts": now.restarts, "pid": now.pid});
        j.record(flow, replica, EventKind::Restarted, data).await;
    }
    let warning = |s: Option<&InstanceStatus>| {
        s.and_then(|s| s.reason.as_deref())
            .filter(|r| r.contains("probe fail"))
            .map(str::to_owned)
    };
    if let Some(reason) = warning(Some(now))
        && warning(before) != Some(reason.clone())
    {
        let probe = if reason.contains("liveness") {
            "liveness"
        } else {
            "readiness"
        };
        let data = json!({"probe": probe, "reason": reason});
        j.record(flow, replica, EventKind::HealthWarning, data)
            .await;
    }
}

/// The thresholds of a flow's manifest, by replica, and which replicas are over which.
#[derive(Default)]
struct Thresholds {
    usage: Sampler,
    manifest: Option<Arc<str>>,
    /// Replica → (max CPU %, max RSS bytes).
    limits: BTreeMap<String, (Option<f64>, Option<u64>)>,
    over: HashSet<(String, &'static str)>,
}

impl Thresholds {
    fn load(&mut self, engine: &Engine, flow: &str) {
        let view = engine.view();
        let Some(record) = view.flows.get(flow) else {
            self.limits.clear();
            return;
        };
        if self
            .manifest
            .as_ref()
            .is_some_and(|m| Arc::ptr_eq(m, &record.manifest))
        {
            return;
        }
        self.manifest = Some(record.manifest.clone());
        self.limits.clear();
        if let Ok(m) = Manifest::parse(&record.manifest, Format::Json) {
            for (replica, worker, _) in m.replica_names() {
                let r = &m.workers[&worker].resources;
                let rss = r.max_rss_mib.map(|m| m.saturating_mul(1024 * 1024));
                if r.max_cpu_percent.is_some() || rss.is_some() {
                    self.limits.insert(replica, (r.max_cpu_percent, rss));
                }
            }
        }
    }

    async fn check(&mut self, j: &Journal, engine: &Engine, flow: &str, now: &[InstanceStatus]) {
        self.load(engine, flow);
        for s in now {
            let Some(&(cpu_max, rss_max)) = self.limits.get(&s.name) else {
                continue;
            };
            let usage = s
                .pid
                .filter(|_| s.state == State::Running)
                .and_then(|p| self.usage.read(p));
            let checks = [
                ("cpu", cpu_max, usage.map(|u| u.cpu_percent)),
                (
                    "rss",
                    rss_max.map(|b| b as f64),
                    usage.map(|u| u.rss_bytes as f64),
                ),
            ];
            for (resource, max, value) in checks {
                // A replica not running now is left as it was (no alert for a restart).
                let (Some(max), Some(value)) = (max, value) else {
                    continue;
                };
                let key = (s.name.clone(), resource);
                let was_over = self.over.contains(&key);
                let is_over = value > max;
                if is_over == was_over {
                    continue;
                }
                if is_over {
                    self.over.insert(key);
                } else {
                    self.over.remove(&key);
                }
                let data = json!({
                    "resource": resource,
                    "value": value,
                    "threshold": max,
                    "over": is_over,
                });
                j.record(flow, Some(&s.name), EventKind::ResourceAlert, data)
                    .await;
            }
        }
    }
}
