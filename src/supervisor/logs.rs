//! Process logs: each instance's stdout and stderr, line by line, into `DIR/NAME.log` with a
//! timestamp and the stream (`2024-05-01T12:00:00.000Z stdout listening on :80`), rotated by
//! size (`NAME.log.1` … `NAME.log.N`, oldest dropped), reopened on request (`SIGUSR1`, for an
//! outside logrotate); and reading them back: [`read`] (with `since`, [`parse_since`]), [`last`]
//! and [`read_and_follow`].

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};

use super::config::LogSpec;

/// Which output a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Stream {
    fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// A line copied to whoever echoes output (`log.echo = true`): the instance and the line.
pub type EchoLine = (Arc<str>, String);

/// Bumped to make every log file reopen before its next line.
#[derive(Debug, Clone, Default)]
pub struct Reopen(Arc<AtomicU64>);

impl Reopen {
    /// Every sink reopens its file before its next write.
    pub fn request(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn generation(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The log file of one instance.
pub struct LogSink {
    name: Arc<str>,
    file: Mutex<LogFile>,
    echo: Option<broadcast::Sender<EchoLine>>,
    reopen: Reopen,
}

struct LogFile {
    path: PathBuf,
    file: Option<File>,
    size: u64,
    max_bytes: u64,
    keep: u32,
    generation: u64,
}

/// The path of an instance's current log file.
pub fn log_path(dir: &Path, instance: &str) -> PathBuf {
    dir.join(format!("{instance}.log"))
}

impl LogSink {
    /// The sink of `instance` in `dir` (created, mode 0700).
    ///
    /// # Errors
    /// When the directory or the file cannot be created.
    pub fn open(
        dir: &Path,
        instance: &str,
        spec: &LogSpec,
        echo: Option<broadcast::Sender<EchoLine>>,
        reopen: Reopen,
    ) -> io::Result<LogSink> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mut f = LogFile {
            path: log_path(dir, instance),
            file: None,
            size: 0,
            max_bytes: spec.max_bytes,
            keep: spec.keep,
            generation: reopen.generation(),
        };
        f.open()?;
        Ok(LogSink {
            name: instance.into(),
            file: Mutex::new(f),
            echo: if spec.echo { echo } else { None },
            reopen,
        })
    }

    /// Appends one line (without its newline), rotating first if it would pass the limit.
    /// A failed write is dropped: a full disk must not stop the process it logs.
    pub fn write_line(&self, stream: Stream, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let record = format!(
            "{} {} {}\n",
            crate::time::format_ts(crate::time::now_ms()),
            stream.as_str(),
            text
        );
        {
            let mut f = self.file.lock().unwrap_or_else(PoisonError::into_inner);
            let generation = self.reopen.generation();
            if generation != f.generation {
                f.generation = generation;
                let _ = f.open();
            }
            let _ = f.append(record.as_bytes());
        }
        if let Some(echo) = &self.echo {
            let _ = echo.send((self.name.clone(), text.into_owned()));
        }
    }
}

impl LogFile {
    fn open(&mut self) -> io::Result<()> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)?;
        self.size = file.metadata()?.len();
        self.file = Some(file);
        Ok(())
    }

    fn append(&mut self, record: &[u8]) -> io::Result<()> {
        if self.size > 0 && self.size + record.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                self.open()?;
                self.file
                    .as_mut()
                    .ok_or_else(|| io::Error::other("log file not open"))?
            }
        };
        file.write_all(record)?;
        self.size += record.len() as u64;
        Ok(())
    }

    /// `NAME.log.(N-1)` → `NAME.log.N`, …, `NAME.log` → `NAME.log.1`, then a new `NAME.log`.
    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let numbered = |n: u32| PathBuf::from(format!("{}.{n}", self.path.display()));
        let _ = std::fs::remove_file(numbered(self.keep));
        for n in (1..self.keep).rev() {
            let _ = std::fs::rename(numbered(n), numbered(n + 1));
        }
        std::fs::rename(&self.path, numbered(1))?;
        self.open()
    }
}

