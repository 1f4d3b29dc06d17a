//! Holds: times when processes may not run (waiting for the lease, restoring a checkpoint or
//! the SQLite database, a checkpoint that stops them), and the state protection that asks
//! for them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use super::{Supervisor, View, ask, depth};
use crate::supervisor::config::Config;
use crate::supervisor::instance::Cmd;
use crate::supervisor::protect::Protection;
use crate::supervisor::state::State;
use futures_util::future::join_all;

impl Supervisor {
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
    pub(super) fn protect_start(&self, config: &Config) {
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
    /// [`Supervisor::unhold`]; each shows `reason`, except the instances an operator had
    /// stopped, which stay as they were (and stay stopped after the hold).
    pub async fn hold(&self, reason: &str) {
        self.inner.hold.send_replace(Some(reason.to_owned()));
        let mut procs = self.inner.procs.lock().await;
        let kept = self.stopped_by_hand();
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
            let held: Vec<&View> = views
                .iter()
                .filter(|v| !kept.contains(&v.status.borrow().name))
                .collect();
            for v in &held {
                let _ = v
                    .cmds
                    .send(Cmd::Note(State::Stopped, reason.to_owned()))
                    .await;
            }
            // The notes are what tells them from stops by hand at the unhold: wait until
            // they are shown (an instance gone or stuck is not waited for long).
            join_all(held.iter().map(|v| {
                let mut rx = v.status.clone();
                async move {
                    let shown = rx.wait_for(|s| s.reason.is_some());
                    let _ = tokio::time::timeout(Duration::from_secs(5), shown).await;
                }
            }))
            .await;
        }
        drop(procs);
    }

    /// Ends a hold: the processes start again as at the supervisor's start (autostart ones,
    /// in dependency order), except the instances an operator stopped before or during it.
    pub async fn unhold(&self) {
        let mut procs = self.inner.procs.lock().await;
        let kept = self.stopped_by_hand();
        self.inner.hold.send_replace(None);
        if self.inner.closed.load(Ordering::SeqCst) {
            return;
        }
        let Some(config) = self.config() else { return };
        for name in config.start_order().unwrap_or_default() {
            self.open_gate(&config, &name, &mut procs, &kept);
        }
    }

    /// The instances an operator stopped: ones that ran and are `STOPPED` with no reason (a
    /// hold and a failed dependency give one).
    fn stopped_by_hand(&self) -> BTreeSet<String> {
        let views = self
            .inner
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        views
            .values()
            .filter_map(|v| {
                let s = v.status.borrow();
                let by_hand =
                    s.state == State::Stopped && s.reason.is_none() && s.started_at.is_some();
                by_hand.then(|| s.name.clone())
            })
            .collect()
    }
}
