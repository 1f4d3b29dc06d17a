//! The task that keeps the links of a flow's running replicas connected: it tries a replica
//! whose link is down at once when the supervisor reports a change of it, then with a backoff
//! (50 ms doubling to 5 s), quietly: a worker may serve no socket at all.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crate::flow::runtime::Runtime;
use crate::supervisor::State;

/// First and longest wait between two connection attempts to a replica that does not listen.
/// (A request connects at once, whatever the backoff; a supervisor event resets it.)
const BACKOFF: (Duration, Duration) = (Duration::from_millis(50), Duration::from_secs(5));

/// The longest the connector sleeps without a supervisor event or a connection ending.
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// A connection that lasted this long resets the backoff; one that ended sooner (a worker
/// that accepts and closes at once) keeps it growing, so the connector never spins.
const STABLE: Duration = Duration::from_secs(1);

/// Starts the task that keeps the links of the flow's running replicas connected; it ends when
/// the flow's runtime is dropped. It wakes on each supervisor event (a replica's attempt is then
/// made at once), when a connection ends, when an attempt is due, and at least every
/// [`IDLE_CHECK`]. A replica whose socket file does not exist costs a `stat`, not a connect.
pub(in crate::flow) fn spawn_connector(rt: &Arc<Runtime>) {
    let mut events = rt.sup.subscribe();
    let ended = rt.links.ended.clone();
    let weak: Weak<Runtime> = Arc::downgrade(rt);
    tokio::spawn(async move {
        // Replica → (next attempt, current backoff).
        let mut attempts: HashMap<String, (Instant, Duration)> = HashMap::new();
        // Replica → when its current connection was made.
        let mut connected_at: HashMap<String, Instant> = HashMap::new();
        let mut wake = Instant::now();
        loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    // Something changed for this replica: try it again at once.
                    Ok(ev) => { attempts.remove(&ev.status.name); }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => attempts.clear(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                },
                () = ended.notified() => {}
                () = tokio::time::sleep_until(wake.into()) => {}
            }
            let Some(rt) = weak.upgrade() else { break };
            let status = rt.sup.status();
            let links = rt.links.clone();
            drop(rt);
            let known: HashSet<String> = status.iter().map(|s| s.name.clone()).collect();
            links.retain(&known);
            attempts.retain(|name, _| known.contains(name));
            connected_at.retain(|name, _| known.contains(name));
            let now = Instant::now();
            wake = now + IDLE_CHECK;
            for s in status {
                if s.state != State::Running {
                    attempts.remove(&s.name);
                    connected_at.remove(&s.name);
                    continue;
                }
                let link = links.get(&s.name);
                let paused = {
                    let sh = link.lock();
                    if sh.connected {
                        continue;
                    }
                    sh.pause_until.filter(|p| *p > now)
                };
                // Down again: a connection that lasted starts the backoff over.
                if connected_at
                    .remove(&s.name)
                    .is_some_and(|at| now.duration_since(at) >= STABLE)
                {
                    attempts.remove(&s.name);
                }
                let due = attempts
                    .get(&s.name)
                    .map(|(at, _)| *at)
                    .filter(|at| *at > now);
                if let Some(later) = paused.max(due) {
                    wake = wake.min(later);
                    continue;
                }
                let listening = std::fs::metadata(&link.path)
                    .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_socket(&m.file_type()));
                let attempt = if listening {
                    tokio::time::timeout(BACKOFF.1, link.connect()).await.ok()
                } else {
                    None
                };
                // The next attempt waits for the backoff whether this one connected or not: a
                // connection that lasts resets it (above) before it is due.
                let wait = attempts
                    .get(&s.name)
                    .map_or(BACKOFF.0, |(_, d)| (*d * 2).min(BACKOFF.1));
                attempts.insert(s.name.clone(), (now + wait, wait));
                if let Some(Ok(())) = attempt {
                    connected_at.insert(s.name.clone(), now);
                } else {
                    // Quietly: a worker may serve no socket at all.
                    wake = wake.min(now + wait);
                }
            }
        }
    });
}
