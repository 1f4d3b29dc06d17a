//! The listeners' connections, served with hyper-util's connection builder (`axum::serve` has
//! no settings): an accept loop that sets `TCP_NODELAY`, caps open connections (a 503 answer
//! above the cap, see `gate`) and backs off when accept fails (out of file descriptors), and
//! per connection (`conn`) the TLS handshake and three timeouts: request header, idle
//! keep-alive and stalled request body. A response that takes long (a watch stream) is never
//! cut by them. [`fdlimit`] raises the open-files limit the cap is derived from.

mod conn;
pub mod fdlimit;
mod gate;
mod io;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{debug, warn};

use crate::api::metrics::Metrics;

/// Connection limits and timeouts of the server's listeners.
#[derive(Debug, Clone)]
pub struct ConnectionOptions {
    /// Time a client has to send a request's header once it started it (then a 408 and a
    /// close), and to finish a TLS handshake.
    pub header_timeout: Duration,
    /// Time a keep-alive connection may stay idle between requests (then a close).
    pub idle_timeout: Duration,
    /// Time a request body may stop arriving (then a 408 and a close).
    pub body_timeout: Duration,
    /// Most connections the main listener keeps open (a 503 above it).
    pub max_connections: usize,
}

impl Default for ConnectionOptions {
    /// 10 s, 60 s, 30 s, and a cap derived from the open-files limit in force.
    fn default() -> Self {
        ConnectionOptions {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            max_connections: fdlimit::default_max_connections(fdlimit::current_nofile_limit()),
        }
    }
}

/// A listener and what it serves.
#[derive(Debug)]
pub struct Endpoint {
    /// `api` or `metrics` (the `listener` label of the connection metrics).
    pub name: &'static str,
    /// The bound socket.
    pub listener: TcpListener,
    /// The app served on every connection.
    pub app: Router,
    /// TLS (`None`: plain HTTP).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Most connections open at once on this listener.
    pub max_connections: usize,
}

/// Accepts and serves connections until `stop` turns true, then tells every connection to
/// finish (idle ones close at once, watch streams end on `stop` themselves) and resolves once
/// all are closed. Accept errors never end it. The metrics know the listener's cap as soon as
/// this returns, before the future is polled.
pub fn serve(
    endpoint: Endpoint,
    options: &ConnectionOptions,
    metrics: Arc<Metrics>,
    stop: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + use<> {
    let Endpoint {
        name,
        listener,
        app,
        tls,
        max_connections,
    } = endpoint;
    metrics.net.set_limit(name, max_connections);
    let shared = Arc::new(conn::Shared::new(
        name,
        app,
        tls,
        options.clone(),
        metrics.clone(),
    ));
    let gate = gate::Gate::new(name, max_connections, metrics.clone());
    accept_loop(listener, shared, gate, stop)
}

/// The accept loop of [`serve`].
async fn accept_loop(
    listener: TcpListener,
    shared: Arc<conn::Shared>,
    gate: Arc<gate::Gate>,
    mut stop: watch::Receiver<bool>,
) {
    let (name, metrics) = (shared.name(), shared.metrics().clone());
    let mut backoff = Backoff::default();
    let mut failures = Throttle::default();
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stop.wait_for(|s| *s) => break,
        };
        match accepted {
            Ok((tcp, peer)) => {
                backoff.reset();
                // No Nagle delay: a watch stream's small writes and pipelined answers go out at
                // once (with it, a second small write waits for the peer's delayed ACK).
                let _ = tcp.set_nodelay(true);
                match gate.try_enter() {
                    Some(slot) => {
                        tokio::spawn(conn::run(tcp, peer, slot, shared.clone(), stop.clone()));
                    }
                    None => gate.refuse(tcp, peer, &shared),
                }
            }
            Err(e) if is_per_connection(&e) => debug!(error = %e, "accept: connection lost"),
            Err(e) => {
                let fd = is_fd_exhaustion(&e);
                metrics
                    .net
                    .accept_error(name, if fd { "fd_limit" } else { "other" });
                let pause = backoff.next();
                if let Some(suppressed) = failures.due() {
                    warn!(
                        listener = name,
                        error = %e,
                        open = gate.open(),
                        more_failures = suppressed,
                        pause = ?pause,
                        "accept failed; pausing before the next accept (logged at most every 10 s)"
                    );
                }
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
        }
    }
    drop(listener);
    gate.drained().await;
}

/// Errors of one connection that died in the backlog: accept again at once.
fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted};
    matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted)
}

/// EMFILE (process limit) or ENFILE (system limit).
fn is_fd_exhaustion(e: &std::io::Error) -> bool {
    let os = e.raw_os_error();
    os == Some(rustix::io::Errno::MFILE.raw_os_error())
        || os == Some(rustix::io::Errno::NFILE.raw_os_error())
}

/// The pause after a failed accept: 10 ms, doubling while accepts keep failing, at most 1 s.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn next(&mut self) -> Duration {
        let pause = Duration::from_millis(10) * 2u32.pow(self.failures.min(7));
        self.failures = self.failures.saturating_add(1);
        pause.min(Duration::from_secs(1))
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Lets a repeated warning through at most every 10 s, counting what it held back.
#[derive(Debug, Default)]
struct Throttle {
    last: Option<Instant>,
    suppressed: u64,
}

impl Throttle {
    const EVERY: Duration = Duration::from_secs(10);

    /// `Some(held back since the last one)` when the warning may be logged now.
    fn due(&mut self) -> Option<u64> {
        let now = Instant::now();
        match self.last {
            Some(t) if now.duration_since(t) < Self::EVERY => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        }
    }
}

/// A [`Throttle`] shared between tasks.
#[derive(Debug, Default)]
struct SharedThrottle(Mutex<Throttle>);

impl SharedThrottle {
    fn due(&self) -> Option<u64> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).due()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_second_and_resets() {
        let mut b = Backoff::default();
        let pauses: Vec<u64> = (0..9).map(|_| b.next().as_millis() as u64).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        b.reset();
        assert_eq!(b.next(), Duration::from_millis(10));
    }

    #[test]
    fn throttle_lets_one_warning_through_and_counts_the_rest() {
        let mut t = Throttle::default();
        assert_eq!(t.due(), Some(0));
        assert_eq!(t.due(), None);
        assert_eq!(t.due(), None);
        t.last = Some(Instant::now() - Throttle::EVERY);
        assert_eq!(t.due(), Some(2));
    }

    #[test]
    fn fd_exhaustion_is_told_apart() {
        let emfile = std::io::Error::from_raw_os_error(rustix::io::Errno::MFILE.raw_os_error());
        assert!(is_fd_exhaustion(&emfile));
        assert!(!is_per_connection(&emfile));
        let aborted = std::io::Error::from(std::io::ErrorKind::ConnectionAborted);
        assert!(is_per_connection(&aborted) && !is_fd_exhaustion(&aborted));
    }
}
