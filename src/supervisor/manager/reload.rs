//! Changes of the process set after the start: reload (only removed, added and changed
//! processes stop or start), a configuration replaced by a library user, and the shutdown,
//! each stopping dependents before their dependencies.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use super::{Proc, ReloadReport, Supervisor, View, ask, depth};
use crate::supervisor::SupervisorError;
use crate::supervisor::config::Config;
use crate::supervisor::instance::Cmd;
use crate::supervisor::state::InstanceStatus;
use futures_util::future::join_all;

impl Supervisor {
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
            self.open_gate(&new, name, &mut procs, &BTreeSet::new());
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
}
