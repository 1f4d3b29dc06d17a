//! [`Supervisor`]: the set of processes of a [`Config`] and the operations on it: configure
//! (once, persisted atomically with mode 0600 and re-applied at the next start), start in
//! dependency order, commands per process or instance, reload (only changed processes are
//! restarted), status, events, and the shutdown in reverse dependency order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::join_all;
use nix::sys::signal::Signal;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::SupervisorError;
use super::config::{Config, ProcessSpec, RestartPolicy};
use super::instance::{self, Cmd};
use super::leftovers::{self, Children};
use super::logs::{EchoLine, Reopen};
use super::protect::Protection;
use super::reaper::{self, Reaper};
use super::shared::Shared;
use super::state::{Event, InstanceStatus};

mod gate;
mod hold;
mod reload;

use gate::depth;

/// How a supervisor is set up.
#[derive(Debug, Clone)]
pub struct Options {
    /// Its directory: `config.json` (a configuration posted to it), `children.json`, `logs/`
    /// and `notify/` unless given elsewhere.
    pub state_dir: PathBuf,
    /// Log files [default: STATE_DIR/logs].
    pub log_dir: Option<PathBuf>,
    /// Become the child subreaper and reap every child of the process (the `supervise`
    /// command); a library user sharing the process leaves it off.
    pub subreaper: bool,
    /// The file a reload reads again (a `--config` file).
    pub config_file: Option<PathBuf>,
}

/// What a reload did, by process name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReloadReport {
    /// New processes, started.
    pub added: Vec<String>,
    /// Processes no longer configured, stopped.
    pub removed: Vec<String>,
    /// Processes whose table changed, restarted.
    pub changed: Vec<String>,
    /// Processes left running as they were.
    pub unchanged: Vec<String>,
}

/// The running supervisor. Cheap to clone.
#[derive(Clone)]
pub struct Supervisor {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    state_dir: PathBuf,
    config_file: Option<PathBuf>,
    /// The applied configuration; `None` while unconfigured.
    config: Mutex<Option<Config>>,
    /// Instances by name, for status and commands (never held across an await).
    views: Mutex<BTreeMap<String, View>>,
    /// Serializes changes of the process set: configure, reload, shutdown.
    procs: tokio::sync::Mutex<BTreeMap<String, Proc>>,
    closed: AtomicBool,
    /// Bumped each time a configuration is applied (configure, reload).
    changes: watch::Sender<u64>,
    /// State protection (`[storage]`), once configured.
    protect: Mutex<Option<Arc<Protection>>>,
    /// Why processes may not start now (waiting for the lease, a restore); `None`: they may.
    hold: watch::Sender<Option<String>>,
}

#[derive(Clone)]
struct View {
    process: String,
    cmds: mpsc::Sender<Cmd>,
    status: watch::Receiver<InstanceStatus>,
}

struct Proc {
    spec: Arc<ProcessSpec>,
    instances: Vec<String>,
    tasks: Vec<JoinHandle<()>>,
    /// Waits for the dependencies, then starts the instances.
    gate: Option<JoinHandle<()>>,
}

