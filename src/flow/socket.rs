//! The control socket's frames: a Unix stream socket the worker listens on (its path is in
//! `STMGR_FLOW_SOCKET`, and in `SOCKET_PATH` for Kawaflow runtimes). Both directions carry
//! frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON
//! `{"command": …, "data": …, "timestamp": …, "id": …}`. A request carries an `id` that its
//! reply echoes; a frame from the worker without one (or with one no request waits for) is a
//! message of the worker's own. This module reads, checks and writes frames, and makes one
//! exchange on a connection of its own ([`request`]); the manager's persistent connection to
//! each replica is [`crate::flow::link`].

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
    /// Correlates a reply with its request: the manager sets it on each request and the worker
    /// echoes it; a worker's own messages leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// Why bytes read from a control socket are not a message.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The connection broke or was closed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The peer sent something that is not a frame (framing is lost: close the connection).
    #[error("{reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
        /// The frame's length (what its header said, for one over the limit).
        bytes: u64,
    },
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

/// Reads one frame's body, without decoding it.
///
/// # Errors
/// [`FrameError::Io`] when the read fails or ends early, [`FrameError::Malformed`] when the
/// length is over [`MAX_FRAME`] (the body is not read).
pub async fn read_body<R: AsyncRead + Unpin>(r: &mut R) -> Result<Vec<u8>, FrameError> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len);
    if len > MAX_FRAME {
        return Err(FrameError::Malformed {
            reason: format!("frame of {len} bytes is over the 16 MiB limit"),
            bytes: u64::from(len),
        });
    }
    let mut body = vec![0u8; len as usize];
    r.read_exact(&mut body).await?;
    Ok(body)
}

/// Decodes a frame's body: UTF-8 JSON, an object with a string `command`.
///
/// # Errors
/// Why it is not a message.
pub fn decode(body: &[u8]) -> Result<Message, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("frame is not UTF-8: {e}"))?;
    serde_json::from_str(text).map_err(|e| format!("frame is not a JSON message: {e}"))
}

/// Reads one frame.
///
/// # Errors
/// The read fails or ends early, the length is over [`MAX_FRAME`], or the bytes are not a
/// JSON message (`InvalidData`).
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> std::io::Result<Message> {
    let body = read_body(r).await.map_err(|e| match e {
        FrameError::Io(e) => e,
        FrameError::Malformed { reason, .. } => {
            std::io::Error::new(std::io::ErrorKind::InvalidData, reason)
        }
    })?;
    decode(&body).map_err(|reason| std::io::Error::new(std::io::ErrorKind::InvalidData, reason))
}

/// Sends `command` with `data` to the worker listening on `path` on a connection of its own,
/// and returns its reply (frames before it that carry another id, the worker's own messages,
/// are skipped). The manager uses its persistent link instead ([`crate::flow::link`]).
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
        let id = "1".to_owned();
        let msg = Message {
            command: command.to_owned(),
            data,
            timestamp: now,
            id: Some(id.clone()),
        };
        write_frame(&mut stream, &msg).await.map_err(protocol)?;
        loop {
            let reply = read_frame(&mut stream).await.map_err(protocol)?;
            if reply.id.as_deref() == Some(&id) {
                return Ok(reply);
            }
        }
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
                id: m.id,
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
        let mut bytes: &[u8] = &[0xff, 0xff, 0xff, 0xff, b'{'];
        let e = read_body(&mut bytes).await.unwrap_err();
        assert!(
            matches!(
                e,
                FrameError::Malformed {
                    bytes: 0xffff_ffff,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn decode_names_what_is_wrong() {
        assert!(decode(b"\xff\xfe").unwrap_err().contains("not UTF-8"));
        assert!(decode(b"{").unwrap_err().contains("not a JSON message"));
        assert!(decode(br#"{"data": 1}"#).unwrap_err().contains("command"));
        assert!(decode(br#"{"command": 1}"#).is_err());
        let m = decode(br#"{"command": "hi", "id": "7"}"#).unwrap();
        assert_eq!((m.command.as_str(), m.id.as_deref()), ("hi", Some("7")));
        assert_eq!(m.data, serde_json::Value::Null);
    }
}
