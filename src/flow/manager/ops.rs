//! The changes of a flow after its deploy: start, stop, restart, scale and remove, each
//! committed to the engine first, then applied to the flow's supervisor.

use serde_json::json;

use super::{FlowManager, parse_stored, runtime};
use crate::flow::FlowError;
use crate::flow::wire::FlowSummary;
use crate::store::Op;
use crate::store::state::flows::{FlowDesired, FlowOp};
use crate::supervisor::Config;
use futures_util::future::join_all;

impl FlowManager {
    /// Starts a stopped flow's workers (all at once).
    ///
    /// # Errors
    /// [`FlowError::NotFound`], [`FlowError::Busy`], the supervisor or the commit.
    pub async fn start_flow(&self, name: &str) -> Result<FlowSummary, FlowError> {
        let (rt, _guard) = self.lock(name).await?;
        let mut record = self.record(name)?;
        let manifest = parse_stored(&record.manifest)?;
        record.desired = FlowDesired::Running;
        record.updated_at = self.inner.engine.now_ms();
        self.put(name, record.clone()).await?;
        self.activity(name, "start", json!({})).await;
        rt.sup.replace_config(self.config_of(&manifest)).await?;
        Ok(self.summary(name, &record, &rt, &manifest))
    }

    /// Stops a flow's workers; the flow stays, stopped, until started again.
    ///
    /// # Errors
    /// As [`FlowManager::start_flow`].
    pub async fn stop_flow(&self, name: &str) -> Result<FlowSummary, FlowError> {
        let (rt, _guard) = self.lock(name).await?;
        let mut record = self.record(name)?;
        let manifest = parse_stored(&record.manifest)?;
        record.desired = FlowDesired::Stopped;
        record.updated_at = self.inner.engine.now_ms();
        self.put(name, record.clone()).await?;
        self.activity(name, "stop", json!({})).await;
        rt.sup.replace_config(Config::default()).await?;
        Ok(self.summary(name, &record, &rt, &manifest))
    }

    /// Restarts every replica of a running flow (a stopped flow is started).
    ///
    /// # Errors
    /// As [`FlowManager::start_flow`].
    pub async fn restart_flow(&self, name: &str) -> Result<FlowSummary, FlowError> {
        let record = self.record(name)?;
        if record.desired == FlowDesired::Stopped {
            return self.start_flow(name).await;
        }
        let (rt, _guard) = self.lock(name).await?;
        let manifest = parse_stored(&record.manifest)?;
        let names: Vec<String> = manifest.replica_names().into_iter().map(|r| r.0).collect();
        self.activity(name, "restart", json!({})).await;
        let results = join_all(names.iter().map(|n| rt.sup.restart_process(n))).await;
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
        Ok(self.summary(name, &record, &rt, &manifest))
    }

    /// Sets the number of replicas of one worker (`worker` may be left out when the flow has
    /// one); a running flow starts or stops replicas at once, the others are left alone.
    ///
    /// # Errors
    /// [`FlowError::Invalid`] for an unknown or ambiguous worker or too many replicas, else as
    /// [`FlowManager::start_flow`].
    pub async fn scale(
        &self,
        name: &str,
        worker: Option<&str>,
        replicas: u32,
    ) -> Result<FlowSummary, FlowError> {
        let (rt, _guard) = self.lock(name).await?;
        let mut record = self.record(name)?;
        let mut manifest = parse_stored(&record.manifest)?;
        let worker = match worker {
            Some(w) => w.to_owned(),
            None if manifest.workers.len() == 1 => {
                manifest.workers.keys().next().cloned().unwrap_or_default()
            }
            None => {
                let names: Vec<&String> = manifest.workers.keys().collect();
                return Err(FlowError::Invalid(format!(
                    "flow {name} has several workers ({names:?}): name the one to scale"
                )));
            }
        };
        let Some(w) = manifest.workers.get_mut(&worker) else {
            return Err(FlowError::Invalid(format!(
                "flow {name} has no worker {worker:?}"
            )));
        };
        w.replicas = replicas;
        manifest
            .validate()
            .map_err(|e| FlowError::Invalid(e.to_string()))?;
        self.check_socket_paths(&manifest)?;
        record.manifest = manifest.to_json().into();
        record.updated_at = self.inner.engine.now_ms();
        self.put(name, record.clone()).await?;
        let data = json!({"worker": worker, "replicas": replicas});
        self.activity(name, "scale", data).await;
        if record.desired == FlowDesired::Running {
            rt.sup.replace_config(self.config_of(&manifest)).await?;
        }
        runtime::remove_stale_sockets(&self.inner.options.socket_dir, &manifest);
        Ok(self.summary(name, &record, &rt, &manifest))
    }

    /// Stops a flow's workers and forgets the flow (its directory and logs go too).
    ///
    /// # Errors
    /// As [`FlowManager::start_flow`].
    pub async fn remove(&self, name: &str) -> Result<(), FlowError> {
        let (rt, _guard) = self.lock(name).await?;
        rt.sup.shutdown().await;
        self.inner
            .engine
            .commit_ops(vec![Op::Flow(FlowOp::Delete { name: name.into() })])
            .await?;
        self.inner.flows.lock().await.remove(name);
        self.activity(name, "remove", json!({})).await;
        let _ = std::fs::remove_dir_all(self.inner.options.root.join(name));
        self.remove_sockets(name);
        Ok(())
    }
}
