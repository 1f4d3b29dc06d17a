//! The data directory's layout, the encryption key its files are read and written with, and
//! its `LOCK` file.
//!
//! One process owns a data directory at a time: it holds an exclusive `flock` on `LOCK` and
//! writes who it is into the file, so a second process can name the holder in its error.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::store::crypto::{EncryptionKey, Keyring};
use crate::store::error::{Result, StoreError};

/// Paths inside a data directory, and the key that opens and seals its files.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
    keys: Keyring,
}

impl DataDir {
    /// The layout rooted at `root` (nothing is touched), without an encryption key.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir {
            root: root.into(),
            keys: Keyring::default(),
        }
    }

    /// The same directory with these encryption keys.
    #[must_use]
    pub fn with_keys(mut self, keys: Keyring) -> Self {
        self.keys = keys;
        self
    }

    /// The same directory with only this encryption key (`None`: plaintext).
    #[must_use]
    pub fn with_key(self, key: Option<EncryptionKey>) -> Self {
        self.with_keys(Keyring::single(key))
    }

    /// The key new files are sealed with (`None`: plaintext).
    pub fn key(&self) -> Option<&EncryptionKey> {
        self.keys.current()
    }

    /// Every configured key: sealed files are opened with the one their header names.
    pub fn keys(&self) -> &Keyring {
        &self.keys
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `wal/`.
    pub fn wal(&self) -> PathBuf {
        self.root.join("wal")
    }

    /// `snapshots/`.
    pub fn snapshots(&self) -> PathBuf {
        self.root.join("snapshots")
    }

    /// `LOCK`.
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("LOCK")
    }

    /// `aside/`: where restore and repair move what they replace or cut.
    pub fn aside(&self) -> PathBuf {
        self.root.join("aside")
    }

    /// Fails unless the directory exists.
    ///
    /// # Errors
    /// [`StoreError::NoDataDir`].
    pub fn require_exists(&self) -> Result<()> {
        if self.root.is_dir() {
            Ok(())
        } else {
            Err(StoreError::NoDataDir(self.root.clone()))
        }
    }

    /// Fails unless the directory exists and is an stmgr data directory: it holds a WAL segment
    /// or a snapshot (a server creates the first segment when it first opens a directory).
    ///
    /// # Errors
    /// [`StoreError::NoDataDir`], [`StoreError::NotADataDir`] naming a few of the entries found.
    pub fn require_initialized(&self) -> Result<()> {
        self.require_exists()?;
        let has = |sub: PathBuf, ok: fn(&str) -> bool| -> Result<bool> {
            match fs::read_dir(&sub) {
                Ok(entries) => {
                    for e in entries {
                        let e = e.map_err(|e| StoreError::io("read directory", &sub, e))?;
                        if e.file_name().to_str().is_some_and(ok) {
                            return Ok(true);
                        }
                    }
                    Ok(false)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(StoreError::io("read directory", &sub, e)),
            }
        };
        if has(self.wal(), |n| n.ends_with(".wal"))?
            || has(self.snapshots(), |n| {
                n.starts_with("snap-") && n.ends_with(".snap")
            })?
        {
            return Ok(());
        }
        let mut found: Vec<String> = fs::read_dir(&self.root)
            .map_err(|e| StoreError::io("read directory", &self.root, e))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        found.sort();
        let holds = match found.len() {
            0 => "it is empty".to_string(),
            n if n <= 5 => format!("it holds {}", found.join(", ")),
            n => format!("it holds {} and {} more", found[..5].join(", "), n - 5),
        };
        Err(StoreError::NotADataDir {
            path: self.root.clone(),
            holds,
        })
    }

    /// Creates the directory and its subdirectories if missing.
    ///
    /// # Errors
    /// I/O errors naming the directory.
    pub fn create(&self) -> Result<()> {
        for d in [self.root.clone(), self.wal(), self.snapshots()] {
            fs::create_dir_all(&d).map_err(|e| StoreError::io("create directory", &d, e))?;
        }
        Ok(())
    }

    /// Takes the exclusive lock, recording `purpose` (e.g. `stmgr server start`) as the holder.
    ///
    /// # Errors
    /// [`StoreError::Locked`] naming the holder when another process has it.
    pub fn lock(&self, purpose: &str) -> Result<DirLock> {
        let path = self.lock_file();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::io("open", &path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(StoreError::Locked {
                    dir: self.root.clone(),
                    holder: if holder.is_empty() {
                        "holder unknown".into()
                    } else {
                        holder.to_string()
                    },
                });
            }
            Err(TryLockError::Error(e)) => return Err(StoreError::io("lock", &path, e)),
        }
        let who = format!(
            "pid {}: {purpose}, since {}",
            std::process::id(),
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        file.set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(who.as_bytes()))
            .map_err(|e| StoreError::io("write", &path, e))?;
        Ok(DirLock { _file: file })
    }
}

/// Holds the data directory's lock until dropped.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_names_the_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let held = dir.lock("test holder").unwrap();
        let err = dir.lock("second").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("locked by another process"), "{msg}");
        assert!(msg.contains("test holder"), "{msg}");
        assert!(msg.contains(&std::process::id().to_string()), "{msg}");
        drop(held);
        dir.lock("third").unwrap();
    }
}
