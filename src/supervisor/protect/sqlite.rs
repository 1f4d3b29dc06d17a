//! The `db` stack: consistent copies of one SQLite database through SQLite's online backup
//! API (all pages in one step, so the copy is one transaction's view; in WAL mode writers go
//! on meanwhile), checked with `PRAGMA quick_check`, compressed with zstd and shipped as
//! `supervise/sqlite/<name>/<copy_id>.sqlite.zst` with its manifest written last. `copy_id` is
//! `<epoch, 20 digits>-<ULID>`, so copies sort by lease epoch, then time: a copy written late
//! by a holder that lost the lease sorts below every copy of a later epoch, and a restore
//! takes the newest of the newest epoch. After each copy only the newest `keep` remain.
//!
//! Continuous WAL-frame replication (Litestream's way) is not done: the lag is at most
//! `interval` plus the time of one copy.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DbSpec, ProtectError, Protection};
use crate::backup::BackupError;

/// A copy's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqliteCopy {
    /// Manifest format (1).
    pub format: u32,
    /// `<epoch>-<ULID>`.
    pub copy_id: String,
    /// The database's name (`[db] name`).
    pub name: String,
    /// The lease epoch it was written under (0 without the leaser stack).
    pub epoch: u64,
    /// When the copy was taken.
    pub created_at: DateTime<Utc>,
    /// Size of the compressed object.
    pub size: u64,
    /// SHA-256 of the compressed object.
    pub sha256: String,
    /// Size of the database file the copy restores to.
    pub db_size: u64,
    /// Host name of the machine that took it.
    pub source_host: String,
    /// `stmgr <version>`.
    pub created_by: String,
}

/// The SQLite copies as status shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SqliteStatus {
    /// The database file.
    pub path: PathBuf,
    /// The newest copy shipped by this supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_copy: Option<SqliteCopy>,
    /// Seconds since the last successful copy was taken (since the start before the first).
    pub lag_seconds: f64,
    /// Copies shipped by this supervisor.
    pub copies: u64,
    /// The copy restored before the processes started (a fresh machine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<String>,
    /// The last failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Since when it counts (the last copy, or the start).
    #[serde(skip)]
    pub(crate) since: Option<DateTime<Utc>>,
}

fn folder(db: &DbSpec) -> String {
    format!("supervise/sqlite/{}", db.copy_name())
}

fn sqlite_err(path: &Path) -> impl Fn(rusqlite::Error) -> ProtectError {
    let path = path.to_owned();
    move |e| ProtectError::Sqlite {
        path: path.clone(),
        message: e.to_string(),
    }
}