impl Supervisor {
    /// Prepares the state directory, kills what a killed predecessor left running, and
    /// applies `config` (or the one posted to a previous run, kept in `config.json`). Without
    /// either it starts unconfigured, waiting for [`Supervisor::configure`].
    ///
    /// # Errors
    /// The state directory cannot be made, the stored configuration does not load, both a
    /// configuration and a stored one are given, or (subreaper) the `prctl` fails.
    pub async fn start(
        options: Options,
        config: Option<Config>,
    ) -> Result<Supervisor, SupervisorError> {
        let io = |op, path: &Path| {
            let path = path.to_owned();
            move |source| SupervisorError::Io { op, path, source }
        };
        let dir = &options.state_dir;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io("create", dir))?;
        let notify_dir = dir.join("notify");
        std::fs::create_dir_all(&notify_dir).map_err(io("create", &notify_dir))?;
        let children_file = dir.join("children.json");
        let killed = leftovers::clean_up(&children_file);
        if killed > 0 {
            tracing::warn!(
                killed,
                "killed processes a previous supervisor left running"
            );
        }
        if options.subreaper {
            reaper::become_subreaper().map_err(io("prctl(PR_SET_CHILD_SUBREAPER)", dir))?;
        }
        let reaper = Reaper::start(options.subreaper).map_err(io("SIGCHLD handler", dir))?;
        let stored_path = dir.join("config.json");
        let stored = match std::fs::read(&stored_path) {
            Ok(bytes) => Some(
                Config::from_json(&bytes).map_err(|e| SupervisorError::Config {
                    message: format!("{}: {e}", stored_path.display()),
                })?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io("read", &stored_path)(e)),
        };
        let config = match (config, stored) {
            (Some(_), Some(_)) => {
                return Err(SupervisorError::Config {
                    message: format!(
                        "configuration conflict: a configuration was given and {} holds one \
                         posted earlier; remove one of them",
                        stored_path.display()
                    ),
                });
            }
            (c, s) => c.or(s),
        };
        let shared = Arc::new(Shared {
            reaper,
            log_dir: options.log_dir.clone().unwrap_or_else(|| dir.join("logs")),
            notify_dir,
            reopen: Reopen::default(),
            echo: broadcast::channel(1024).0,
            events: broadcast::channel(4096).0,
            seq: Mutex::new(0),
            children: Children::new(Some(children_file)),
        });
        let sup = Supervisor {
            inner: Arc::new(Inner {
                shared,
                state_dir: dir.clone(),
                config_file: options.config_file,
                config: Mutex::new(None),
                views: Mutex::default(),
                procs: tokio::sync::Mutex::default(),
                closed: AtomicBool::new(false),
                changes: watch::channel(0).0,
                protect: Mutex::new(None),
                hold: watch::channel(None).0,
            }),
        };
        if let Some(config) = config {
            config.validate()?;
            sup.apply(config).await;
        }
        Ok(sup)
    }

    /// True once a configuration is in place.
    pub fn is_configured(&self) -> bool {
        self.config().is_some()
    }

    /// The configuration in place.
    pub fn config(&self) -> Option<Config> {
        self.inner
            .config
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Where the log files are.
    pub fn log_dir(&self) -> &Path {
        &self.inner.shared.log_dir
    }

    /// The first configuration of an unconfigured supervisor: stored in
    /// `STATE_DIR/config.json` (mode 0600, written atomically) and applied.
    ///
    /// # Errors
    /// [`SupervisorError::AlreadyConfigured`], an invalid configuration, or the write.
    pub async fn configure(&self, config: Config) -> Result<(), SupervisorError> {
        config.validate()?;
        let procs = self.inner.procs.lock().await;
        if self.is_configured() {
            return Err(SupervisorError::AlreadyConfigured);
        }
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(SupervisorError::Closed);
        }
        let path = self.inner.state_dir.join("config.json");
        let bytes = serde_json::to_vec_pretty(&config).map_err(|e| SupervisorError::Config {
            message: e.to_string(),
        })?;
        write_private(&path, &bytes).map_err(|source| SupervisorError::Io {
            op: "write",
            path,
            source,
        })?;
        drop(procs);
        self.apply(config).await;
        Ok(())
    }

    async fn apply(&self, config: Config) {
        let mut procs = self.inner.procs.lock().await;
        *self
            .inner
            .config
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(config.clone());
        let order = config.start_order().unwrap_or_default();
        self.inner.changes.send_modify(|g| *g += 1);
        for name in &order {
            let spec = Arc::new(config.process[name].clone());
            procs.insert(name.clone(), self.create(name, spec));
        }
        self.protect_start(&config);
        for name in &order {
            self.open_gate(&config, name, &mut procs, &BTreeSet::new());
        }
    }

    /// Makes the instance tasks of a process (stopped).
    fn create(&self, name: &str, spec: Arc<ProcessSpec>) -> Proc {
        let mut instances = Vec::new();
        let mut tasks = Vec::new();
        let mut views = self
            .inner
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (replica, iname) in spec.instance_names(name).into_iter().enumerate() {
            let h = instance::spawn(
                self.inner.shared.clone(),
                name,
                &iname,
                u32::try_from(replica).unwrap_or(u32::MAX),
                spec.clone(),
            );
            views.insert(
                iname.clone(),
                View {
                    process: name.to_owned(),
                    cmds: h.cmds,
                    status: h.status,
                },
            );
            instances.push(iname);
            tasks.push(h.task);
        }
        Proc {
            spec,
            instances,
            tasks,
            gate: None,
        }
    }

    fn views_of(&self, process: &str) -> Vec<View> {
        let views = self
            .inner
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        views
            .values()
            .filter(|v| v.process == process)
            .cloned()
            .collect()
    }

    /// The instances `target` names: a process (all its instances) or one instance.
    fn resolve(&self, target: &str) -> Result<Vec<View>, SupervisorError> {
        let views = self
            .inner
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = views.get(target) {
            return Ok(vec![v.clone()]);
        }
        let all: Vec<View> = views
            .values()
            .filter(|v| v.process == target)
            .cloned()
            .collect();
        if all.is_empty() {
            return Err(SupervisorError::NotFound(target.to_owned()));
        }
        Ok(all)
    }

    /// Every instance's status, by name.
    pub fn status(&self) -> Vec<InstanceStatus> {
        let views = self
            .inner
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        views.values().map(|v| v.status.borrow().clone()).collect()
    }

    /// Starts a process or instance now (FATAL is reset, dependencies are not waited for).
    ///
    /// # Errors
    /// [`SupervisorError::NotFound`], or [`SupervisorError::Closed`] while shutting down.
    pub async fn start_process(&self, target: &str) -> Result<(), SupervisorError> {
        if let Some(why) = self.held() {
            return Err(SupervisorError::Held(why));
        }
        self.each(target, Cmd::Start).await
    }

    /// Stops a process or instance (it stays stopped); returns once its groups are gone.
    ///
    /// # Errors
    /// As [`Supervisor::start_process`].
    pub async fn stop_process(&self, target: &str) -> Result<(), SupervisorError> {
        self.each(target, Cmd::Stop).await
    }

    /// Stops, then starts a process or instance.
    ///
    /// # Errors
    /// As [`Supervisor::start_process`].
    pub async fn restart_process(&self, target: &str) -> Result<(), SupervisorError> {
        if let Some(why) = self.held() {
            return Err(SupervisorError::Held(why));
        }
        self.each(target, Cmd::Restart).await
    }

    /// Sends `sig` to the process group of each running instance of `target`.
    ///
    /// # Errors
    /// As [`Supervisor::start_process`]; [`SupervisorError::NotRunning`] when none runs.
    pub async fn signal_process(&self, target: &str, sig: Signal) -> Result<(), SupervisorError> {
        let views = self.resolve(target)?;
        let results = join_all(views.iter().map(|v| ask(v, |r| Cmd::Signal(sig, r)))).await;
        if results.iter().any(Result::is_ok) {
            return Ok(());
        }
        results
            .into_iter()
            .next()
            .unwrap_or(Err(SupervisorError::NotFound(target.to_owned())))
    }

    /// Sends `sig` to the group of every running instance whose process lists it in
    /// `forward_signals`; returns how many groups it was sent to.
    pub async fn forward_signal(&self, sig: Signal) -> usize {
        let Some(config) = self.config() else {
            return 0;
        };
        let views: Vec<View> = {
            let views = self
                .inner
                .views
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            views
                .values()
                .filter(|v| {
                    config
                        .process
                        .get(&v.process)
                        .is_some_and(|p| p.forwarded_signals().contains(&sig))
                })
                .cloned()
                .collect()
        };
        join_all(views.iter().map(|v| ask(v, |r| Cmd::Signal(sig, r))))
            .await
            .iter()
            .filter(|r| r.is_ok())
            .count()
    }

    /// Changes each time a configuration is applied (the first one, each reload).
    pub fn config_changes(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    async fn each(
        &self,
        target: &str,
        cmd: fn(oneshot::Sender<Result<(), SupervisorError>>) -> Cmd,
    ) -> Result<(), SupervisorError> {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(SupervisorError::Closed);
        }
        let views = self.resolve(target)?;
        join_all(views.iter().map(|v| ask(v, cmd)))
            .await
            .into_iter()
            .collect()
    }

    /// Every state change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.shared.events.subscribe()
    }

    /// Output lines of processes with `log.echo = true`.
    pub fn echo(&self) -> broadcast::Receiver<EchoLine> {
        self.inner.shared.echo.subscribe()
    }

    /// Makes every log file reopen before its next line (after an outside rotation).
    pub fn reopen_logs(&self) {
        self.inner.shared.reopen.request();
    }

    /// The instance whose exit status the supervisor exits with: the only instance, when the
    /// configuration has one process, one replica, restart `never`.
    pub fn single_never(&self) -> Option<String> {
        let config = self.config()?;
        let mut procs = config.process.iter();
        match (procs.next(), procs.next()) {
            (Some((name, p)), None) if p.replicas == 1 && p.restart == RestartPolicy::Never => {
                Some(name.clone())
            }
            _ => None,
        }
    }
}

/// Sends a command to an instance and waits for its answer.
async fn ask(
    v: &View,
    cmd: impl FnOnce(oneshot::Sender<Result<(), SupervisorError>>) -> Cmd,
) -> Result<(), SupervisorError> {
    let (tx, rx) = oneshot::channel();
    v.cmds
        .send(cmd(tx))
        .await
        .map_err(|_| SupervisorError::Closed)?;
    rx.await.map_err(|_| SupervisorError::Closed)?
}

/// Writes `bytes` to `path` with mode 0600: a temporary file, fsync, rename, fsync of the
/// directory.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

use std::os::unix::fs::DirBuilderExt as _;
