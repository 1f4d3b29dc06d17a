//! CPU and memory of a running replica, read from `/proc/PID/stat` and `/proc/PID/status`
//! (Linux). CPU is the share of one core used since the previous reading of the same process
//! (or since it started, at the first reading); memory is the resident set (`VmRSS`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// What `/proc` says of one process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// Percent of one core.
    pub cpu_percent: f64,
    /// Resident memory in bytes.
    pub rss_bytes: u64,
}

/// Remembers the last CPU reading per process, so that a reading covers the time since the
/// previous one.
#[derive(Debug, Default)]
pub struct Sampler {
    last: Mutex<HashMap<i32, (Instant, u64, u64)>>,
}

/// Clock ticks per second of `/proc` times.
fn ticks_per_second() -> f64 {
    // `/proc` reports times in USER_HZ, which the Linux ABI fixes at 100 on every
    // architecture stmgr builds for (`getconf CLK_TCK`).
    100.0
}

/// `utime + stime` and the start time (both in ticks) of `pid`.
fn cpu_ticks(pid: i32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields counted from 3 (state): utime is field 14, stime 15, starttime 22.
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    let start: u64 = f.get(19)?.parse().ok()?;
    Some((utime + stime, start))
}

/// Resident memory of `pid` in bytes.
fn rss_bytes(pid: i32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Seconds since boot.
fn uptime_secs() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

impl Sampler {
    /// The usage of `pid`, or `None` when it is gone (or `/proc` is not there).
    pub fn read(&self, pid: i32) -> Option<Usage> {
        let (ticks, start) = cpu_ticks(pid)?;
        let rss = rss_bytes(pid).unwrap_or(0);
        let now = Instant::now();
        let hz = ticks_per_second();
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cpu = match last.get(&pid) {
            // The same process (same start time) read at least 100 ms ago.
            Some((at, t, s)) if *s == start && now.duration_since(*at).as_millis() >= 100 => {
                let secs = now.duration_since(*at).as_secs_f64();
                (ticks.saturating_sub(*t) as f64 / hz) / secs * 100.0
            }
            _ => {
                let alive = uptime_secs().map_or(0.0, |up| up - start as f64 / hz);
                if alive > 0.0 {
                    (ticks as f64 / hz) / alive * 100.0
                } else {
                    0.0
                }
            }
        };
        if last.len() > 4096 {
            last.retain(|p, _| std::path::Path::new(&format!("/proc/{p}")).exists());
        }
        last.insert(pid, (now, ticks, start));
        Some(Usage {
            cpu_percent: (cpu * 10.0).round() / 10.0,
            rss_bytes: rss,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_process_shows_cpu_and_memory() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        let s = Sampler::default();
        let first = s.read(pid).expect("a running process has usage");
        assert!(first.rss_bytes > 0);
        // Poll until the busy loop has used measurable CPU (deadline, no fixed sleep).
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        let mut seen = 0.0;
        while Instant::now() < deadline && seen <= 1.0 {
            std::thread::sleep(std::time::Duration::from_millis(150));
            seen = s.read(pid).unwrap().cpu_percent;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(seen > 1.0, "busy loop used {seen}% CPU");
        assert!(s.read(pid).is_none(), "a reaped process has no usage");
    }
}
