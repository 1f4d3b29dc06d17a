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
use super::config::{Condition, Config, ProcessSpec, RestartPolicy};
use super::instance::{self, Cmd};
use super::leftovers::{self, Children};
use super::logs::{EchoLine, Reopen};
use super::protect::Protection;
use super::reaper::{self, Reaper};
use super::shared::Shared;
use super::state::{Event, InstanceStatus, State};

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
            self.open_gate(&config, name, &mut procs);
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

    /// Starts a process's instances once its dependencies reached their conditions.
    fn open_gate(&self, config: &Config, name: &str, procs: &mut BTreeMap<String, Proc>) {
        let Some(p) = procs.get_mut(name) else { return };
        if !p.spec.autostart {
            return;
        }
        let deps: Vec<(String, Condition, Vec<View>, Vec<i32>)> = p
            .spec
            .depends_on
            .iter()
            .map(|(dep, cond)| {
                let codes = config
                    .process
                    .get(dep)
                    .map(|d| d.success_exit_codes.clone());
                (
                    dep.clone(),
                    *cond,
                    self.views_of(dep),
                    codes.unwrap_or_default(),
                )
            })
            .collect();
        let mine = self.views_of(name);
        let mut hold = self.inner.hold.subscribe();
        if let Some(old) = p.gate.take() {
            old.abort();
        }
        p.gate = Some(tokio::spawn(async move {
            let held = hold.borrow_and_update().clone();
            if let Some(why) = held {
                for m in &mine {
                    let _ = m.cmds.send(Cmd::Note(State::Starting, why.clone())).await;
                }
            }
            if hold.wait_for(Option::is_none).await.is_err() {
                return;
            }
            for (dep, cond, views, codes) in deps {
                for v in views {
                    let note = format!("waiting for {dep} ({})", cond_name(cond));
                    for m in &mine {
                        let _ = m.cmds.send(Cmd::Note(State::Starting, note.clone())).await;
                    }
                    if let Err(why) = wait_for(v.status, cond, &codes).await {
                        for m in &mine {
                            let reason = format!("dependency {dep} failed: {why}");
                            let _ = m.cmds.send(Cmd::Note(State::Stopped, reason)).await;
                        }
                        return;
                    }
                }
            }
            join_all(mine.iter().map(|m| ask(m, Cmd::Start))).await;
        }));
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

    /// Reads the configuration again (the `--config` file, or the stored `config.json`) and
    /// applies the difference: removed and changed processes stop (dependents first), then
    /// added and changed ones start in dependency order; the rest is left alone.
    ///
    /// # Errors
    /// [`SupervisorError::NotConfigured`], or the new configuration does not load.
    pub async fn reload(&self) -> Result<ReloadReport, SupervisorError> {
        let source = match &self.inner.config_file {
            Some(f) => Some(Config::from_file(f)?),
            None => {
                let stored = self.inner.state_dir.join("config.json");
                match std::fs::read(&stored) {
                    Ok(bytes) => Some(Config::from_json(&bytes)?),
                    Err(_) => None,
                }
            }
        };
        let old = self.config().ok_or(SupervisorError::NotConfigured)?;
        let new = source.unwrap_or_else(|| old.clone());
        self.reload_with(old, new).await
    }

    /// Puts `config` in place of the configuration (given by a library user such as the flow
    /// manager, which keeps it elsewhere) and applies the difference as
    /// [`Supervisor::reload`] does; nothing is written to the state directory. An unconfigured
    /// supervisor starts from an empty configuration. Callers serialize their replacements.
    ///
    /// # Errors
    /// The configuration does not check, or [`SupervisorError::Closed`].
    pub async fn replace_config(&self, config: Config) -> Result<ReloadReport, SupervisorError> {
        config.validate()?;
        let old = self.config().unwrap_or_default();
        self.reload_with(old, config).await
    }

    async fn reload_with(&self, old: Config, new: Config) -> Result<ReloadReport, SupervisorError> {
        let mut procs = self.inner.procs.lock().await;
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(SupervisorError::Closed);
        }
        let mut report = ReloadReport::default();
        for (name, spec) in &old.process {
            match new.process.get(name) {
                None => report.removed.push(name.clone()),
                Some(n) if n != spec => report.changed.push(name.clone()),
                Some(_) => report.unchanged.push(name.clone()),
            }
        }
        report.added = new
            .process
            .keys()
            .filter(|n| !old.process.contains_key(*n))
            .cloned()
            .collect();
        let going: BTreeSet<String> = report
            .removed
            .iter()
            .chain(&report.changed)
            .cloned()
            .collect();
        self.stop_in_reverse(&old, &mut procs, &going).await;
        *self
            .inner
            .config
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(new.clone());
        self.inner.changes.send_modify(|g| *g += 1);
        let coming: BTreeSet<&String> = report.added.iter().chain(&report.changed).collect();
        let order = new.start_order()?;
        for name in order.iter().filter(|n| coming.contains(n)) {
            let spec = Arc::new(new.process[name].clone());
            procs.insert(name.clone(), self.create(name, spec));
        }
        for name in order.iter().filter(|n| coming.contains(n)) {
            self.open_gate(&new, name, &mut procs);
        }
        Ok(report)
    }

    /// Stops the `which` processes, dependents before their dependencies, and removes them.
    async fn stop_in_reverse(
        &self,
        config: &Config,
        procs: &mut BTreeMap<String, Proc>,
        which: &BTreeSet<String>,
    ) {
        let mut levels: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for name in which {
            levels
                .entry(depth(config, name))
                .or_default()
                .push(name.clone());
        }
        for (_, names) in levels.into_iter().rev() {
            let mut stopping = Vec::new();
            for name in names {
                let Some(p) = procs.remove(&name) else {
                    continue;
                };
                if let Some(g) = &p.gate {
                    g.abort();
                }
                let views: Vec<View> = {
                    let mut all = self
                        .inner
                        .views
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    p.instances.iter().filter_map(|i| all.remove(i)).collect()
                };
                stopping.push(async move {
                    join_all(views.iter().map(|v| ask(v, Cmd::Shutdown))).await;
                    join_all(p.tasks).await;
                });
            }
            join_all(stopping).await;
        }
    }

    /// Stops every process, dependents first, each group by its stop signal, then SIGKILL after
    /// its `timeout_stop`. Returns the final status of every instance. Later commands fail with
    /// [`SupervisorError::Closed`].
    pub async fn shutdown(&self) -> Vec<InstanceStatus> {
        let mut procs = self.inner.procs.lock().await;
        self.inner.closed.store(true, Ordering::SeqCst);
        let last = self.status();
        let Some(config) = self.config() else {
            return last;
        };
        let all: BTreeSet<String> = procs.keys().cloned().collect();
        let watchers: Vec<_> = {
            let views = self
                .inner
                .views
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            views.values().map(|v| v.status.clone()).collect()
        };
        self.stop_in_reverse(&config, &mut procs, &all).await;
        self.inner.shared.children.flush();
        // Its tasks may wait for this lock (a hold, an unhold): let them see the end.
        drop(procs);
        if let Some(p) = self.protection() {
            p.shutdown().await;
        }
        watchers.into_iter().map(|w| w.borrow().clone()).collect()
    }

    /// State protection, when `[storage]` is configured.
    pub fn protection(&self) -> Option<Arc<Protection>> {
        self.inner
            .protect
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Why processes are held stopped, if they are.
    pub fn held(&self) -> Option<String> {
        self.inner.hold.borrow().clone()
    }

    /// Sets up state protection for `config`; processes wait for it when it must go first
    /// (the lease, the database restore).
    fn protect_start(&self, config: &Config) {
        let used = config.state.is_some() || !config.stacks.is_empty();
        if !used {
            return;
        }
        let p = match Protection::from_config(config, &self.inner.state_dir) {
            Ok(Some(p)) => p,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "state protection cannot start");
                return;
            }
        };
        if p.gates_start() {
            let why = if p.leaser.is_some() {
                "waiting for the lease"
            } else {
                "restoring the SQLite database"
            };
            self.inner.hold.send_replace(Some(why.to_owned()));
        }
        *self
            .inner
            .protect
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(p.clone());
        p.spawn(self);
    }

    /// Stops every process (dependents first) and keeps them from starting until
    /// [`Supervisor::unhold`]; each shows `reason`.
    pub async fn hold(&self, reason: &str) {
        self.inner.hold.send_replace(Some(reason.to_owned()));
        let mut procs = self.inner.procs.lock().await;
        let Some(config) = self.config() else { return };
        for p in procs.values_mut() {
            if let Some(g) = p.gate.take() {
                g.abort();
            }
        }
        let mut levels: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for name in procs.keys() {
            levels
                .entry(depth(&config, name))
                .or_default()
                .push(name.clone());
        }
        for (_, names) in levels.into_iter().rev() {
            let views: Vec<View> = names.iter().flat_map(|n| self.views_of(n)).collect();
            join_all(views.iter().map(|v| ask(v, Cmd::Stop))).await;
            for v in &views {
                let _ = v
                    .cmds
                    .send(Cmd::Note(State::Stopped, reason.to_owned()))
                    .await;
            }
        }
        drop(procs);
    }

    /// Ends a hold: the processes start again as at the supervisor's start (autostart ones,
    /// in dependency order).
    pub async fn unhold(&self) {
        let mut procs = self.inner.procs.lock().await;
        self.inner.hold.send_replace(None);
        if self.inner.closed.load(Ordering::SeqCst) {
            return;
        }
        let Some(config) = self.config() else { return };
        for name in config.start_order().unwrap_or_default() {
            self.open_gate(&config, &name, &mut procs);
        }
    }
}

