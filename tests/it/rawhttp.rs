//! Raw HTTP/1.1 over blocking sockets, for tests that watch what a connection does (when it is
//! closed, what arrives before), and [`Started`]: the real server with its startup lines kept.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::server_cli::ServerProc;
use crate::util::TestDir;

/// A server started with its startup lines kept.
pub struct Started {
    pub srv: ServerProc,
    pub lines: Vec<String>,
    pub rest: mpsc::Receiver<String>,
}

impl Started {
    /// `server start EXTRA...` on a fresh data directory, `configure`d before it is spawned.
    pub fn new(t: &TestDir, extra: &[&str], configure: impl FnOnce(&mut Command)) -> Started {
        let mut cmd = ServerProc::command(t, &t.path().join("state"), extra, &[]);
        configure(&mut cmd);
        Started::spawned(cmd)
    }

    /// Spawns `cmd` and waits for the last startup line.
    pub fn spawned(cmd: Command) -> Started {
        let (child, rest) = ServerProc::spawn_command(cmd);
        let mut lines = Vec::new();
        loop {
            let line = rest
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|e| panic!("startup lines ({e}); so far: {lines:#?}"));
            let last = line.starts_with("recovered commit_seq");
            lines.push(line);
            if last {
                break;
            }
        }
        let url = lines
            .iter()
            .find_map(|l| l.split("listening on ").nth(1))
            .expect("a listening line")
            .trim()
            .to_string();
        Started {
            srv: ServerProc {
                child,
                url,
                lines: std::sync::mpsc::channel().1,
            },
            lines,
            rest,
        }
    }

    /// `127.0.0.1:PORT` of the API.
    pub fn addr(&self) -> String {
        let url = &self.srv.url;
        url.split_once("://")
            .map_or(url.as_str(), |(_, a)| a)
            .to_string()
    }

    /// `127.0.0.1:PORT` of `--metrics-listen`.
    pub fn metrics_addr(&self) -> String {
        self.line_with("metrics and health on http://")
            .rsplit("http://")
            .next()
            .unwrap()
            .trim()
            .to_string()
    }

    /// The startup line containing `needle`.
    pub fn line_with(&self, needle: &str) -> &str {
        self.lines
            .iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no startup line with {needle:?} in {:#?}", self.lines))
    }
}

/// A connection to `addr` with a read timeout.
pub fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Reads until the server closes the connection; panics after `deadline`. What arrived, and
/// how long after the call the close came.
pub fn read_to_close(s: &mut TcpStream, deadline: Duration) -> (String, Duration) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline
            .checked_sub(start.elapsed())
            .filter(|d| !d.is_zero())
            .unwrap_or_else(|| {
                panic!(
                    "still open after {deadline:?}; got {:?}",
                    String::from_utf8_lossy(&got)
                )
            });
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => panic!("read failed: {e}"),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), start.elapsed())
}

/// Reads one response with a `Content-Length` on a keep-alive connection: status, head, body.
pub fn read_response(s: &mut TcpStream) -> (u16, String, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("a content-length");
            if body.len() >= len {
                return (status_of(head), head.to_string(), body.to_string());
            }
        }
        let n = s.read(&mut buf).expect("a response");
        assert!(n > 0, "closed mid-response: {text:?}");
        got.extend_from_slice(&buf[..n]);
    }
}

/// The status code of a response head.
pub fn status_of(head: &str) -> u16 {
    head.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// `GET path` on a fresh connection with `Connection: close` and extra header lines:
/// status, head, body.
pub fn get(addr: &str, path: &str, headers: &str) -> (u16, String, String) {
    let mut s = connect(addr);
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{headers}\r\n"
    )
    .unwrap();
    let (text, _) = read_to_close(&mut s, Duration::from_secs(20));
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status_of(head), head.to_string(), body.to_string())
}
