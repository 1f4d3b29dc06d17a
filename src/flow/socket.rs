//! The control socket of a replica: a Unix stream socket the worker listens on (its path is in
//! `STMGR_FLOW_SOCKET`, and in `SOCKET_PATH` for Kawaflow runtimes), to which the manager
//! connects for each request. Both directions carry frames: a 4-byte big-endian length, then
//! that many bytes of UTF-8 JSON `{"command": …, "data": …, "timestamp": …}`. The manager sends
//! one frame and reads one reply frame on the same connection, within a timeout; the reply's
//! `data` is the answer (a reply with `"command": "error"` is the worker's refusal).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::UnixStream;

/// Largest frame either side accepts (16 MiB).
pub const MAX_FRAME: u32 = 16 * 1024 * 1024;

/// Longest path of a Unix socket on Linux (`sun_path` less its terminating NUL).
pub const MAX_SOCKET_PATH: usize = 107;

/// One frame's JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    /// `status`, `dump`, `stop`, or any command the worker knows; in a reply, the command
    /// answered (or `error`).
    pub command: String,
    /// The command's argument, or the answer.
    #[serde(default)]
    pub data: serde_json::Value,
    /// When it was sent (RFC 3339).
    #[serde(default)]
    pub timestamp: String,
}

/// Why a request over a control socket failed.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// Nothing listens there (the worker is not up, or does not serve a socket).
    #[error("cannot connect to {}: {source}", path.display())]
    Connect {
        /// The socket.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The connection broke, or the peer sent something that is not a frame.
    #[error("control socket {}: {message}", path.display())]
    Protocol {
        /// The socket.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// No reply in time.
    #[error("no reply from {} within {}", path.display(), humantime::format_duration(*after))]
    Timeout {
        /// The socket.
        path: PathBuf,
        /// The timeout.
        after: Duration,
    },
}

/// Writes one frame.
///
/// # Errors
/// The write fails, or the JSON is over [`MAX_FRAME`].
pub async fn write_frame<W: AsyncWrite + Unpin>(w: &mut W, msg: &Message) -> std::io::Result<()> {
    let body = serde_json::to_vec(msg).map_err(std::io::Error::other)?;
    let len = u32::try_from(body.len())
        .ok()
        .filter(|n| *n <= MAX_FRAME)
        .ok_or_else(|| std::io::Error::other("frame over 16 MiB"))?;
    let mut buf = Vec::with_capacity(4 + body.len());
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(&body);
    w.write_all(&buf).await?;
    w.flush().await
}

/// Reads one frame.
///
/// # Errors
/// The read fails or ends early, the length is over [`MAX_FRAME`], or the bytes are not a
/// JSON message (`InvalidData`).
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> std::io::Result<Message> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len);
    if len > MAX_FRAME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is over the 16 MiB limit"),
        ));
    }
    let mut body = vec![0u8; len as usize];
    r.read_exact(&mut body).await?;
    serde_json::from_slice(&body).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("frame is not a JSON message: {e}"),
        )
    })
}

/// Sends `command` with `data` to the worker listening on `path` and returns its reply.
///
/// # Errors
/// [`SocketError`]: no listener, a broken or malformed exchange, or no reply within `timeout`.
pub async fn request(
    path: &Path,
    command: &str,
    data: serde_json::Value,
    now: String,
    timeout: Duration,
) -> Result<Message, SocketError> {
    let exchange = async {
        let mut stream =
            UnixStream::connect(path)
                .await
                .map_err(|source| SocketError::Connect {
                    path: path.to_owned(),
                    source,
                })?;
        let protocol = |e: std::io::Error| SocketError::Protocol {
            path: path.to_owned(),
            message: e.to_string(),
        };
        let msg = Message {
            command: command.to_owned(),
            data,
            timestamp: now,
        };
        write_frame(&mut stream, &msg).await.map_err(protocol)?;
        read_frame(&mut stream).await.map_err(protocol)
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| SocketError::Timeout {
            path: path.to_owned(),
            after: timeout,
        })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::UnixListener;

    #[tokio::test]
    async fn a_request_gets_the_reply_and_bad_frames_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let server = tokio::spawn(async move {
            // First connection: echo the command back. Second: a malformed frame.
            let (mut s, _) = listener.accept().await.unwrap();
            let m = read_frame(&mut s).await.unwrap();
            let reply = Message {
                command: m.command.clone(),
                data: serde_json::json!({"got": m.data}),
                timestamp: m.timestamp,
            };
            write_frame(&mut s, &reply).await.unwrap();
            let (mut s, _) = listener.accept().await.unwrap();
            let _ = read_frame(&mut s).await.unwrap();
            s.write_all(&[0, 0, 0, 3, b'n', b'o', b'!']).await.unwrap();
            let (mut s, _) = listener.accept().await.unwrap();
            let _ = read_frame(&mut s).await.unwrap();
            // Never answers.
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(s);
        });
        let t = || "2026-01-01T00:00:00Z".to_owned();
        let second = Duration::from_secs(5);
        let reply = request(&path, "status", serde_json::json!(1), t(), second)
            .await
            .unwrap();
        assert_eq!(reply.data, serde_json::json!({"got": 1}));
        let bad = request(&path, "dump", serde_json::Value::Null, t(), second).await;
        assert!(
            matches!(&bad, Err(SocketError::Protocol { message, .. }) if message.contains("not a JSON message")),
            "{bad:?}"
        );
        let slow = request(
            &path,
            "dump",
            serde_json::Value::Null,
            t(),
            Duration::from_millis(200),
        )
        .await;
        assert!(matches!(slow, Err(SocketError::Timeout { .. })), "{slow:?}");
        server.abort();
        let gone = request(
            &dir.path().join("none.sock"),
            "x",
            serde_json::Value::Null,
            t(),
            second,
        )
        .await;
        assert!(matches!(gone, Err(SocketError::Connect { .. })));
    }

    #[tokio::test]
    async fn frames_over_the_limit_are_refused_before_reading_them() {
        let mut bytes: &[u8] = &[0xff, 0xff, 0xff, 0xff, b'{'];
        let e = read_frame(&mut bytes).await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    }
}
