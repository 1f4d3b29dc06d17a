//! One instance's state machine, as a task: it owns the running child and answers commands
//! (start, stop, restart, signal, replace the spec, shut down), applies the restart policy,
//! backoff and start limit, and publishes every change.
//!
//! An intentional stop (stop, restart, replace, shutdown) never leads to an automatic restart:
//! only an exit the task did not ask for, or a failed liveness probe, does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::backoff::{self, StartLimit};
use super::child::{self, Launch, Running};
use super::config::{ProcessSpec, RestartPolicy};
use super::logs::LogSink;
use super::probe::{self, ProbeEvent, ProbeKind, Role};
use super::reaper::ExitStatus;
use super::shared::Shared;
use super::state::{InstanceStatus, State};
use super::{SupervisorError, signals};

/// A command to an instance, with where its answer goes.
pub enum Cmd {
    /// Start (also: leave FATAL, forgetting the start limit).
    Start(oneshot::Sender<Result<(), SupervisorError>>),
    /// Stop and stay stopped; answered once the process group is gone.
    Stop(oneshot::Sender<Result<(), SupervisorError>>),
    /// Stop, then start.
    Restart(oneshot::Sender<Result<(), SupervisorError>>),
    /// Send a signal to the process group.
    Signal(Signal, oneshot::Sender<Result<(), SupervisorError>>),
    /// While not running: show STARTING (waiting for dependencies) or STOPPED with a reason.
    Note(State, String),
    /// Stop and end the task.
    Shutdown(oneshot::Sender<Result<(), SupervisorError>>),
}

/// The handle of an instance task.
pub struct Handle {
    /// Its commands.
    pub cmds: mpsc::Sender<Cmd>,
    /// Its latest status.
    pub status: watch::Receiver<InstanceStatus>,
    /// The task.
    pub task: JoinHandle<()>,
}

/// Starts the task of instance `name` (replica `replica` of `process`), stopped.
pub fn spawn(
    shared: Arc<Shared>,
    process: &str,
    name: &str,
    replica: u32,
    spec: Arc<ProcessSpec>,
) -> Handle {
    let (cmd_tx, cmd_rx) = mpsc::channel(16);
    let (status_tx, status_rx) = watch::channel(InstanceStatus::new(name, process));
    let (probe_tx, probe_rx) = mpsc::channel(16);
    let inst = Instance {
        shared,
        spec,
        replica,
        status: status_tx,
        cmds: cmd_rx,
        probe_tx,
        probe_rx,
        run: 0,
        failures: 0,
        limit: StartLimit::default(),
        log: None,
    };
    Handle {
        cmds: cmd_tx,
        status: status_rx,
        task: tokio::spawn(inst.main()),
    }
}

struct Instance {
    shared: Arc<Shared>,
    spec: Arc<ProcessSpec>,
    replica: u32,
    status: watch::Sender<InstanceStatus>,
    cmds: mpsc::Receiver<Cmd>,
    probe_tx: mpsc::Sender<ProbeEvent>,
    probe_rx: mpsc::Receiver<ProbeEvent>,
    /// Number of the current run; probe events of older runs are ignored.
    run: u64,
    /// Failed (or short) runs in a row: the backoff exponent.
    failures: u32,
    limit: StartLimit,
    log: Option<Arc<LogSink>>,
}

/// A run in progress: the child and its probe tasks (aborted with it).
struct Live {
    child: Running,
    started: Instant,
    probes: Vec<JoinHandle<()>>,
}

impl Drop for Live {
    fn drop(&mut self) {
        for p in &self.probes {
            p.abort();
        }
    }
}

enum Phase {
    Idle,
    Backoff(tokio::time::Instant),
    Live(Box<Live>),
}

impl Instance {
    fn name(&self) -> String {
        self.status.borrow().name.clone()
    }

    /// Changes the status and publishes it.
    fn set(&self, f: impl FnOnce(&mut InstanceStatus)) {
        self.status.send_modify(|s| {
            let before = s.state;
            f(s);
            if s.state != before {
                s.since = crate::time::format_ts(crate::time::now_ms());
            }
        });
        self.shared.publish(self.status.borrow().clone());
    }

    async fn main(mut self) {
        let mut phase = Phase::Idle;
        loop {
            phase = match phase {
                Phase::Idle => match self.idle().await {
                    Some(p) => p,
                    None => return,
                },
                Phase::Backoff(until) => match self.backoff(until).await {
                    Some(p) => p,
                    None => return,
                },
                Phase::Live(live) => match self.live(live).await {
                    Some(p) => p,
                    None => return,
                },
            };
        }
    }

