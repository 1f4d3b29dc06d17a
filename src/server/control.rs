//! Where the supervisor's control interface listens: a Unix socket (mode 0600) by default, and
//! TCP with a bearer token when asked. The routes are `crate::api::control`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tokio::net::{TcpListener, UnixListener};

use crate::auth::SecretString;
use crate::supervisor::Supervisor;

/// The bound listeners.
pub struct ControlListeners {
    unix: Option<(UnixListener, PathBuf)>,
    tcp: Option<TcpListener>,
}

impl ControlListeners {
    /// Binds the Unix socket at `socket` (replacing a stale file, refusing one a live
    /// supervisor answers on) and, if given, `tcp`.
    ///
    /// # Errors
    /// A bind error, or a socket another supervisor listens on.
    pub async fn bind(socket: Option<&Path>, tcp: Option<&str>) -> io::Result<ControlListeners> {
        let unix = match socket {
            Some(path) => {
                if path.exists() {
                    if tokio::net::UnixStream::connect(path).await.is_ok() {
                        return Err(io::Error::new(
                            io::ErrorKind::AddrInUse,
                            format!("{} is in use: another supervisor runs", path.display()),
                        ));
                    }
                    std::fs::remove_file(path)?;
                }
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let listener = UnixListener::bind(path)?;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
                Some((listener, path.to_owned()))
            }
            None => None,
        };
        let tcp = match tcp {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        Ok(ControlListeners { unix, tcp })
    }

    /// The TCP address, when listening on TCP.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves until `shutdown` completes; the socket file is removed at the end. `token`
    /// guards TCP always and the Unix socket only when `token_on_unix`.
    ///
    /// # Errors
    /// When serving fails.
    pub async fn serve(
        self,
        sup: Supervisor,
        token: Option<SecretString>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let mut tasks = Vec::new();
        if let Some((listener, path)) = self.unix {
            let app = crate::api::control::router(sup.clone(), None);
            let rx = stop_rx.clone();
            tasks.push(tokio::spawn(async move {
                let r = axum::serve(listener, app)
                    .with_graceful_shutdown(stopped(rx))
                    .await;
                let _ = std::fs::remove_file(&path);
                r
            }));
        }
        if let Some(listener) = self.tcp {
            let app = crate::api::control::router(sup, token);
            let rx = stop_rx.clone();
            tasks.push(tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopped(rx))
                    .await
            }));
        }
        shutdown.await;
        let _ = stop_tx.send(true);
        for t in tasks {
            // Open event streams would hold a graceful shutdown forever: bound it.
            match tokio::time::timeout(std::time::Duration::from_secs(2), t).await {
                Ok(Ok(r)) => r?,
                Ok(Err(e)) => return Err(io::Error::other(e)),
                Err(_) => {}
            }
        }
        Ok(())
    }
}
