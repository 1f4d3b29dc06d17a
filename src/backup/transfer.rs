//! Moving whole files between the local disk and a [`Target`] without holding them in memory.
//!
//! Upload: a thread reads the file in parts of [`TargetOptions::part_size`], hashing as it
//! goes; a file of one part goes up in one request, a larger one as a multipart upload with
//! up to [`TargetOptions::upload_concurrency`] parts in flight (so at most about
//! `part_size × (concurrency + 2)` bytes are in memory). The object appears only when the upload
//! completes.
//!
//! Download: into `.tmp-dl-<ULID>` beside the destination (the `.tmp-` prefix the engine
//! removes from its directories at start), hashed while written, synced, checked against the
//! expected size and SHA-256 and by the caller's own check, then renamed into place (never over
//! an existing file) and the directory synced. On any failure the temporary file is removed.
//!
//! [`TargetOptions::part_size`]: super::TargetOptions::part_size
//! [`TargetOptions::upload_concurrency`]: super::TargetOptions::upload_concurrency

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use super::error::{BackupError, Result};
use super::target::{Progress, Target};

/// What was uploaded.
#[derive(Debug, Clone)]
pub(crate) struct Uploaded {
    /// Bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

enum Chunk {
    Data(Bytes),
    Done { size: u64, sha256: String },
}

/// Uploads the file `path` to `rel`, replacing what is there.
pub(crate) async fn upload_file(target: &Target, rel: &str, path: &Path) -> Result<Uploaded> {
    let part = target.options().part_size.max(5 * 1024 * 1024);
    let (tx, mut rx) = mpsc::channel::<io::Result<Chunk>>(2);
    let src = path.to_path_buf();
    let progress = target.options().progress.clone();
    std::thread::spawn(move || read_parts(&src, part, &tx, progress.as_ref()));
    let local = |e: io::Error| BackupError::local("read", path, e);
    let closed = || BackupError::local("read", path, io::Error::other("reader thread ended"));

    let first = match rx.recv().await.ok_or_else(closed)?.map_err(local)? {
        Chunk::Data(b) => b,
        Chunk::Done { size, sha256 } => {
            target
                .put_bytes(rel, Bytes::new(), Default::default())
                .await?;
            return Ok(Uploaded { size, sha256 });
        }
    };
    let second = rx.recv().await.ok_or_else(closed)?.map_err(local)?;
    if let Chunk::Done { size, sha256 } = second {
        target
            .store()
            .put(&target.path(rel), PutPayload::from_bytes(first))
            .await
            .map_err(|e| target.err("put", rel, e))?;
        return Ok(Uploaded { size, sha256 });
    }
    let upload = target
        .store()
        .put_multipart(&target.path(rel))
        .await
        .map_err(|e| target.err("start upload", rel, e))?;
    let mut w = WriteMultipart::new_with_chunk_size(upload, part);
    let mut next = Some(second);
    let mut data = Some(first);
    let result: Result<Uploaded> = async {
        loop {
            if let Some(b) = data.take() {
                w.wait_for_capacity(target.options().upload_concurrency)
                    .await
                    .map_err(|e| target.err("upload part", rel, e))?;
                w.put(b);
            }
            let msg = match next.take() {
                Some(m) => m,
                None => rx.recv().await.ok_or_else(closed)?.map_err(local)?,
            };
            match msg {
                Chunk::Data(b) => data = Some(b),
                Chunk::Done { size, sha256 } => return Ok(Uploaded { size, sha256 }),
            }
        }
    }
    .await;
    match result {
        Ok(up) => {
            w.finish()
                .await
                .map_err(|e| target.err("complete upload", rel, e))?;
            Ok(up)
        }
        Err(e) => {
            let _ = w.abort().await;
            Err(e)
        }
    }
}

/// The reader thread: parts of `part` bytes, then the size and hash.
fn read_parts(
    path: &Path,
    part: usize,
    tx: &mpsc::Sender<io::Result<Chunk>>,
    progress: Option<&Progress>,
) {
    let run = || -> io::Result<()> {
        let mut f = File::open(path)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        loop {
            let mut buf = BytesMut::zeroed(part);
            let mut filled = 0;
            while filled < part {
                match f.read(&mut buf[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if filled == 0 {
                break;
            }
            buf.truncate(filled);
            hasher.update(&buf);
            size += filled as u64;
            if tx.blocking_send(Ok(Chunk::Data(buf.freeze()))).is_err() {
                return Ok(());
            }
            // Handed to the uploader (at most two parts ahead of the network).
            Progress::add(progress, filled as u64);
            if filled < part {
                break;
            }
        }
        let sha256 = hex(&hasher.finalize());
        let _ = tx.blocking_send(Ok(Chunk::Done { size, sha256 }));
        Ok(())
    };
    if let Err(e) = run() {
        let _ = tx.blocking_send(Err(e));
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// What a download must be.
pub(crate) struct Expected<'a> {
    /// Bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: &'a str,
}

/// Removes the temporary file unless disarmed.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Downloads `rel` to `dest`, which must not exist; see the module doc. `check` looks at the
/// verified temporary file before it is renamed (the snapshot header against its manifest).
pub(crate) async fn download_verified(
    target: &Target,
    rel: &str,
    dest: &Path,
    expected: Expected<'_>,
    check: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    if dest.exists() {
        return Err(BackupError::local(
            "download to",
            dest,
            io::Error::from(io::ErrorKind::AlreadyExists),
        ));
    }
    let tmp = dir.join(format!(".tmp-dl-{}", ulid::Ulid::generate()));
    let guard = TempGuard(Some(tmp.clone()));
    let url = target.url(rel);

    let (size, sha256) = match target.local_path(rel) {
        // A local directory: copy file to file on a blocking thread.
        Some(src) => {
            let tmp2 = tmp.clone();
            let progress = target.options().progress.clone();
            let out =
                tokio::task::spawn_blocking(move || copy_hashed(&src, &tmp2, progress.as_ref()))
                    .await
                    .map_err(|e| BackupError::local("copy", &tmp, io::Error::other(e)))?;
            out.map_err(|(e, on_src)| match (on_src, e.kind()) {
                (true, io::ErrorKind::NotFound) => BackupError::NotFound { url: url.clone() },
                (true, _) => BackupError::Storage {
                    op: "read",
                    url: url.clone(),
                    reason: e.to_string(),
                },
                (false, _) => BackupError::local("write", &tmp, e),
            })?
        }
        None => stream_to_file(target, rel, &tmp, expected.size).await?,
    };
    if size != expected.size {
        return Err(BackupError::corrupt(
            &url,
            format!("{size} bytes, its manifest says {}", expected.size),
        ));
    }
    if sha256 != expected.sha256 {
        return Err(BackupError::corrupt(
            &url,
            format!(
                "sha256 {sha256} differs from its manifest's {}",
                expected.sha256
            ),
        ));
    }
    check(&tmp)?;
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        &tmp,
        rustix::fs::CWD,
        dest,
        rustix::fs::RenameFlags::NOREPLACE,
    )
    .map_err(|e| BackupError::local("rename into place", dest, e.into()))?;
    let mut guard = guard;
    guard.0 = None;
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| BackupError::local("sync directory", &dir, e))?;
    Ok(())
}

/// Copies `src` to the new file `dst` in large blocks, syncs it; the error says whether it
/// was on the source.
fn copy_hashed(
    src: &Path,
    dst: &Path,
    progress: Option<&Progress>,
) -> std::result::Result<(u64, String), (io::Error, bool)> {
    let mut from = File::open(src).map_err(|e| (e, true))?;
    let mut to = File::create_new(dst).map_err(|e| (e, false))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 4 * 1024 * 1024];
    let mut size = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err((e, true)),
        };
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n]).map_err(|e| (e, false))?;
        size += n as u64;
        Progress::add(progress, n as u64);
    }
    to.sync_all().map_err(|e| (e, false))?;
    Ok((size, hex(&hasher.finalize())))
}

