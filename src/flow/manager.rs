//! [`FlowManager`]: the flows of a server. Each change is committed to the engine first (the
//! flow's manifest and desired state), then applied to the flow's supervisor, so that after a
//! restart [`FlowManager::start`] brings every flow back as it was.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::future::join_all;
use serde_json::json;

mod control;
mod health;
mod hooks;
mod logs;
mod ops;

use super::FlowError;
use super::manifest::{Format, Manifest};
use super::procfs::Sampler;
use super::rollout::{self, Gates};
use super::runtime::{self, Runtime};
use super::wire::{DeployOut, FlowStatus, FlowSummary, ReplicaStatus};
use crate::store::Engine;
use crate::store::Op;
use crate::store::state::flows::{DeployStatus, FlowDesired, FlowOp, FlowRecord};
use crate::supervisor::{self, Config, Supervisor};

/// Where flows run and what they are told.
#[derive(Debug, Clone)]
pub struct FlowOptions {
    /// One directory per flow (its supervisor's state, `logs/`): `DATA_DIR/flows`.
    pub root: PathBuf,
    /// The server's own URL, given to workers whose manifest names none.
    pub self_url: Option<String>,
    /// Where the replicas' control sockets go (`SOCKET_DIR`; made with mode 0700).
    pub socket_dir: PathBuf,
    /// Event retention and resource sampling.
    pub events: super::events::EventOptions,
}

pub use control::SEND_TIMEOUT;
pub use logs::{FlowLogs, LogRequest};

/// The flow manager. Cheap to clone.
#[derive(Clone)]
pub struct FlowManager {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    options: FlowOptions,
    flows: tokio::sync::Mutex<BTreeMap<String, Arc<Runtime>>>,
    usage: Sampler,
    closed: AtomicBool,
    journal: Arc<super::events::Journal>,
}

fn parse_stored(json: &str) -> Result<Manifest, FlowError> {
    Manifest::parse(json, Format::Json)
}