    /// STOPPED, EXITED or FATAL: wait for a command (or FATAL's auto-reset).
    async fn idle(&mut self) -> Option<Phase> {
        let fatal_reset = match (self.status.borrow().state, self.spec.fatal_reset_after) {
            (State::Fatal, Some(after)) => Some(after),
            _ => None,
        };
        let timer = async {
            match fatal_reset {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            cmd = self.cmds.recv() => match cmd? {
                Cmd::Start(reply) | Cmd::Restart(reply) => {
                    self.limit.reset();
                    self.failures = 0;
                    let phase = self.try_start();
                    let _ = reply.send(Ok(()));
                    Some(phase)
                }
                Cmd::Stop(reply) => {
                    if self.status.borrow().state == State::Fatal {
                        self.set(|s| { s.state = State::Stopped; s.reason = None; });
                    }
                    let _ = reply.send(Ok(()));
                    Some(Phase::Idle)
                }
                Cmd::Signal(_, reply) => {
                    let _ = reply.send(Err(SupervisorError::NotRunning(self.name())));
                    Some(Phase::Idle)
                }
                Cmd::Note(state, reason) => {
                    self.set(|s| { s.state = state; s.reason = Some(reason); });
                    Some(Phase::Idle)
                }
                Cmd::Shutdown(reply) => {
                    let _ = reply.send(Ok(()));
                    None
                }
            },
            () = timer => {
                self.limit.reset();
                self.failures = 0;
                Some(self.try_start())
            }
        }
    }

    /// BACKOFF: wait for the delay, or a command.
    async fn backoff(&mut self, until: tokio::time::Instant) -> Option<Phase> {
        // No delay left (`restart_delay = 0`): start now. A timer would round up to the next
        // millisecond tick of tokio's timer wheel, and fire only at its next turn.
        if until <= tokio::time::Instant::now() {
            return Some(self.try_start());
        }
        tokio::select! {
            () = tokio::time::sleep_until(until) => Some(self.try_start()),
            cmd = self.cmds.recv() => match cmd? {
                Cmd::Start(reply) | Cmd::Restart(reply) => {
                    let phase = self.try_start();
                    let _ = reply.send(Ok(()));
                    Some(phase)
                }
                Cmd::Stop(reply) => {
                    self.set(|s| { s.state = State::Stopped; s.reason = None; });
                    let _ = reply.send(Ok(()));
                    Some(Phase::Idle)
                }
                Cmd::Signal(_, reply) => {
                    let _ = reply.send(Err(SupervisorError::NotRunning(self.name())));
                    Some(Phase::Backoff(until))
                }
                Cmd::Note(..) => Some(Phase::Backoff(until)),
                Cmd::Shutdown(reply) => {
                    self.set(|s| { s.state = State::Stopped; s.reason = None; });
                    let _ = reply.send(Ok(()));
                    None
                }
            },
        }
    }

    /// RUNNING: wait for the exit, a probe event or a command.
    async fn live(&mut self, mut live: Box<Live>) -> Option<Phase> {
        loop {
            tokio::select! {
                exit = &mut live.child.exit => {
                    let status = exit.unwrap_or(ExitStatus { code: None, signal: None });
                    return Some(self.exited(*live, status).await);
                }
                Some(ev) = self.probe_rx.recv() => match ev {
                    ProbeEvent::Ready(run) if run == self.run => self.set(|s| s.ready = true),
                    ProbeEvent::NotReady(run) if run == self.run => self.set(|s| {
                        s.ready = false;
                        s.reason = Some("readiness probe failing".to_owned());
                    }),
                    ProbeEvent::Dead(run) if run == self.run => {
                        let status = self.stop_child(&mut live).await;
                        self.status.send_modify(|s| s.last_exit = Some(status));
                        let reason = "liveness probe failed".to_owned();
                        return Some(self.after_failure(reason));
                    }
                    _ => {}
                },
                cmd = self.cmds.recv() => match cmd {
                    None => { self.stop_child(&mut live).await; return None; }
                    Some(Cmd::Start(reply)) => { let _ = reply.send(Ok(())); }
                    Some(Cmd::Signal(sig, reply)) => {
                        let r = signals::kill_group(live.child.pid, sig)
                            .map_err(|e| SupervisorError::Signal { instance: self.name(), message: e.to_string() });
                        let _ = reply.send(r);
                    }
                    Some(Cmd::Stop(reply)) => {
                        let status = self.stop_child(&mut live).await;
                        self.set(|s| stopped(s, status));
                        let _ = reply.send(Ok(()));
                        return Some(Phase::Idle);
                    }
                    Some(Cmd::Restart(reply)) => {
                        let status = self.stop_child(&mut live).await;
                        self.set(|s| stopped(s, status));
                        self.failures = 0;
                        let phase = self.try_start();
                        let _ = reply.send(Ok(()));
                        return Some(phase);
                    }
                    Some(Cmd::Note(..)) => {}
                    Some(Cmd::Shutdown(reply)) => {
                        let status = self.stop_child(&mut live).await;
                        self.set(|s| stopped(s, status));
                        let _ = reply.send(Ok(()));
                        return None;
                    }
                },
            }
        }
    }

    /// Starts a run if the start limit allows it: RUNNING, or FATAL, or BACKOFF after a failed
    /// spawn.
    fn try_start(&mut self) -> Phase {
        let spec = self.spec.clone();
        if !self
            .limit
            .allow(Instant::now(), spec.start_limit, spec.start_limit_window)
        {
            let reason = format!(
                "start limit hit: {} starts within {}; `start` resets it",
                spec.start_limit,
                humantime::format_duration(spec.start_limit_window)
            );
            self.set(|s| {
                s.state = State::Fatal;
                s.ready = false;
                s.pid = None;
                s.reason = Some(reason);
            });
            return Phase::Idle;
        }
        self.set(|s| s.state = State::Starting);
        match self.launch(&spec) {
            Ok(live) => {
                let pid = live.child.pid;
                let first = self.run == 1;
                let ready = spec.readiness.is_none();
                self.set(|s| {
                    s.state = State::Running;
                    s.pid = Some(pid);
                    s.ready = ready;
                    s.reason = None;
                    s.started_at = Some(crate::time::format_ts(crate::time::now_ms()));
                    if !first {
                        s.restarts += 1;
                    }
                });
                Phase::Live(live)
            }
            Err(e) => {
                let reason = e.to_string();
                if spec.restart == RestartPolicy::Never {
                    self.set(|s| {
                        s.state = State::Fatal;
                        s.reason = Some(reason);
                    });
                    Phase::Idle
                } else {
                    self.after_failure(reason)
                }
            }
        }
    }

    fn launch(&mut self, spec: &ProcessSpec) -> Result<Box<Live>, SupervisorError> {
        let name = self.name();
        let process = self.status.borrow().process.clone();
        let log = match &self.log {
            Some(l) => l.clone(),
            None => {
                let sink = LogSink::open(
                    &self.shared.log_dir,
                    &name,
                    &spec.log,
                    Some(self.shared.echo.clone()),
                    self.shared.reopen.clone(),
                )
                .map_err(|e| SupervisorError::Spawn {
                    instance: name.clone(),
                    message: format!("log file: {e}"),
                })?;
                let sink = Arc::new(sink);
                self.log = Some(sink.clone());
                sink
            }
        };
        self.run += 1;
        let readiness = spec.readiness.as_ref().and_then(|p| p.kind().ok());
        let log_line = match &readiness {
            Some(ProbeKind::LogLine(re)) => Some(re.clone()),
            _ => None,
        };
        let notify_path = matches!(readiness, Some(ProbeKind::Notify))
            .then(|| self.shared.notify_dir.join(format!("{name}.sock")));
        let child = child::launch(
            &self.shared.reaper,
            spec,
            Launch {
                instance: &name,
                process: &process,
                replica: self.replica,
                run: self.run,
                log,
                events: self.probe_tx.clone(),
                log_line,
                notify: notify_path.as_deref(),
            },
        )?;
        self.shared.children.started(&name, child.pid);
        let mut probes = Vec::new();
        for (spec, role) in [
            (&spec.readiness, Role::Readiness),
            (&spec.liveness, Role::Liveness),
        ] {
            if let Some(p) = spec
                && let Ok(kind) = p.kind()
                && matches!(
                    kind,
                    ProbeKind::Exec(_) | ProbeKind::Http(_) | ProbeKind::Tcp(_)
                )
            {
                probes.push(tokio::spawn(probe::poll(
                    p.clone(),
                    kind,
                    role,
                    self.run,
                    self.shared.reaper.clone(),
                    self.probe_tx.clone(),
                )));
            }
        }
        Ok(Box::new(Live {
            child,
            started: Instant::now(),
            probes,
        }))
    }

    /// The child exited without being asked to: clean up its group, then apply the policy.
    async fn exited(&mut self, live: Live, status: ExitStatus) -> Phase {
        let pid = live.child.pid;
        let ran = live.started.elapsed();
        drop(live);
        self.end_group(pid, Instant::now() + self.spec.timeout_stop)
            .await;
        self.shared.children.ended(&self.name());
        if ran >= self.spec.healthy_after {
            self.failures = 0;
        }
        let success = status
            .code
            .is_some_and(|c| self.spec.success_exit_codes.contains(&c));
        let restart = match self.spec.restart {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => !success,
            RestartPolicy::Never => false,
        };
        // Not published: the next state (BACKOFF or EXITED) carries it in one event.
        self.status.send_modify(|s| {
            s.last_exit = Some(status);
            s.pid = None;
            s.ready = false;
        });
        if restart {
            self.after_failure(status.to_string())
        } else {
            self.set(|s| {
                s.state = State::Exited;
                s.reason = Some(status.to_string());
            });
            Phase::Idle
        }
    }

    /// BACKOFF for the next delay (or EXITED for a `never` process).
    fn after_failure(&mut self, reason: String) -> Phase {
        if self.spec.restart == RestartPolicy::Never {
            self.set(|s| {
                s.state = State::Exited;
                s.pid = None;
                s.ready = false;
                s.reason = Some(reason);
            });
            return Phase::Idle;
        }
        self.failures = self.failures.saturating_add(1);
        let delay = backoff::delay(&self.spec, self.failures, backoff::random_unit());
        self.set(|s| {
            s.state = State::Backoff;
            s.pid = None;
            s.ready = false;
            s.reason = Some(format!(
                "{reason}; restart in {}",
                humantime::format_duration(Duration::from_millis(delay.as_millis() as u64))
            ));
        });
        Phase::Backoff(tokio::time::Instant::now() + delay)
    }

    /// STOPPING: the stop signal to the group, `timeout_stop` for the leader and the rest of
    /// the group to end, then SIGKILL to the group. Returns how the leader ended.
    async fn stop_child(&mut self, live: &mut Live) -> ExitStatus {
        let pid = live.child.pid;
        self.set(|s| {
            s.state = State::Stopping;
            s.ready = false;
        });
        for p in &live.probes {
            p.abort();
        }
        let sig = signals::parse(&self.spec.stop_signal).unwrap_or(Signal::SIGTERM);
        let _ = signals::kill_group(pid, sig);
        let deadline = Instant::now() + self.spec.timeout_stop;
        let status = match tokio::time::timeout_at(deadline.into(), &mut live.child.exit).await {
            Ok(Ok(s)) => s,
            Ok(Err(_)) => ExitStatus {
                code: None,
                signal: None,
            },
            Err(_) => {
                let _ = signals::kill_group(pid, Signal::SIGKILL);
                (&mut live.child.exit).await.unwrap_or(ExitStatus {
                    code: None,
                    signal: None,
                })
            }
        };
        self.end_group(pid, deadline).await;
        self.shared.children.ended(&self.name());
        status
    }

    /// Waits until nothing is left in group `pgid`, killing it at `deadline`.
    async fn end_group(&self, pgid: i32, deadline: Instant) {
        if !signals::group_alive(pgid) {
            return;
        }
        let sig = signals::parse(&self.spec.stop_signal).unwrap_or(Signal::SIGTERM);
        let _ = signals::kill_group(pgid, sig);
        let mut killed = false;
        let mut pause = Duration::from_millis(1);
        let hard_stop = deadline + Duration::from_secs(5);
        while signals::group_alive(pgid) {
            let now = Instant::now();
            if !killed && now >= deadline {
                let _ = signals::kill_group(pgid, Signal::SIGKILL);
                killed = true;
            }
            if now >= hard_stop {
                tracing::warn!(pgid, "process group still alive after SIGKILL");
                return;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

fn stopped(s: &mut InstanceStatus, status: ExitStatus) {
    s.state = State::Stopped;
    s.pid = None;
    s.ready = false;
    s.reason = None;
    s.last_exit = Some(status);
}
