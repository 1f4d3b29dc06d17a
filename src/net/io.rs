//! What a connection's watchdog watches: [`Activity`] (requests in flight, when the
//! connection turned idle, when the next request header started) and [`TimedIo`], the stream
//! wrapper that records reads, tells HTTP/2 from HTTP/1 by the preface, and writes the 408 of a
//! late header itself (hyper would only close the connection).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

use super::ConnectionOptions;

/// A connection's byte stream, plain or TLS.
pub(super) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A boxed [`Stream`].
pub(super) type BoxedIo = Box<dyn Stream>;

/// The HTTP/2 connection preface (RFC 9113 §3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// `head_started` when no header has started.
const NONE: u64 = u64::MAX;

/// Which timer ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expired {
    /// No request for the idle timeout.
    Idle,
    /// A request header started and did not end within the header timeout.
    Header,
}

/// The state of one connection, shared by its stream, its service and its watchdog. Times
/// are microseconds since `base`.
#[derive(Debug)]
pub(super) struct Activity {
    base: Instant,
    h2: AtomicBool,
    in_flight: AtomicUsize,
    idle_since: AtomicU64,
    head_started: AtomicU64,
    answer_408: AtomicBool,
    changed: Notify,
}

/// A request in flight; dropping it ends it.
#[derive(Debug)]
pub(super) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &self.0;
        if a.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            a.idle_since.store(a.now(), Ordering::Release);
            a.head_started.store(NONE, Ordering::Release);
            a.changed.notify_one();
        }
    }
}

impl Activity {
    /// A new connection (idle from now); `h2` when ALPN chose HTTP/2.
    pub(super) fn new(h2: bool) -> Activity {
        Activity {
            base: Instant::now(),
            h2: AtomicBool::new(h2),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            head_started: AtomicU64::new(NONE),
            answer_408: AtomicBool::new(false),
            changed: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_micros()).unwrap_or(NONE - 1)
    }

    fn at(&self, micros: u64, plus: Duration) -> Instant {
        self.base + Duration::from_micros(micros) + plus
    }

    /// Resolves when the state changed (so the watchdog recomputes its deadline).
    pub(super) async fn changed(&self) {
        self.changed.notified().await;
    }

    /// A request's header was read: the connection is busy until the returned guard drops.
    pub(super) fn begin_request(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_started.store(NONE, Ordering::Release);
        self.changed.notify_one();
        InFlight(self.clone())
    }

    /// Bytes arrived: on an idle HTTP/1 connection, the next request header has started.
    fn on_read(&self) {
        if !self.h2.load(Ordering::Acquire)
            && self.in_flight.load(Ordering::Acquire) == 0
            && self.head_started.load(Ordering::Acquire) == NONE
        {
            self.head_started.store(self.now(), Ordering::Release);
            self.changed.notify_one();
        }
    }

    /// The client sent the HTTP/2 preface: no header timer (frames arrive while idle).
    fn set_h2(&self) {
        self.h2.store(true, Ordering::Release);
        self.head_started.store(NONE, Ordering::Release);
        self.changed.notify_one();
    }

    /// When the watchdog should look again: the header or idle deadline, or (while a request
    /// is in flight) only when the state changes.
    pub(super) fn next_check(&self, o: &ConnectionOptions) -> Instant {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Instant::now() + Duration::from_secs(24 * 3600);
        }
        match self.head_started.load(Ordering::Acquire) {
            NONE => self.at(self.idle_since.load(Ordering::Acquire), o.idle_timeout),
            t => self.at(t, o.header_timeout),
        }
    }

    /// The timer that ran out, if any.
    pub(super) fn expired(&self, o: &ConnectionOptions) -> Option<Expired> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let now = Instant::now();
        match self.head_started.load(Ordering::Acquire) {
            NONE => (now >= self.at(self.idle_since.load(Ordering::Acquire), o.idle_timeout))
                .then_some(Expired::Idle),
            t => (now >= self.at(t, o.header_timeout)).then_some(Expired::Header),
        }
    }

    /// Makes the stream answer the late header with a 408 and end.
    pub(super) fn answer_408(&self) {
        self.answer_408.store(true, Ordering::Release);
    }
}

/// A connection's stream as hyper sees it.
pub(super) struct TimedIo {
    inner: BoxedIo,
    activity: Arc<Activity>,
    /// The first bytes read, until they tell HTTP/2 from HTTP/1.
    sniff: Option<Vec<u8>>,
    /// The 408 to write when asked, and how much of it is written.
    answer: Bytes,
    written: usize,
}

impl TimedIo {
    pub(super) fn new(inner: BoxedIo, activity: Arc<Activity>, answer: Bytes) -> TimedIo {
        let sniff = (!activity.h2.load(Ordering::Acquire)).then(Vec::new);
        TimedIo {
            inner,
            activity,
            sniff,
            answer,
            written: 0,
        }
    }

    /// Writes the 408, flushes and shuts the stream down; then reads end (EOF).
    fn poll_answer_408(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.answer.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.answer[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
        let _ = ready!(Pin::new(&mut self.inner).poll_shutdown(cx));
        Poll::Ready(Ok(()))
    }

    fn sniff(&mut self, read: &[u8]) {
        let Some(seen) = &mut self.sniff else { return };
        let take = read.len().min(H2_PREFACE.len() - seen.len());
        seen.extend_from_slice(&read[..take]);
        if !H2_PREFACE.starts_with(seen) {
            self.sniff = None;
        } else if seen.len() == H2_PREFACE.len() {
            self.sniff = None;
            self.activity.set_h2();
        }
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.activity.answer_408.load(Ordering::Acquire) {
            return this.poll_answer_408(cx);
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            this.sniff(&buf.filled()[before..]);
            this.activity.on_read();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ConnectionOptions {
        ConnectionOptions {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            max_connections: 10,
        }
    }

    #[test]
    fn idle_then_header_then_busy() {
        let a = Arc::new(Activity::new(false));
        let o = opts();
        let start = a.base;
        assert_eq!(a.next_check(&o), start + o.idle_timeout);
        assert_eq!(a.expired(&o), None);
        a.on_read();
        let header_deadline = a.next_check(&o);
        assert!(
            header_deadline < start + o.idle_timeout,
            "a header is timed from its start"
        );
        let busy = a.begin_request();
        assert_eq!(a.expired(&o), None);
        assert!(a.next_check(&o) > Instant::now() + Duration::from_secs(3600));
        drop(busy);
        assert!(a.next_check(&o) >= Instant::now() + o.idle_timeout - Duration::from_secs(1));
    }

    #[test]
    fn the_h2_preface_stops_the_header_timer() {
        let a = Arc::new(Activity::new(false));
        let mut io = TimedIo::new(Box::new(tokio::io::empty()), a.clone(), Bytes::new());
        io.sniff(&H2_PREFACE[..5]);
        a.on_read();
        assert_ne!(a.head_started.load(Ordering::Acquire), NONE);
        io.sniff(&H2_PREFACE[5..]);
        assert!(a.h2.load(Ordering::Acquire));
        assert_eq!(a.head_started.load(Ordering::Acquire), NONE);
        a.on_read();
        assert_eq!(a.head_started.load(Ordering::Acquire), NONE);

        let b = Arc::new(Activity::new(false));
        let mut io = TimedIo::new(Box::new(tokio::io::empty()), b.clone(), Bytes::new());
        io.sniff(b"POST / HTTP/1.1\r\n");
        assert!(!b.h2.load(Ordering::Acquire) && io.sniff.is_none());
    }
}