impl FlowManager {
    /// Starts the manager over `engine` and brings back every flow the engine holds: running
    /// flows get their workers started (a deploy the previous server did not finish is rolled
    /// out again), stopped ones stay stopped. Directories of flows that are gone are removed.
    ///
    /// # Errors
    /// A flow's supervisor cannot start (its directory cannot be made).
    pub async fn start(engine: Engine, options: FlowOptions) -> Result<FlowManager, FlowError> {
        let journal = Arc::new(super::events::Journal::new(
            engine.clone(),
            options.events.retention,
        ));
        let manager = FlowManager {
            inner: Arc::new(Inner {
                journal,
                engine,
                options,
                flows: tokio::sync::Mutex::default(),
                usage: Sampler::default(),
                closed: AtomicBool::new(false),
            }),
        };
        let view = manager.inner.engine.view();
        manager.remove_leftover_dirs(&view.flows);
        for (name, record) in view.flows.iter() {
            let manifest = match parse_stored(&record.manifest) {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(flow = %name, error = %e, "stored manifest does not load; flow left stopped");
                    continue;
                }
            };
            let rt = manager.runtime(name, true).await?;
            if record.desired != FlowDesired::Running {
                continue;
            }
            if record.deploy == DeployStatus::Deploying {
                let guard = rt.ops.clone().lock_owned().await;
                manager.spawn_rollout(rt, guard, manifest, record.clone(), None);
            } else {
                let config = manager.config_of(&manifest);
                if let Err(e) = rt.sup.replace_config(config).await {
                    tracing::error!(flow = %name, error = %e, "flow's workers did not start");
                }
            }
        }
        Ok(manager)
    }

    /// Kills what the supervisors of removed flows left running and removes their directories
    /// (a server killed between a flow's removal and its cleanup).
    fn remove_leftover_dirs(&self, flows: &crate::store::state::flows::FlowState) {
        let Ok(dir) = std::fs::read_dir(&self.inner.options.root) else {
            return;
        };
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if flows.get(&name).is_none() && entry.path().is_dir() {
                supervisor::leftovers::clean_up(&entry.path().join("children.json"));
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }

    fn check_open(&self) -> Result<(), FlowError> {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(FlowError::Closed);
        }
        Ok(())
    }

    /// The flow's runtime; `create`: start its supervisor when it has none.
    async fn runtime(&self, name: &str, create: bool) -> Result<Arc<Runtime>, FlowError> {
        let mut flows = self.inner.flows.lock().await;
        if let Some(rt) = flows.get(name) {
            return Ok(rt.clone());
        }
        if !create {
            return Err(FlowError::NotFound(name.to_owned()));
        }
        // The socket directory is made with the first flow, so a server without flows leaves
        // its data directory as it was.
        let dir = &self.inner.options.socket_dir;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| {
                FlowError::Supervisor(supervisor::SupervisorError::Io {
                    op: "create",
                    path: dir.clone(),
                    source,
                })
            })?;
        let options = supervisor::Options {
            state_dir: self.inner.options.root.join(name),
            log_dir: None,
            subreaper: false,
            config_file: None,
        };
        let sup = Supervisor::start(options, None).await?;
        let links = super::link::Links::new(
            name,
            self.inner.options.socket_dir.clone(),
            self.inner.journal.clone(),
            self.inner.engine.clone(),
        );
        let rt = Arc::new(Runtime {
            sup,
            ops: Arc::default(),
            rolling: AtomicBool::new(false),
            links: Arc::new(links),
        });
        flows.insert(name.to_owned(), rt.clone());
        super::events::watch::spawn(
            self.inner.journal.clone(),
            self.inner.engine.clone(),
            name.to_owned(),
            &rt,
            self.inner.options.events.sample_every,
        );
        super::link::spawn_connector(&rt);
        Ok(rt)
    }

    fn config_of(&self, manifest: &Manifest) -> Config {
        manifest.supervisor_config(
            self.inner.options.self_url.as_deref(),
            Some(&self.inner.options.socket_dir),
            Some(&super::code::code_root(
                &self.inner.options.root,
                &manifest.name,
            )),
        )
    }

    fn record(&self, name: &str) -> Result<FlowRecord, FlowError> {
        self.inner
            .engine
            .view()
            .flows
            .get(name)
            .cloned()
            .ok_or_else(|| FlowError::NotFound(name.to_owned()))
    }

    async fn put(&self, name: &str, flow: FlowRecord) -> Result<(), FlowError> {
        let op = Op::Flow(FlowOp::Put {
            name: name.into(),
            flow,
        });
        self.inner.engine.commit_ops(vec![op]).await?;
        Ok(())
    }

    /// Takes the flow's change lock, or [`FlowError::Busy`] while a deploy rolls out.
    async fn lock(
        &self,
        name: &str,
    ) -> Result<(Arc<Runtime>, tokio::sync::OwnedMutexGuard<()>), FlowError> {
        self.check_open()?;
        self.record(name)?;
        let rt = self.runtime(name, true).await?;
        if rt.rolling.load(Ordering::SeqCst) {
            return Err(FlowError::Busy(name.to_owned()));
        }
        let guard = rt.ops.clone().lock_owned().await;
        if rt.rolling.load(Ordering::SeqCst) {
            return Err(FlowError::Busy(name.to_owned()));
        }
        Ok((rt, guard))
    }

    /// Creates or updates a flow. The manifest is committed with `deploy: deploying`, then
    /// rolled out in the background replica by replica, each waited for until ready; the
    /// flow ends `ready`, or `rolled_back` to the previous manifest when a replica did not
    /// become ready (`failed` for a first deploy). A manifest identical to the one in place,
    /// on a running and ready flow, changes nothing.
    ///
    /// # Errors
    /// [`FlowError::Manifest`], [`FlowError::Busy`] while a deploy of the flow rolls out, the
    /// commit, or [`FlowError::Closed`].
    pub async fn deploy(&self, mut manifest: Manifest) -> Result<DeployOut, FlowError> {
        manifest.validate()?;
        self.check_socket_paths(&manifest)?;
        self.check_open()?;
        let name = manifest.name.clone();
        let rt = self.runtime(&name, true).await?;
        if rt.rolling.load(Ordering::SeqCst) {
            return Err(FlowError::Busy(name));
        }
        let guard = rt.ops.clone().lock_owned().await;
        if rt.rolling.load(Ordering::SeqCst) {
            return Err(FlowError::Busy(name));
        }
        let now = self.inner.engine.now_ms();
        let current = self.inner.engine.view().flows.get(&name).cloned();
        let root = super::code::code_root(&self.inner.options.root, &name);
        manifest = super::code::prepare_async(root, manifest, current.as_ref()).await?;
        let json = manifest.to_json();
        if let Some(c) = &current
            && *c.manifest == *json
            && c.desired == FlowDesired::Running
            && c.deploy == DeployStatus::Ready
        {
            return Ok(DeployOut {
                summary: self.summary(&name, c, &rt, &manifest),
                changed: false,
            });
        }
        let previous = current.as_ref().map(|c| (c.manifest.clone(), c.desired));
        let record = FlowRecord {
            manifest: json.into(),
            previous: previous.as_ref().map(|p| p.0.clone()),
            desired: FlowDesired::Running,
            generation: current.as_ref().map_or(1, |c| c.generation + 1),
            deploy: DeployStatus::Deploying,
            message: None,
            created_at: current.as_ref().map_or(now, |c| c.created_at),
            updated_at: now,
        };
        self.put(&name, record.clone()).await?;
        self.activity(&name, "deploy", json!({"generation": record.generation}))
            .await;
        let summary = self.summary(&name, &record, &rt, &manifest);
        self.spawn_rollout(rt, guard, manifest, record, previous.map(|p| p.1));
        Ok(DeployOut {
            summary,
            changed: true,
        })
    }

    /// Rolls `manifest` out on the flow's supervisor and commits how it ended. `was`: the
    /// previous manifest's desired state (what a rollback restores), `None` when unknown.
    fn spawn_rollout(
        &self,
        rt: Arc<Runtime>,
        guard: tokio::sync::OwnedMutexGuard<()>,
        manifest: Manifest,
        record: FlowRecord,
        was: Option<FlowDesired>,
    ) {
        rt.rolling.store(true, Ordering::SeqCst);
        let this = self.clone();
        tokio::spawn(async move {
            let name = manifest.name.clone();
            let to = this.config_of(&manifest);
            let gates: Gates = manifest
                .workers
                .iter()
                .flat_map(|(w, spec)| {
                    (0..spec.replicas).map(move |i| {
                        (
                            super::manifest::replica_name(w, i),
                            (spec.ready_timeout, spec.readiness.is_some()),
                        )
                    })
                })
                .collect();
            let outcome = rollout::roll(&rt.sup, &to, &gates).await;
            let mut done = record;
            done.updated_at = this.inner.engine.now_ms();
            match outcome {
                Ok(()) => done.deploy = DeployStatus::Ready,
                Err(why) => {
                    tracing::warn!(flow = %name, reason = %why, "deploy did not become ready");
                    let back = done.previous.clone().and_then(|p| parse_stored(&p).ok());
                    match back {
                        Some(prev) => {
                            let running = was != Some(FlowDesired::Stopped);
                            let config = if running {
                                this.config_of(&prev)
                            } else {
                                Config::default()
                            };
                            if let Err(e) = rt.sup.replace_config(config).await {
                                tracing::error!(flow = %name, error = %e, "rollback failed");
                            }
                            done.manifest = prev.to_json().into();
                            done.previous = None;
                            done.desired = if running {
                                FlowDesired::Running
                            } else {
                                FlowDesired::Stopped
                            };
                            done.deploy = DeployStatus::RolledBack;
                        }
                        None => done.deploy = DeployStatus::Failed,
                    }
                    done.message = Some(why.into());
                }
            }
            if let Ok(m) = parse_stored(&done.manifest) {
                runtime::remove_stale_sockets(&this.inner.options.socket_dir, &m);
            }
            this.deploy_ended(&name, &done).await;
            if let Err(e) = this.put(&name, done).await {
                tracing::error!(flow = %name, error = %e, "the end of a deploy was not recorded");
            }
            rt.rolling.store(false, Ordering::SeqCst);
            drop(guard);
        });
    }

    /// Every flow, by name.
    pub async fn list(&self) -> Vec<FlowSummary> {
        let view = self.inner.engine.view();
        let mut out = Vec::new();
        for (name, record) in view.flows.iter() {
            let Ok(manifest) = parse_stored(&record.manifest) else {
                continue;
            };
            if let Ok(rt) = self.runtime(name, false).await {
                out.push(self.summary(name, record, &rt, &manifest));
            }
        }
        out
    }

    /// One flow with its manifest (secrets redacted) and every replica.
    ///
    /// # Errors
    /// [`FlowError::NotFound`].
    pub async fn status(&self, name: &str) -> Result<FlowStatus, FlowError> {
        let record = self.record(name)?;
        let manifest = parse_stored(&record.manifest)?;
        let rt = self.runtime(name, false).await?;
        let replicas = runtime::replicas(&rt, &manifest, &self.inner.usage);
        Ok(FlowStatus {
            flow: summarize(name, &record, &manifest, &replicas),
            manifest: manifest.redacted(),
            replicas,
        })
    }

    fn summary(&self, name: &str, record: &FlowRecord, rt: &Runtime, m: &Manifest) -> FlowSummary {
        let replicas = runtime::replicas(rt, m, &Sampler::default());
        summarize(name, record, m, &replicas)
    }

    /// Stops every flow's workers (the server is stopping; flows keep their desired state and
    /// come back at the next start).
    pub async fn shutdown(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        let flows: Vec<Arc<Runtime>> = self.inner.flows.lock().await.values().cloned().collect();
        join_all(flows.iter().map(|rt| rt.sup.shutdown())).await;
    }
}

fn summarize(
    name: &str,
    record: &FlowRecord,
    manifest: &Manifest,
    replicas: &[ReplicaStatus],
) -> FlowSummary {
    FlowSummary {
        name: name.to_owned(),
        desired: record.desired,
        deploy: record.deploy,
        message: record.message.as_deref().map(str::to_owned),
        generation: record.generation,
        replicas: manifest.workers.values().map(|w| w.replicas).sum(),
        ready: u32::try_from(replicas.iter().filter(|r| r.ready).count()).unwrap_or(u32::MAX),
        created_at: crate::time::format_ts(record.created_at),
        updated_at: crate::time::format_ts(record.updated_at),
    }
}

use std::os::unix::fs::DirBuilderExt as _;
