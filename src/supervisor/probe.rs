//! Readiness and liveness probes: what a `[process.NAME.readiness]` or `.liveness` table says
//! ([`ProbeSpec`]) and the polling probes (`exec`, `http`, `tcp`). The event-driven kinds are
//! fed elsewhere: `log_line` by the output pumps ([`super::child`]), `notify` by the
//! `NOTIFY_SOCKET` listener ([`super::notify`]).

use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::reaper::Reaper;

/// One probe: exactly one of `exec`, `http`, `tcp`, `log_line`, `notify`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// A command that succeeds (exit 0) when the process is ready or alive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    /// An `http://` URL that answers 2xx or 3xx.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    /// A `host:port` that accepts a TCP connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<String>,
    /// A regular expression; the first output line matching it makes the process ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_line: Option<String>,
    /// Ready when the process sends `READY=1` to `$NOTIFY_SOCKET` (systemd's `Type=notify`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notify: bool,
    /// Time between two checks.
    #[serde(default = "one_second", with = "super::config::humantime_serde")]
    pub interval: Duration,
    /// Longest a check may take.
    #[serde(default = "one_second", with = "super::config::humantime_serde")]
    pub timeout: Duration,
    /// Wait before the first check.
    #[serde(default, with = "super::config::humantime_serde")]
    pub initial_delay: Duration,
    /// Consecutive failures that count (liveness: restart; readiness: not ready again).
    #[serde(default = "three")]
    pub failure_threshold: u32,
}

fn one_second() -> Duration {
    Duration::from_secs(1)
}
fn three() -> u32 {
    3
}

/// The kind of a probe, checked.
#[derive(Debug, Clone)]
pub enum ProbeKind {
    /// Run a command.
    Exec(Vec<String>),
    /// GET a URL.
    Http(url::Url),
    /// Connect to an address.
    Tcp(String),
    /// Match output lines.
    LogLine(regex::Regex),
    /// Wait for `READY=1`.
    Notify,
}

impl ProbeSpec {
    /// Checks that exactly one kind is given and that it is well formed.
    ///
    /// # Errors
    /// A message saying what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        self.kind().map(|_| ())
    }

    /// The checked kind.
    ///
    /// # Errors
    /// As [`ProbeSpec::validate`].
    pub fn kind(&self) -> Result<ProbeKind, String> {
        let count = [
            self.exec.is_some(),
            self.http.is_some(),
            self.tcp.is_some(),
            self.log_line.is_some(),
            self.notify,
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if count != 1 {
            return Err(
                "a probe needs exactly one of exec, http, tcp, log_line, notify".to_owned(),
            );
        }
        if let Some(argv) = &self.exec {
            if argv.is_empty() {
                return Err("probe exec is empty".to_owned());
            }
            return Ok(ProbeKind::Exec(argv.clone()));
        }
        if let Some(u) = &self.http {
            let url = url::Url::parse(u).map_err(|e| format!("probe http {u:?}: {e}"))?;
            if url.scheme() != "http" || url.host_str().is_none() {
                return Err(format!(
                    "probe http {u:?}: only http://host[:port]/path URLs"
                ));
            }
            return Ok(ProbeKind::Http(url));
        }
        if let Some(addr) = &self.tcp {
            return Ok(ProbeKind::Tcp(addr.clone()));
        }
        if let Some(p) = &self.log_line {
            let re = regex::Regex::new(p).map_err(|e| format!("probe log_line: {e}"))?;
            return Ok(ProbeKind::LogLine(re));
        }
        Ok(ProbeKind::Notify)
    }
}

/// What a probe task reports to its instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeEvent {
    /// The readiness probe passed (or a matching line or `READY=1` came).
    Ready(u64),
    /// The readiness probe failed `failure_threshold` times in a row after passing.
    NotReady(u64),
    /// The liveness probe failed `failure_threshold` times in a row.
    Dead(u64),
}

/// Which question a polling probe answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Is it ready?
    Readiness,
    /// Is it alive?
    Liveness,
}

