//! Telling systemd (a `Type=notify` unit) how the server is doing, through the datagram socket
//! named by `NOTIFY_SOCKET` (`sd_notify(3)`): `READY=1` once it listens, with a `STATUS=` line,
//! and `STOPPING=1` when it starts shutting down. Without `NOTIFY_SOCKET` nothing is sent; a
//! notification that cannot be sent is logged as a warning and never stops the server.
//!
//! The protocol is one datagram of `KEY=VALUE` lines to a filesystem socket (`/run/...`) or,
//! with a leading `@`, to a Linux abstract socket. (The `sd-notify` crate sends to paths only.)

use std::io;
use std::os::unix::net::UnixDatagram;

/// `READY=1` and `STATUS=status`.
pub fn ready(status: &str) {
    send(&format!("READY=1\nSTATUS={status}\n"), "READY=1");
}

/// `STOPPING=1` and `STATUS=status`.
pub fn stopping(status: &str) {
    send(&format!("STOPPING=1\nSTATUS={status}\n"), "STOPPING=1");
}

fn send(message: &str, what: &str) {
    let Some(target) = std::env::var_os("NOTIFY_SOCKET").filter(|t| !t.is_empty()) else {
        return;
    };
    if let Err(e) = notify(&target, message) {
        tracing::warn!(
            error = %e,
            socket = %target.to_string_lossy(),
            "could not tell systemd {what} (NOTIFY_SOCKET)"
        );
    }
}

/// Sends `message` as one datagram to `target`: a path, or `@name` for an abstract socket.
fn notify(target: &std::ffi::OsStr, message: &str) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt as _;
    let sock = UnixDatagram::unbound()?;
    let sent = match target.as_bytes() {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        [b'@', name @ ..] => {
            #[cfg(target_os = "android")]
            use std::os::android::net::SocketAddrExt as _;
            #[cfg(target_os = "linux")]
            use std::os::linux::net::SocketAddrExt as _;
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
            sock.send_to_addr(message.as_bytes(), &addr)?
        }
        [b'/', ..] => sock.send_to(message.as_bytes(), target)?,
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "not a socket path or an @abstract name",
            ));
        }
    };
    if sent == message.len() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "datagram cut short",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_datagram_reaches_a_path_and_other_targets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.sock");
        let sock = UnixDatagram::bind(&path).unwrap();
        notify(path.as_os_str(), "READY=1\n").unwrap();
        let mut buf = [0u8; 64];
        let n = sock.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1\n");
        let err = notify("vsock:2:1".as_ref(), "READY=1\n").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Unsupported);
        assert!(notify(dir.path().join("none").as_os_str(), "X=1\n").is_err());
    }
}
