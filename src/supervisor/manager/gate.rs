//! Starting in dependency order: a process's gate waits until no hold is in effect and its
//! dependencies reached their conditions (`started`, `ready`, `completed_successfully`), then
//! starts its instances.

use std::collections::{BTreeMap, BTreeSet};

use super::{Proc, Supervisor, View, ask};
use crate::supervisor::config::{Condition, Config};
use crate::supervisor::instance::Cmd;
use crate::supervisor::state::{InstanceStatus, State};
use futures_util::future::join_all;
use tokio::sync::watch;

impl Supervisor {
    /// Starts a process's instances once its dependencies reached their conditions, except
    /// the instances named in `skip` (stopped by an operator before a hold).
    pub(super) fn open_gate(
        &self,
        config: &Config,
        name: &str,
        procs: &mut BTreeMap<String, Proc>,
        skip: &BTreeSet<String>,
    ) {
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
        let mine: Vec<View> = self
            .views_of(name)
            .into_iter()
            .filter(|v| !skip.contains(&v.status.borrow().name))
            .collect();
        if mine.is_empty() {
            return;
        }
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
}

/// How deep a process sits in the dependency graph (0: depends on nothing).
pub(super) fn depth(config: &Config, name: &str) -> usize {
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