/// Polls a probe for run `run` of an instance until the task is aborted.
pub async fn poll(
    spec: ProbeSpec,
    kind: ProbeKind,
    role: Role,
    run: u64,
    reaper: Reaper,
    events: mpsc::Sender<ProbeEvent>,
) {
    tokio::time::sleep(spec.initial_delay).await;
    let mut failures = 0u32;
    let mut ready = false;
    loop {
        let ok = check(&kind, spec.timeout, &reaper).await;
        if ok {
            failures = 0;
            if role == Role::Readiness && !ready {
                ready = true;
                if events.send(ProbeEvent::Ready(run)).await.is_err() {
                    return;
                }
            }
        } else {
            failures += 1;
            if failures >= spec.failure_threshold.max(1) {
                let event = match role {
                    Role::Liveness => Some(ProbeEvent::Dead(run)),
                    Role::Readiness if ready => {
                        ready = false;
                        Some(ProbeEvent::NotReady(run))
                    }
                    Role::Readiness => None,
                };
                if let Some(e) = event {
                    failures = 0;
                    if events.send(e).await.is_err() {
                        return;
                    }
                }
            }
        }
        tokio::time::sleep(spec.interval).await;
    }
}

/// One check of a polling kind, bounded by `timeout`.
pub async fn check(kind: &ProbeKind, timeout: Duration, reaper: &Reaper) -> bool {
    match kind {
        ProbeKind::Exec(argv) => check_exec(argv, timeout, reaper).await,
        ProbeKind::Http(url) => tokio::time::timeout(timeout, check_http(url))
            .await
            .unwrap_or(false),
        ProbeKind::Tcp(addr) => tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr))
            .await
            .is_ok_and(|r| r.is_ok()),
        ProbeKind::LogLine(_) | ProbeKind::Notify => false,
    }
}

async fn check_exec(argv: &[String], timeout: Duration, reaper: &Reaper) -> bool {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let Ok((pid, exit)) = reaper.spawn(&mut cmd) else {
        return false;
    };
    match tokio::time::timeout(timeout, exit).await {
        Ok(Ok(status)) => status.code == Some(0),
        _ => {
            let _ = super::signals::kill_group(pid, nix::sys::signal::SIGKILL);
            false
        }
    }
}

async fn check_http(url: &url::Url) -> bool {
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return false;
    };
    let Ok(stream) = tokio::net::TcpStream::connect((host, port)).await else {
        return false;
    };
    let io = hyper_util::rt::TokioIo::new(stream);
    let Ok((mut sender, conn)) = hyper::client::conn::http1::handshake(io).await else {
        return false;
    };
    tokio::spawn(conn);
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let Ok(req) = hyper::Request::get(path)
        .header(hyper::header::HOST, format!("{host}:{port}"))
        .body(Empty::<Bytes>::new())
    else {
        return false;
    };
    sender
        .send_request(req)
        .await
        .is_ok_and(|r| r.status().is_success() || r.status().is_redirection())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_text: &str) -> ProbeSpec {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn exactly_one_kind() {
        assert!(spec("tcp = '127.0.0.1:1'").validate().is_ok());
        assert!(spec("tcp = 'a:1'\nnotify = true").validate().is_err());
        assert!(spec("interval = '1s'").validate().is_err());
        assert!(spec("http = 'https://x/'").validate().is_err());
        assert!(spec("log_line = '('").validate().is_err());
    }

    #[tokio::test]
    async fn tcp_http_and_exec_checks_see_up_and_down() {
        let reaper = Reaper::start(false).unwrap();
        let t = Duration::from_secs(2);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tcp = spec(&format!("tcp = '{addr}'")).kind().unwrap();
        assert!(check(&tcp, t, &reaper).await);
        // A tiny HTTP server answering 204 to one request.
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                    .await;
            }
        });
        let http = spec(&format!("http = 'http://{addr}/health'"))
            .kind()
            .unwrap();
        assert!(check(&http, t, &reaper).await);
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gone = closed.local_addr().unwrap();
        drop(closed);
        let down = spec(&format!("tcp = '{gone}'")).kind().unwrap();
        assert!(!check(&down, t, &reaper).await);
        let yes = spec("exec = ['true']").kind().unwrap();
        let no = spec("exec = ['false']").kind().unwrap();
        assert!(check(&yes, t, &reaper).await);
        assert!(!check(&no, t, &reaper).await);
        let slow = spec("exec = ['sleep', '30']").kind().unwrap();
        assert!(!check(&slow, Duration::from_millis(200), &reaper).await);
    }
}
