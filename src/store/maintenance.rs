//! The maintenance thread: commits TTL expiries (as ordinary commits, so watchers and replicas
//! see them) and asks the commit thread to prune history now and then.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing::warn;

use crate::store::command::{DeleteReason, ObjectOp, Op};
use crate::store::options::{Clock, EngineOptions};
use crate::store::writer::{self, Request, Shared};

/// Objects expired per commit.
const EXPIRE_BATCH: usize = 1000;
/// History is pruned every this many ticks.
const PRUNE_EVERY: u32 = 60;

/// The running maintenance thread.
pub struct Maintenance {
    stop: Arc<(Mutex<bool>, Condvar)>,
    handle: JoinHandle<()>,
}

impl Maintenance {
    /// Starts the thread.
    ///
    /// # Errors
    /// When the thread cannot be spawned.
    pub fn start(
        tx: Sender<Request>,
        shared: Arc<Shared>,
        options: &EngineOptions,
    ) -> std::io::Result<Maintenance> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let stop2 = stop.clone();
        let interval = options.maintenance_interval.max(Duration::from_millis(10));
        let clock = options.clock.clone();
        let handle = std::thread::Builder::new()
            .name("stmgr-maintenance".into())
            .spawn(move || run(tx, shared, stop2, interval, clock))?;
        Ok(Maintenance { stop, handle })
    }

    /// Stops the thread and waits for it.
    pub fn stop(self) {
        let (flag, cv) = &*self.stop;
        *flag.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_all();
        let _ = self.handle.join();
    }
}

fn run(
    tx: Sender<Request>,
    shared: Arc<Shared>,
    stop: Arc<(Mutex<bool>, Condvar)>,
    interval: Duration,
    clock: Clock,
) {
    let (flag, cv) = &*stop;
    let mut ticks = 0u32;
    loop {
        {
            let stopped = flag.lock().unwrap_or_else(|p| p.into_inner());
            let (stopped, _) = cv
                .wait_timeout_while(stopped, interval, |s| !*s)
                .unwrap_or_else(|p| p.into_inner());
            if *stopped {
                return;
            }
        }
        if shared
            .poisoned
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
        {
            continue;
        }
        let now = clock.now_ms();
        // On a shared log one server (the leader) expires for all.
        let leader = shared.leader.load(std::sync::atomic::Ordering::Relaxed);
        loop {
            if !leader {
                break;
            }
            let due = writer::read(&shared.state)
                .objects
                .expired(now, EXPIRE_BATCH);
            if due.is_empty() {
                break;
            }
            let full = due.len() == EXPIRE_BATCH;
            let (txn, rx) = writer::transaction(move |state: &crate::store::state::State| {
                // Re-check on the commit thread: a later put may have renewed the object.
                let still: Vec<Op> = state
                    .objects
                    .expired(now, usize::MAX)
                    .into_iter()
                    .filter(|k| due.contains(k))
                    .map(|(ns, id)| {
                        Op::Object(ObjectOp::Delete {
                            ns,
                            id,
                            reason: DeleteReason::Expired,
                        })
                    })
                    .collect();
                Ok((still, ()))
            });
            if tx.send(Request::Commit(txn)).is_err() {
                return;
            }
            match rx.blocking_recv() {
                Ok(Ok((Some(_), ()))) => {}
                // Everything was renewed meanwhile: nothing to commit.
                Ok(Ok((None, ()))) => break,
                Ok(Err(e)) => {
                    warn!(error = %e, "could not commit TTL expiries");
                    break;
                }
                Err(_) => return,
            }
            if !full {
                break;
            }
        }
        ticks += 1;
        if ticks.is_multiple_of(PRUNE_EVERY) && tx.send(Request::Prune).is_err() {
            return;
        }
    }
}
