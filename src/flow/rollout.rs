//! A deploy's rollout: replica by replica, each replaced (or added) and waited for until it is
//! ready, so a flow never loses more than one replica at a time; the first replica that does
//! not become ready within its worker's `ready_timeout` stops the rollout, and the caller puts
//! the previous configuration back.

use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;

use crate::supervisor::{Config, InstanceStatus, State, Supervisor};

/// How long a replica without a readiness probe must keep running to count as ready.
pub(super) const SETTLE: Duration = Duration::from_secs(1);

/// What the rollout needs to know per replica (supervised process): its ready timeout and
/// whether it has a readiness probe.
pub(super) type Gates = std::collections::BTreeMap<String, (Duration, bool)>;

/// Moves `sup` from the configuration it has to `to`, replica by replica in name order, each
/// gated on readiness; processes `to` does not have go at the end.
///
/// # Errors
/// Why the first replica that failed its gate failed.
pub(super) async fn roll(sup: &Supervisor, to: &Config, gates: &Gates) -> Result<(), String> {
    let mut current = sup.config().unwrap_or_default();
    for (name, spec) in &to.process {
        if current.process.get(name) == Some(spec) {
            continue;
        }
        current.process.insert(name.clone(), spec.clone());
        sup.replace_config(current.clone())
            .await
            .map_err(|e| e.to_string())?;
        let (timeout, probed) = gates
            .get(name)
            .copied()
            .unwrap_or((Duration::from_secs(30), false));
        wait_ready(sup, name, timeout, probed).await?;
    }
    sup.replace_config(to.clone())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn status_of(sup: &Supervisor, name: &str) -> Option<InstanceStatus> {
    sup.status().into_iter().find(|s| s.name == name)
}

/// Waits until instance `name` is running and ready (with no probe: still the same run
/// [`SETTLE`] later).
///
/// # Errors
/// It exited for good, became FATAL, or `timeout` passed.
pub(super) async fn wait_ready(
    sup: &Supervisor,
    name: &str,
    timeout: Duration,
    probed: bool,
) -> Result<(), String> {
    let mut events = sup.subscribe();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last = None;
    loop {
        if let Some(s) = status_of(sup, name) {
            match s.state {
                State::Running if s.ready => {
                    if probed {
                        return Ok(());
                    }
                    let settled = (tokio::time::Instant::now() + SETTLE).min(deadline);
                    tokio::time::sleep_until(settled).await;
                    let now = status_of(sup, name);
                    if now.as_ref().is_some_and(|n| {
                        n.state == State::Running && n.pid == s.pid && n.restarts == s.restarts
                    }) && tokio::time::Instant::now() < deadline
                    {
                        return Ok(());
                    }
                }
                State::Fatal | State::Exited => return Err(describe(&s)),
                _ => {}
            }
            last = Some(s);
        }
        if tokio::time::Instant::now() >= deadline {
            let state = last
                .as_ref()
                .map_or_else(|| "not started".to_owned(), describe);
            return Err(format!(
                "{name} did not become ready within {} ({state})",
                humantime::format_duration(timeout)
            ));
        }
        // Wake on the next change, or soon anyway (a missed event costs at most 250 ms).
        let tick = (tokio::time::Instant::now() + Duration::from_millis(250)).min(deadline);
        tokio::select! {
            r = events.recv() => if let Err(RecvError::Closed) = r {
                return Err("the supervisor stopped".into());
            },
            _ = tokio::time::sleep_until(tick) => {}
        }
    }
}

/// `fetch-0 is FATAL (reason; last run: exited with code 1)`.
fn describe(s: &InstanceStatus) -> String {
    let mut out = format!("{} is {}", s.name, s.state.as_str());
    let mut parts = Vec::new();
    if let Some(r) = &s.reason {
        parts.push(r.clone());
    }
    if let Some(e) = &s.last_exit {
        parts.push(format!("last run {e}"));
    }
    if !parts.is_empty() {
        out.push_str(&format!(" ({})", parts.join("; ")));
    }
    out
}