/// Streams `rel` into the new file `tmp` through a writer thread; stops early when more than
/// `limit` bytes arrive.
async fn stream_to_file(
    target: &Target,
    rel: &str,
    tmp: &Path,
    limit: u64,
) -> Result<(u64, String)> {
    let url = target.url(rel);
    let get = target
        .store()
        .get(&target.path(rel))
        .await
        .map_err(|e| target.err("get", rel, e))?;
    let mut stream = get.into_stream();
    let (tx, mut rx) = mpsc::channel::<Bytes>(4);
    let (done_tx, done_rx) = oneshot::channel::<io::Result<(u64, String)>>();
    let path = tmp.to_path_buf();
    std::thread::spawn(move || {
        let mut run = || -> io::Result<(u64, String)> {
            let mut f = File::create_new(&path)?;
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            while let Some(b) = rx.blocking_recv() {
                hasher.update(&b);
                f.write_all(&b)?;
                size += b.len() as u64;
            }
            f.sync_all()?;
            Ok((size, hex(&hasher.finalize())))
        };
        let _ = done_tx.send(run());
    });
    let mut received = 0u64;
    let mut buf = BytesMut::new();
    let mut failed = None;
    while let Some(item) = stream.next().await {
        let b = match item {
            Ok(b) => b,
            Err(e) => {
                failed = Some(target.err("get", rel, e));
                break;
            }
        };
        received += b.len() as u64;
        Progress::add(target.options().progress.as_ref(), b.len() as u64);
        if received > limit {
            failed = Some(BackupError::corrupt(
                &url,
                format!("longer than the {limit} bytes its manifest says"),
            ));
            break;
        }
        buf.extend_from_slice(&b);
        if buf.len() >= 1024 * 1024 && tx.send(buf.split().freeze()).await.is_err() {
            break;
        }
    }
    if failed.is_none() && !buf.is_empty() {
        let _ = tx.send(buf.freeze()).await;
    }
    drop(tx);
    let written = done_rx
        .await
        .map_err(|_| BackupError::local("write", tmp, io::Error::other("writer thread ended")))?
        .map_err(|e| BackupError::local("write", tmp, e));
    match failed {
        Some(e) => Err(e),
        None => written,
    }
}