/// The lines of an instance's logs, oldest first across the rotated files, keeping only those
/// stamped at or after `since_ms`.
///
/// # Errors
/// [`io::ErrorKind::NotFound`] when the instance has no log; other read errors.
pub fn read(dir: &Path, instance: &str, since_ms: Option<i64>) -> io::Result<Vec<String>> {
    let current = log_path(dir, instance);
    if !current.exists() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no log for {instance}"),
        ));
    }
    let mut files = rotated_files(&current);
    files.reverse();
    files.push(current);
    let mut out = Vec::new();
    for path in files {
        match File::open(&path) {
            Ok(f) => read_lines(f, since_ms, &mut out),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {} // rotated meanwhile
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The last `n` of `lines` (all of them with `None`).
pub fn last(mut lines: Vec<String>, n: Option<usize>) -> Vec<String> {
    if let Some(n) = n
        && lines.len() > n
    {
        lines.drain(..lines.len() - n);
    }
    lines
}

/// A `since` argument: an RFC 3339 time, or a duration back from now (`10m`); milliseconds.
///
/// # Errors
/// A message naming the value when it is neither.
pub fn parse_since(v: &str) -> Result<i64, String> {
    if let Ok(ms) = crate::time::parse_ts(v) {
        return Ok(ms);
    }
    let d = humantime::parse_duration(v)
        .map_err(|_| format!("since={v:?}: an RFC 3339 time or a duration like 10m"))?;
    Ok(crate::time::now_ms() - i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn keep_line(line: &str, since_ms: Option<i64>) -> bool {
    let Some(since) = since_ms else {
        return true;
    };
    line.split(' ')
        .next()
        .and_then(|ts| crate::time::parse_ts(ts).ok())
        .is_some_and(|ts| ts >= since)
}

/// The instance's lines stamped at or after `since_ms` (as [`read`]), then every line appended
/// from there on, across rotations, until the receiver is dropped. The current file is opened
/// once and followed from exactly where the reading stopped, so no line written meanwhile is
/// lost or sent twice. An instance that has logged nothing yet gets its (empty) file made,
/// mode 0600, so its first lines are followed too.
///
/// # Errors
/// When the current file cannot be made, opened or read.
pub fn read_and_follow(
    dir: &Path,
    instance: &str,
    since_ms: Option<i64>,
) -> io::Result<(Vec<String>, mpsc::Receiver<String>)> {
    let path = log_path(dir, instance);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)?;
    let mut file = File::open(&path)?;
    let mut ino = file.metadata()?.ino();
    let mut lines = Vec::new();
    for rotated in rotated_files(&path).into_iter().rev() {
        let f = match File::open(&rotated) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue, // rotated meanwhile
            Err(e) => return Err(e),
        };
        // Rotated since it was opened: the handle reads it below.
        if f.metadata()?.ino() == ino {
            continue;
        }
        read_lines(f, since_ms, &mut lines);
    }
    let mut pending = Vec::new();
    file.read_to_end(&mut pending)?;
    let complete = pending
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let head: Vec<u8> = pending.drain(..complete).collect();
    read_lines(&head[..], since_ms, &mut lines);
    let (tx, rx) = mpsc::channel(256);
    tokio::spawn(async move {
        // Files to read once the one open is drained (rotated past while it was read).
        let mut next: std::collections::VecDeque<(File, u64)> = Default::default();
        loop {
            let mut buf = Vec::new();
            if file.read_to_end(&mut buf).is_ok() && !buf.is_empty() {
                pending.extend_from_slice(&buf);
                while let Some(pos) = pending.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = pending.drain(..=pos).collect();
                    let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
                    if tx.send(text).await.is_err() {
                        return;
                    }
                }
                continue;
            }
            if tx.is_closed() {
                return;
            }
            if let Some((f, i)) = next.pop_front() {
                (file, ino) = (f, i);
                continue;
            }
            // Rotated or reopened: the old file is drained, go on with the newer ones.
            if let Ok(meta) = std::fs::metadata(&path)
                && meta.ino() != ino
            {
                next = newer_than(&path, ino);
                continue;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Ok((lines, rx))
}

/// The files written after the one with inode `ino`, oldest first: the rotated ones newer than
/// it (when it was rotated more than once while being read), then the current one. When it is
/// not among the rotated files (moved away by an outside logrotate), only the current one.
fn newer_than(current: &Path, ino: u64) -> std::collections::VecDeque<(File, u64)> {
    let mut newer = Vec::new();
    let mut found = false;
    for rotated in rotated_files(current) {
        let Ok(f) = File::open(&rotated) else { break };
        let Ok(i) = f.metadata().map(|m| m.ino()) else {
            break;
        };
        if i == ino {
            found = true;
            break;
        }
        newer.push((f, i));
    }
    if !found {
        newer.clear();
    }
    newer.reverse();
    if let Ok(f) = File::open(current)
        && let Ok(i) = f.metadata().map(|m| m.ino())
    {
        newer.push((f, i));
    }
    let mut seen = std::collections::HashSet::from([ino]);
    newer.retain(|(_, i)| seen.insert(*i));
    newer.into()
}

/// `NAME.log.1`, `NAME.log.2`, … that exist, newest first.
fn rotated_files(current: &Path) -> Vec<PathBuf> {
    (1..1000)
        .map(|n| PathBuf::from(format!("{}.{n}", current.display())))
        .take_while(|p| p.exists())
        .collect()
}

/// Appends the lines of `r` stamped at or after `since_ms` to `out`.
fn read_lines(r: impl Read, since_ms: Option<i64>, out: &mut Vec<String>) {
    for line in BufReader::new(r).lines() {
        let line = line.unwrap_or_default();
        if keep_line(&line, since_ms) {
            out.push(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_n_files_and_read_returns_them_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let spec = LogSpec {
            max_bytes: 1024,
            keep: 2,
            echo: false,
        };
        let sink = LogSink::open(dir.path(), "web", &spec, None, Reopen::default()).unwrap();
        for i in 0..100 {
            sink.write_line(
                Stream::Stdout,
                format!("line {i:03} {}", "x".repeat(40)).as_bytes(),
            );
        }
        assert!(dir.path().join("web.log.1").exists());
        assert!(dir.path().join("web.log.2").exists());
        assert!(!dir.path().join("web.log.3").exists());
        for f in ["web.log", "web.log.1", "web.log.2"] {
            assert!(std::fs::metadata(dir.path().join(f)).unwrap().len() <= 1024);
        }
        let lines = read(dir.path(), "web", None).unwrap();
        assert!(
            lines
                .last()
                .unwrap()
                .ends_with(&format!("line 099 {}", "x".repeat(40)))
        );
        let numbers: Vec<u32> = lines
            .iter()
            .map(|l| l.split(' ').nth(3).unwrap().parse().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
        assert!(lines[0].contains(" stdout line "));
        // `since` in the future keeps nothing.
        let later = crate::time::now_ms() + 60_000;
        assert!(read(dir.path(), "web", Some(later)).unwrap().is_empty());
        let two = last(lines.clone(), Some(2));
        assert_eq!(two, lines[lines.len() - 2..]);
        assert_eq!(last(lines.clone(), Some(10_000)), lines);
        assert!(last(lines, Some(0)).is_empty());
    }

    /// Reading then following while a writer appends (and rotates) delivers every line once,
    /// in order: nothing falls between the read and the follow.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn read_and_follow_loses_and_repeats_nothing_under_writes() {
        let dir = tempfile::tempdir().unwrap();
        let spec = LogSpec {
            max_bytes: 64 * 1024,
            keep: 50,
            echo: false,
        };
        let sink = LogSink::open(dir.path(), "w", &spec, None, Reopen::default()).unwrap();
        const N: u32 = 20_000;
        let writer = std::thread::spawn(move || {
            for i in 0..N {
                sink.write_line(Stream::Stdout, format!("n {i}").as_bytes());
            }
        });
        // Start while the writer is busy.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !read(dir.path(), "w", None).is_ok_and(|l| l.len() > 100) {
            assert!(std::time::Instant::now() < deadline, "the writer writes");
            std::thread::yield_now();
        }
        let (head, mut rx) = read_and_follow(dir.path(), "w", None).unwrap();
        let number = |l: &str| -> u32 { l.rsplit(' ').next().unwrap().parse().unwrap() };
        let mut seen: Vec<u32> = head.iter().map(|l| number(l)).collect();
        assert!(!seen.is_empty());
        while seen.last() != Some(&(N - 1)) {
            let line = tokio::time::timeout(Duration::from_secs(20), rx.recv())
                .await
                .expect("followed lines keep coming")
                .expect("the follower runs");
            seen.push(number(&line));
        }
        writer.join().unwrap();
        let expected: Vec<u32> = (0..N).collect();
        let gaps: Vec<_> = seen
            .windows(2)
            .filter(|w| w[1] != w[0] + 1)
            .take(5)
            .collect();
        assert_eq!(
            seen.len(),
            expected.len(),
            "a line was lost or repeated: head {} first {:?} gaps {gaps:?}",
            head.len(),
            seen.first()
        );
        assert_eq!(seen, expected);
    }

    #[test]
    fn since_is_a_time_or_a_duration_back() {
        assert_eq!(
            parse_since("2024-05-01T12:00:00Z").unwrap(),
            crate::time::parse_ts("2024-05-01T12:00:00Z").unwrap()
        );
        let before = crate::time::now_ms();
        let back = parse_since("10m").unwrap();
        assert!((before - 600_000 - 1000..=before - 600_000 + 1000).contains(&back));
        assert!(
            parse_since("yesterday-ish")
                .unwrap_err()
                .contains("yesterday-ish")
        );
    }

    #[test]
    fn reopen_starts_a_new_file_after_an_outside_rename() {
        let dir = tempfile::tempdir().unwrap();
        let reopen = Reopen::default();
        let sink =
            LogSink::open(dir.path(), "a", &LogSpec::default(), None, reopen.clone()).unwrap();
        sink.write_line(Stream::Stderr, b"before");
        std::fs::rename(dir.path().join("a.log"), dir.path().join("moved")).unwrap();
        reopen.request();
        sink.write_line(Stream::Stderr, b"after");
        let now = std::fs::read_to_string(dir.path().join("a.log")).unwrap();
        assert!(now.contains("stderr after") && !now.contains("before"));
    }
}