/// How deep a process sits in the dependency graph (0: depends on nothing).
fn depth(config: &Config, name: &str) -> usize {
    config.process.get(name).map_or(0, |p| {
        p.depends_on
            .keys()
            .map(|d| 1 + depth(config, d))
            .max()
            .unwrap_or(0)
    })
}

fn cond_name(c: Condition) -> &'static str {
    match c {
        Condition::Started => "started",
        Condition::Ready => "ready",
        Condition::CompletedSuccessfully => "completed_successfully",
    }
}

/// Waits until an instance meets `cond`; an error says why it never will.
async fn wait_for(
    mut rx: watch::Receiver<InstanceStatus>,
    cond: Condition,
    success: &[i32],
) -> Result<(), String> {
    loop {
        {
            let s = rx.borrow_and_update();
            let ok_exit = s
                .last_exit
                .and_then(|e| e.code)
                .is_some_and(|c| success.contains(&c));
            match (s.state, cond) {
                (State::Running, Condition::Started) => return Ok(()),
                (State::Running, Condition::Ready) if s.ready => return Ok(()),
                (State::Exited, Condition::CompletedSuccessfully) if ok_exit => return Ok(()),
                (State::Exited, _) => {
                    return Err(format!(
                        "{} exited ({})",
                        s.name,
                        s.reason.clone().unwrap_or_default()
                    ));
                }
                (State::Fatal, _) => {
                    return Err(format!(
                        "{} is FATAL ({})",
                        s.name,
                        s.reason.clone().unwrap_or_default()
                    ));
                }
                _ => {}
            }
        }
        if rx.changed().await.is_err() {
            return Err("it was removed".to_owned());
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