/// Copies the database at `src` into the new file `dst` with the online backup API and checks
/// the copy. Blocking.
///
/// # Errors
/// The database cannot be opened or read, or the copy does not check.
pub fn backup_to(src: &Path, dst: &Path) -> Result<u64, ProtectError> {
    use rusqlite::{Connection, OpenFlags};
    if !src.exists() {
        return Err(ProtectError::Sqlite {
            path: src.to_owned(),
            message: "the database file does not exist".into(),
        });
    }
    let from = Connection::open_with_flags(
        src,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_err(src))?;
    from.busy_timeout(Duration::from_secs(10))
        .map_err(sqlite_err(src))?;
    let mut to = Connection::open(dst).map_err(sqlite_err(dst))?;
    {
        // All pages in one step: the copy is one read transaction's view. A writer holding
        // a lock (rollback-journal mode) makes it wait, up to a minute.
        let b = rusqlite::backup::Backup::new(&from, &mut to).map_err(sqlite_err(src))?;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            match b.step(-1).map_err(sqlite_err(src))? {
                rusqlite::backup::StepResult::Done => break,
                _ if std::time::Instant::now() > deadline => {
                    return Err(ProtectError::Sqlite {
                        path: src.to_owned(),
                        message: "the database stayed locked for a minute".into(),
                    });
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
    check(&to, dst)?;
    drop(to);
    let size = std::fs::metadata(dst)
        .map_err(ProtectError::local("stat", dst))?
        .len();
    Ok(size)
}

fn check(c: &rusqlite::Connection, path: &Path) -> Result<(), ProtectError> {
    let verdict: String = c
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(sqlite_err(path))?;
    if verdict != "ok" {
        return Err(ProtectError::Sqlite {
            path: path.to_owned(),
            message: format!("quick_check: {verdict}"),
        });
    }
    Ok(())
}

/// Takes a copy into a temporary file of the work directory (the caller removes it).
pub(crate) async fn take_copy(p: &Protection, db: &DbSpec) -> Result<(PathBuf, u64), ProtectError> {
    let raw = p.temp("sqlite");
    let (src, dst) = (db.path.clone(), raw.clone());
    let size = tokio::task::spawn_blocking(move || backup_to(&src, &dst))
        .await
        .map_err(|e| ProtectError::local("copy", &raw)(std::io::Error::other(e)))?;
    match size {
        Ok(size) => Ok((raw, size)),
        Err(e) => {
            let _ = std::fs::remove_file(&raw);
            Err(e)
        }
    }
}

/// Ships the copy `raw` (of `db_size` bytes) taken under `epoch`, then applies retention.
pub(crate) async fn ship(
    p: &Protection,
    db: &DbSpec,
    raw: &Path,
    db_size: u64,
    created_at: DateTime<Utc>,
) -> Result<SqliteCopy, ProtectError> {
    let epoch = p.fence()?.unwrap_or(0);
    let packed = p.temp("sqlite-zst");
    let (from, to) = (raw.to_owned(), packed.clone());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut input = std::fs::File::open(&from)?;
        let out = std::fs::File::create_new(&to)?;
        zstd::stream::copy_encode(&mut input, &out, 3)?;
        out.sync_all()
    })
    .await
    .map_err(|e| ProtectError::local("compress", &packed)(std::io::Error::other(e)))?
    .map_err(ProtectError::local("compress", &packed))?;
    let copy_id = format!("{epoch:020}-{}", ulid::Ulid::generate());
    let base = format!("{}/{copy_id}", folder(db));
    let uploaded = p
        .target
        .upload_blob(&format!("{base}.sqlite.zst"), &packed)
        .await;
    let _ = std::fs::remove_file(&packed);
    let up = uploaded?;
    let manifest = SqliteCopy {
        format: 1,
        copy_id,
        name: db.copy_name(),
        epoch,
        created_at,
        size: up.size,
        sha256: up.sha256,
        db_size,
        source_host: crate::backup::host_name(),
        created_by: format!("stmgr {}", env!("CARGO_PKG_VERSION")),
    };
    // Fenced: the manifest (the copy's commit point) only while the lease is still ours.
    p.fence()?;
    p.target
        .create_manifest(&format!("{base}.json"), &manifest)
        .await?;
    if let Err(e) = retention(p, db).await {
        tracing::warn!(error = %e, "SQLite copy retention failed");
    }
    Ok(manifest)
}

/// Takes a copy and ships it, recording the result in the status.
pub(crate) async fn copy_and_ship(p: &Protection, db: &DbSpec) -> Result<SqliteCopy, ProtectError> {
    let _op = p.op.lock().await;
    copy_and_ship_locked(p, db).await
}

/// As [`copy_and_ship`], with the operation lock already held.
pub(crate) async fn copy_and_ship_locked(
    p: &Protection,
    db: &DbSpec,
) -> Result<SqliteCopy, ProtectError> {
    let (copy, raw) = copy_ship_keep(p, db).await?;
    let _ = std::fs::remove_file(raw);
    Ok(copy)
}

/// Takes a copy, ships it, and returns the raw copy's path too (the caller removes it).
pub(crate) async fn copy_ship_keep(
    p: &Protection,
    db: &DbSpec,
) -> Result<(SqliteCopy, PathBuf), ProtectError> {
    p.fence()?;
    let created_at = Utc::now();
    let result = async {
        let (raw, size) = take_copy(p, db).await?;
        match ship(p, db, &raw, size, created_at).await {
            Ok(m) => Ok((m, raw)),
            Err(e) => {
                let _ = std::fs::remove_file(&raw);
                Err(e)
            }
        }
    }
    .await;
    p.update(|s| {
        let q = s.sqlite.get_or_insert_with(|| fresh(db));
        match &result {
            Ok((m, _)) => {
                q.last_copy = Some(m.clone());
                q.copies += 1;
                q.since = Some(created_at);
                q.last_error = None;
            }
            Err(e) => q.last_error = Some(e.to_string()),
        }
    });
    result
}

fn fresh(db: &DbSpec) -> SqliteStatus {
    SqliteStatus {
        path: db.path.clone(),
        since: Some(Utc::now()),
        ..SqliteStatus::default()
    }
}

/// The manifests' keys of `db`'s copies, oldest first.
async fn manifests(p: &Protection, db: &DbSpec) -> Result<Vec<String>, BackupError> {
    Ok(p.target
        .list_keys(&folder(db))
        .await?
        .into_iter()
        .filter(|k| k.ends_with(".json"))
        .collect())
}

/// Deletes all but the newest `keep` copies (manifest first, then data).
async fn retention(p: &Protection, db: &DbSpec) -> Result<(), BackupError> {
    let all = manifests(p, db).await?;
    let extra = all.len().saturating_sub(db.keep as usize);
    for key in &all[..extra] {
        p.target.delete_key(key).await?;
        let data = format!("{}.sqlite.zst", key.trim_end_matches(".json"));
        p.target.delete_key(&data).await?;
    }
    Ok(())
}

/// The copies of `db` in the bucket, oldest first.
///
/// # Errors
/// The bucket's.
pub async fn list(p: &Protection, db: &DbSpec) -> Result<Vec<SqliteCopy>, ProtectError> {
    let mut out = Vec::new();
    for key in manifests(p, db).await? {
        out.push(p.target.read_manifest_at(&key).await?);
    }
    Ok(out)
}

/// When the database file is missing (a fresh machine), puts the newest copy that downloads
/// and checks in its place; `None` when the file exists or the bucket has no copy.
///
/// # Errors
/// The bucket does not answer; every copy is damaged.
pub async fn restore_if_missing(
    p: &Protection,
    db: &DbSpec,
) -> Result<Option<SqliteCopy>, ProtectError> {
    p.update(|s| {
        s.sqlite.get_or_insert_with(|| fresh(db));
    });
    if db.path.exists() {
        return Ok(None);
    }
    let keys = manifests(p, db).await?;
    let mut last_err = None;
    for key in keys.iter().rev() {
        let m: SqliteCopy = match p.target.read_manifest_at(key).await {
            Ok(m) => m,
            Err(e) => {
                last_err = Some(ProtectError::from(e));
                continue;
            }
        };
        match restore_one(p, db, &m).await {
            Ok(()) => {
                tracing::info!(copy = %m.copy_id, path = %db.path.display(), "SQLite database restored");
                p.update(|s| {
                    if let Some(q) = &mut s.sqlite {
                        q.restored = Some(m.copy_id.clone());
                    }
                });
                return Ok(Some(m));
            }
            Err(e) if e.is_unreachable() => return Err(e),
            Err(e) => {
                tracing::warn!(copy = %m.copy_id, error = %e, "SQLite copy unusable; trying an older one");
                last_err = Some(e);
            }
        }
    }
    match last_err {
        Some(e) => Err(e),
        None => {
            tracing::info!(path = %db.path.display(), "no SQLite copy in the bucket: starting without one");
            Ok(None)
        }
    }
}

async fn restore_one(p: &Protection, db: &DbSpec, m: &SqliteCopy) -> Result<(), ProtectError> {
    let packed = p.temp("sqlite-dl");
    let key = format!("{}/{}.sqlite.zst", folder(db), m.copy_id);
    p.target
        .download_blob(&key, &packed, m.size, &m.sha256)
        .await?;
    let dir = db.path.parent().unwrap_or(Path::new("/")).to_owned();
    let target = db.path.clone();
    tokio::task::spawn_blocking(move || -> Result<(), ProtectError> {
        std::fs::create_dir_all(&dir).map_err(ProtectError::local("create", &dir))?;
        let tmp = dir.join(format!(".tmp-restore-{}", ulid::Ulid::generate()));
        let run = || -> Result<(), ProtectError> {
            let input =
                std::fs::File::open(&packed).map_err(ProtectError::local("open", &packed))?;
            let out =
                std::fs::File::create_new(&tmp).map_err(ProtectError::local("create", &tmp))?;
            zstd::stream::copy_decode(input, &out)
                .map_err(ProtectError::local("decompress", &packed))?;
            out.sync_all().map_err(ProtectError::local("sync", &tmp))?;
            let c = rusqlite::Connection::open_with_flags(
                &tmp,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .map_err(sqlite_err(&tmp))?;
            check(&c, &tmp)?;
            drop(c);
            rustix::fs::renameat_with(
                rustix::fs::CWD,
                &tmp,
                rustix::fs::CWD,
                &target,
                rustix::fs::RenameFlags::NOREPLACE,
            )
            .map_err(|e| ProtectError::local("rename into place", &target)(e.into()))?;
            std::fs::File::open(&dir)
                .and_then(|d| d.sync_all())
                .map_err(ProtectError::local("sync", &dir))
        };
        let r = run();
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&packed);
        r
    })
    .await
    .map_err(|e| ProtectError::local("restore", &db.path)(std::io::Error::other(e)))?
}

/// The periodic copies: every `interval` while this supervisor may write.
pub(crate) async fn copier(p: Arc<Protection>) {
    let Some(db) = p.db.clone() else { return };
    let mut stop = p.stop.subscribe();
    loop {
        tokio::select! {
            () = tokio::time::sleep(db.interval) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if p.fence().is_err() || !db.path.exists() {
            continue;
        }
        if let Err(e) = copy_and_ship(&p, &db).await {
            tracing::warn!(error = %e, "SQLite copy failed");
        }
    }
}

impl SqliteStatus {
    /// The status with its lag computed now.
    pub(crate) fn now(mut self) -> SqliteStatus {
        if let Some(since) = self.since {
            self.lag_seconds = (Utc::now() - since).num_milliseconds().max(0) as f64 / 1000.0;
        }
        self
    }
}
