//! The watch load: `connections` watchers on the namespace's event stream while paced writers
//! do `rate` puts/s in all, each body carrying its send time; the lag of an event is its receive
//! time minus its send time (one process, one clock).
//!
//! The writers are open-loop: each of [`WRITERS`] connections sends on its own schedule, so a
//! slow answer delays that writer's next put only until it catches up, and the achieved rate is
//! reported beside the lag. Watchers do not parse events as JSON: they find the `"sent_us":`
//! field in the raw stream, so the generator's cost per event stays small.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use super::http::{HttpError, Target, read_some};
use super::{BenchConfig, BenchReport};

/// Writer connections sharing the rate (enough that a put answered in 50 ms does not hold the
/// rate back at 1,000/s).
const WRITERS: u64 = 64;
/// How long watchers wait for the last events once the writers are done.
const GRACE: Duration = Duration::from_secs(5);
/// Distinct ids the writers cycle through.
const IDS: u64 = 1000;

fn put_body(i: u64, sent_us: u64, pad: &str) -> Bytes {
    let mut b = BytesMut::with_capacity(pad.len() + 80);
    b.put_slice(br#"{"type":"bench","id":"e"#);
    b.put_slice((i % IDS).to_string().as_bytes());
    b.put_slice(br#"","body":{"sent_us":"#);
    b.put_slice(sent_us.to_string().as_bytes());
    b.put_slice(br#","pad":""#);
    b.put_slice(pad.as_bytes());
    b.put_slice(br#""}}"#);
    b.freeze()
}

/// Milliseconds since midnight UTC of the wall clock now.
fn ms_of_day_now() -> u32 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    (ms % u128::from(DAY_MS)) as u32
}

const DAY_MS: u32 = 86_400_000;

/// Milliseconds since midnight of an RFC 3339 time `YYYY-MM-DDTHH:MM:SS.mmmZ` (as the server
/// writes commit times), from its time-of-day digits.
fn ms_of_day(ts: &[u8]) -> Option<u32> {
    let t = ts.get(11..23)?;
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        t[r].iter().try_fold(0u32, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    Some(((num(0..2)? * 60 + num(3..5)?) * 60 + num(6..8)?) * 1000 + num(9..12)?)
}

/// Lags of the events read by one watcher.
#[derive(Default)]
struct Lags {
    /// Send of the put to receipt of its event (µs): what a client of both sides sees.
    delivery_us: Vec<u32>,
    /// Commit (the event's `ts`, ms) to receipt of the event (ms, wall clock): the emit lag.
    emit_ms: Vec<u32>,
}

/// Parses the digits after each `"sent_us":` and the commit time after each `"ts":"` in
/// complete events and records their lags.
struct LagScanner {
    finder: memchr::memmem::Finder<'static>,
    ts_finder: memchr::memmem::Finder<'static>,
    partial: Vec<u8>,
}

impl LagScanner {
    fn new() -> Self {
        LagScanner {
            finder: memchr::memmem::Finder::new(br#""sent_us":"#),
            ts_finder: memchr::memmem::Finder::new(br#""ts":""#),
            partial: Vec::new(),
        }
    }

    /// Feeds stream bytes received at `now_us` (bench clock) and `now_ms_of_day` (wall
    /// clock); records the lags of every event completed by them.
    fn feed(&mut self, chunk: &[u8], now_us: u64, now_ms_of_day: u32, lags: &mut Lags) {
        let mut chunk = chunk;
        // Events end with a blank line. An event begun in an earlier chunk is completed with
        // this chunk's bytes up to its first blank line; only those bytes are copied.
        if !self.partial.is_empty() {
            let Some(first) = memchr::memmem::find(chunk, b"\n\n") else {
                self.partial.extend_from_slice(chunk);
                return;
            };
            let mut partial = std::mem::take(&mut self.partial);
            partial.extend_from_slice(&chunk[..first + 2]);
            self.scan(&partial, now_us, now_ms_of_day, lags);
            partial.clear();
            self.partial = partial;
            chunk = &chunk[first + 2..];
        }
        let complete = memchr::memmem::rfind(chunk, b"\n\n").map_or(0, |end| end + 2);
        self.scan(&chunk[..complete], now_us, now_ms_of_day, lags);
        // What follows the last complete event waits for the next chunk, unless it is only
        // the line breaks of the chunked encoding.
        let rest = &chunk[complete..];
        if rest.iter().any(|b| !b.is_ascii_whitespace()) {
            self.partial.extend_from_slice(rest);
        }
    }

    /// Records the lags of the complete events in `events`.
    fn scan(&self, events: &[u8], now_us: u64, now_ms_of_day: u32, lags: &mut Lags) {
        for at in self.finder.find_iter(events) {
            let digits = events[at + 10..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
            let lag = now_us.saturating_sub(digits);
            lags.delivery_us
                .push(u32::try_from(lag).unwrap_or(u32::MAX));
            // The object's commit time follows its body in the same event.
            if let Some(committed) = self
                .ts_finder
                .find(&events[at..])
                .and_then(|i| ms_of_day(&events[at + i + 6..]))
            {
                lags.emit_ms
                    .push((now_ms_of_day + DAY_MS - committed) % DAY_MS);
            }
        }
    }
}

/// Asks the kernel to delay the acknowledgement of what the watcher reads next, as a receiver
/// that only reads may: by default Linux acknowledges every read that empties the socket after
/// a segment shorter than the longest seen, which is nearly every read of a watch stream (their
/// writes vary in size). On one machine each acknowledgement costs a trip through the loopback
/// TCP stack; delayed, they are half as many, and the generator takes less of the CPU it shares
/// with the server it measures. The setting does not stick (the kernel leaves the mode on its
/// own), so it is renewed after every read. Data still goes to the reader as soon as it arrives.
fn delay_acks(stream: &tokio::net::TcpStream) {
    // Only a cost saving: a socket that refuses it is read all the same.
    let _ = rustix::net::sockopt::set_tcp_quickack(stream, false);
}

pub(super) async fn run(target: &Target, cfg: &BenchConfig) -> Result<BenchReport, HttpError> {
    let epoch = Instant::now();
    // The number of acknowledged writes, once the writers are done.
    let (done_tx, done_rx) = watch::channel(None::<u64>);
    let mut watchers = Vec::new();
    for _ in 0..cfg.connections {
        let (mut stream, head_rest) = target.open_watch().await?;
        let mut done = done_rx.clone();
        let cap = usize::try_from(cfg.rate.saturating_mul(cfg.duration.as_secs() + 1))
            .unwrap_or(0)
            .min(1 << 20);
        watchers.push(tokio::spawn(async move {
            let mut lags = Lags {
                delivery_us: Vec::with_capacity(cap),
                emit_ms: Vec::with_capacity(cap),
            };
            let mut scanner = LagScanner::new();
            scanner.feed(
                &head_rest,
                epoch.elapsed().as_micros() as u64,
                ms_of_day_now(),
                &mut lags,
            );
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut expected: Option<u64> = None;
            let grace = tokio::time::sleep(Duration::MAX);
            tokio::pin!(grace);
            loop {
                if expected.is_some_and(|n| lags.delivery_us.len() as u64 >= n) {
                    break;
                }
                // Biased: a watcher woken by data reads it without polling the other branches.
                tokio::select! {
                    biased;
                    read = read_some(&mut stream, &mut buf) => match read {
                        Ok(n) if n > 0 => {
                            let now_us = epoch.elapsed().as_micros() as u64;
                            scanner.feed(&buf, now_us, ms_of_day_now(), &mut lags);
                            buf.clear();
                            delay_acks(&stream);
                        }
                        _ => break,
                    },
                    changed = done.changed(), if expected.is_none() => {
                        if changed.is_err() {
                            break;
                        }
                        expected = *done.borrow();
                        grace.as_mut().reset(tokio::time::Instant::now() + GRACE);
                    }
                    _ = &mut grace => break,
                }
            }
            lags
        }));
    }

    let started = Instant::now();
    let issued = Arc::new(AtomicU64::new(0));
    let pad: Arc<str> = "v".repeat(cfg.value_size.saturating_sub(40)).into();
    let objects = target.objects_path();
    let period = Duration::from_secs_f64(WRITERS as f64 / cfg.rate.max(1) as f64);
    let mut writers = Vec::new();
    for k in 0..WRITERS {
        let mut conn = target.connect().await?;
        let (issued, pad, objects, cfg) =
            (issued.clone(), pad.clone(), objects.clone(), cfg.clone());
        let first = tokio::time::Instant::now() + period.mul_f64(k as f64 / WRITERS as f64);
        writers.push(tokio::spawn(async move {
            let mut ticker = tokio::time::interval_at(first, period);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
            let (mut ok, mut errors) = (0u64, 0u64);
            while started.elapsed() < cfg.duration {
                ticker.tick().await;
                let i = issued.fetch_add(1, Ordering::Relaxed);
                if cfg.count.is_some_and(|c| i >= c) {
                    break;
                }
                let sent_us = epoch.elapsed().as_micros() as u64;
                match conn.post(&objects, put_body(i, sent_us, &pad)).await {
                    Ok(()) => ok += 1,
                    Err(_) => errors += 1,
                }
            }
            (ok, errors)
        }));
    }
    let (mut written, mut errors) = (0u64, 0u64);
    for w in writers {
        if let Ok((ok, e)) = w.await {
            written += ok;
            errors += e;
        }
    }
    let took = started.elapsed();
    let _ = done_tx.send(Some(written));
    let mut lags: Vec<u32> = Vec::new();
    let mut emit: Vec<u32> = Vec::new();
    for w in watchers {
        if let Ok(l) = w.await {
            lags.extend(l.delivery_us);
            emit.extend(l.emit_ms);
        }
    }
    lags.sort_unstable();
    emit.sort_unstable();
    let emit_pct = |p: f64| -> Option<f64> {
        (!emit.is_empty())
            .then(|| f64::from(emit[((emit.len() as f64 - 1.0) * p).round() as usize]))
    };
    let pct = |p: f64| -> f64 {
        if lags.is_empty() {
            return 0.0;
        }
        f64::from(lags[((lags.len() as f64 - 1.0) * p).round() as usize]) / 1000.0
    };
    Ok(BenchReport {
        op: Some(cfg.op),
        connections: cfg.connections,
        ok: lags.len() as u64,
        errors,
        seconds: took.as_secs_f64(),
        per_second: lags.len() as f64 / took.as_secs_f64().max(1e-9),
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        max_ms: lags.last().map_or(0.0, |&l| f64::from(l) / 1000.0),
        writes_per_second: Some(written as f64 / took.as_secs_f64().max(1e-9)),
        emit_p50_ms: emit_pct(0.50),
        emit_p99_ms: emit_pct(0.99),
        ..BenchReport::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_reads_lags_across_chunks() {
        let mut s = LagScanner::new();
        let mut lags = Lags::default();
        let ev = |us: u64| {
            format!(
                "id: 1\ndata: {{\"obj\":{{\"body\":{{\"sent_us\":{us},\"pad\":\"v\"}},\
                 \"ts\":\"2026-12-04T00:00:01.{:03}Z\"}}}}\n\n",
                us / 100
            )
        };
        let text = format!("{}{}: heartbeat\n\n{}", ev(100), ev(200), ev(300));
        let (a, b) = text.as_bytes().split_at(text.len() / 2);
        s.feed(a, 1000, 1010, &mut lags);
        s.feed(b, 1000, 1010, &mut lags);
        assert_eq!(lags.delivery_us, vec![900, 800, 700]);
        assert_eq!(lags.emit_ms, vec![9, 8, 7]);
        s.feed(b"id: 2\ndata: {\"sent_us\":50", 1000, 1010, &mut lags);
        assert_eq!(lags.delivery_us.len(), 3, "an unfinished event waits");
        s.feed(b"}\n\n", 1000, 1010, &mut lags);
        assert_eq!(lags.delivery_us, vec![900, 800, 700, 950]);
        assert_eq!(
            lags.emit_ms.len(),
            3,
            "an event without a commit time has no emit lag"
        );
        // A commit just before midnight read just after it.
        assert_eq!(ms_of_day(b"2026-12-04T23:59:59.995Z"), Some(DAY_MS - 5));
        assert_eq!(ms_of_day(b"2026-12-04T23:59:59.99"), None);
        let mut l = Lags::default();
        let mut s = LagScanner::new();
        s.feed(
            b"data: {\"sent_us\":1,\"ts\":\"2026-12-04T23:59:59.995Z\"}\n\n",
            2,
            3,
            &mut l,
        );
        assert_eq!(l.emit_ms, vec![8]);
        assert_eq!(
            put_body(1001, 5, "vv").as_ref(),
            br#"{"type":"bench","id":"e1","body":{"sent_us":5,"pad":"vv"}}"#
        );
    }
}
