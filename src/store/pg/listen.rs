//! How servers learn of each other's commits without waiting for a poll: after a commit the
//! writer pokes the [`Notifier`], whose thread sends `NOTIFY stmgr, '<origin>'` on a session
//! of its own (outside the write transaction, so it adds nothing to the counter row's hold,
//! and coalesced: the commits made while one notification is on its way share the next). The
//! listener thread keeps a `LISTEN stmgr` session and asks the commit thread to catch up
//! (`Request::Tail`) when another server's notification comes, and once after every
//! (re)connection. Both reconnect on their own; the commit thread's poll covers the gaps.
//!
//! The listener's session also elects the leader, the one server that runs time-driven work:
//! it tries a session-level advisory lock ([`LEADER_LOCK`]) at every tick until it gets it,
//! and holds it as long as the session lives (PostgreSQL releases it when the session ends,
//! a crashed server's included; the keepalives bound how long a partitioned one keeps it).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use tracing::{debug, warn};

use super::{CHANNEL, PgOptions, connect};
use crate::store::writer::{Request, Shared};

/// The advisory lock key of the leader ("stmgrldr").
pub const LEADER_LOCK: i64 = 0x73746d67_726c6472;

#[derive(Default)]
struct Flags {
    pending: bool,
    stop: bool,
}

/// Wakes the notifier thread; dropping it stops the thread.
pub struct Notifier {
    flags: Arc<(Mutex<Flags>, Condvar)>,
}

impl Notifier {
    /// Starts the notifier thread.
    ///
    /// # Errors
    /// The thread cannot be spawned.
    pub fn start(options: PgOptions, origin: String) -> std::io::Result<Notifier> {
        let flags: Arc<(Mutex<Flags>, Condvar)> = Arc::default();
        let f = flags.clone();
        std::thread::Builder::new()
            .name("stmgr-pg-notify".into())
            .spawn(move || notify_loop(&options, &origin, &f))?;
        Ok(Notifier { flags })
    }

    /// Asks for a notification (several pokes before it is sent make one).
    pub fn poke(&self) {
        let (m, cv) = &*self.flags;
        m.lock().unwrap_or_else(|p| p.into_inner()).pending = true;
        cv.notify_one();
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        let (m, cv) = &*self.flags;
        m.lock().unwrap_or_else(|p| p.into_inner()).stop = true;
        cv.notify_one();
    }
}

fn notify_loop(options: &PgOptions, origin: &str, flags: &(Mutex<Flags>, Condvar)) {
    let (m, cv) = flags;
    let mut client = None;
    let sql = format!("NOTIFY {CHANNEL}, '{}'", origin.replace('\'', "''"));
    loop {
        {
            let mut f = m.lock().unwrap_or_else(|p| p.into_inner());
            while !f.pending && !f.stop {
                f = cv.wait(f).unwrap_or_else(|p| p.into_inner());
            }
            if f.stop {
                return;
            }
            f.pending = false;
        }
        if client.is_none() {
            client = connect(options, "notifier").ok();
        }
        if let Some(c) = client.as_mut()
            && let Err(e) = c.batch_execute(&sql)
        {
            debug!(error = %e, "NOTIFY failed; other servers will poll");
            client = None;
        }
    }
}

/// Starts the listener thread; it stops when `stop` is set or the commit thread is gone.
///
/// # Errors
/// The thread cannot be spawned.
pub fn start_listener(
    options: PgOptions,
    origin: String,
    tx: Sender<Request>,
    stop: Arc<AtomicBool>,
    shared: Arc<Shared>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("stmgr-pg-listen".into())
        .spawn(move || {
            listen_loop(&options, &origin, &tx, &stop, &shared.leader);
            shared.leader.store(false, Ordering::Relaxed);
        })?;
    Ok(())
}

fn listen_loop(
    options: &PgOptions,
    origin: &str,
    tx: &Sender<Request>,
    stop: &AtomicBool,
    leader: &AtomicBool,
) {
    let tick = Duration::from_millis(500);
    let mut warned = false;
    while !stop.load(Ordering::Relaxed) {
        leader.store(false, Ordering::Relaxed);
        let mut client = match connect(options, "listener").and_then(|mut c| {
            c.batch_execute(&format!("LISTEN {CHANNEL}"))
                .map_err(|e| super::backend("LISTEN", &e))?;
            Ok(c)
        }) {
            Ok(c) => {
                warned = false;
                c
            }
            Err(e) => {
                if !warned {
                    warn!(error = %e, "cannot listen for other servers' commits; polling meanwhile");
                    warned = true;
                }
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        };
        // Commits may have come while nobody listened.
        if tx.send(Request::Tail).is_err() {
            return;
        }
        while !stop.load(Ordering::Relaxed) {
            if !leader.load(Ordering::Relaxed) {
                match client.query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK]) {
                    Ok(row) if row.get::<_, bool>(0) => {
                        debug!("this server is the leader: it runs the time-driven work");
                        leader.store(true, Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            let first = client.notifications().timeout_iter(tick).next();
            match first {
                Ok(Some(n)) => {
                    let mut foreign = n.payload() != origin;
                    // Everything already here: one catch-up covers it all.
                    let mut more = client.notifications();
                    let mut it = more.iter();
                    while let Ok(Some(n)) = it.next() {
                        foreign |= n.payload() != origin;
                    }
                    if foreign && tx.send(Request::Tail).is_err() {
                        return;
                    }
                }
                Ok(None) if client.is_closed() => break,
                Ok(None) => {}
                Err(e) => {
                    debug!(error = %e, "the LISTEN session ended; reconnecting");
                    break;
                }
            }
        }
    }
}
