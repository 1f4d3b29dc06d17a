//! Generations and WAL pieces in a backup location.
//!
//! A generation is one unbroken line of history: its WAL pieces follow each other by seq. A
//! new one starts whenever continuity is lost: the first replication from a data directory, a
//! restore to an earlier point (which must not append to the line it branched from), a gap
//! the replicator cannot fill. `generation.json` says where it starts and where it branched
//! from. A piece is `<first_seq>-<last_seq>.wal` (the bytes as on disk, sealed or not) and its
//! manifest `<first_seq>-<last_seq>.json`, written last.

use std::path::Path;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use object_store::PutMode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{BackupError, Result};
use super::layout::{MANIFEST_FORMAT, created_by, keys, parse_wal_stem, valid_generation};
use super::snapshots::{Orphan, host_name};
use super::target::Target;
use super::transfer::{self, Expected, hex};

/// Where a generation branched from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerationParent {
    /// The parent generation.
    pub generation: String,
    /// The last seq of the parent this generation's history includes.
    pub seq: u64,
}

/// `wal/<generation>/generation.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generation {
    /// Manifest format.
    pub format: u32,
    /// `gen-<ULID>`: generations sort by creation time.
    pub generation: String,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// The first seq its WAL pieces hold.
    pub first_seq: u64,
    /// The snapshot its history starts from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_snapshot: Option<String>,
    /// Where it branched from, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<GenerationParent>,
    /// Why it started (`first replication`, `restore to seq N`, …).
    pub reason: String,
    /// The lineage of the data directory that ships it (`crate::store::lineage`): a
    /// replicator continues only a generation of its own lineage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<String>,
    /// Host that started it.
    pub source_host: String,
    /// `stmgr <version>`.
    pub created_by: String,
}

/// What [`Target::create_generation`] needs.
#[derive(Debug, Clone, Default)]
pub struct NewGeneration {
    /// The first seq its pieces will hold.
    pub first_seq: u64,
    /// The snapshot its history starts from.
    pub base_snapshot: Option<String>,
    /// Where it branched from.
    pub parent: Option<GenerationParent>,
    /// Why.
    pub reason: String,
    /// The lineage of the data directory that ships it.
    pub lineage: Option<String>,
    /// Host; `None`: this machine's.
    pub source_host: Option<String>,
}

/// `wal/<generation>/<first_seq>-<last_seq>.json`: one piece of WAL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalPiece {
    /// Manifest format.
    pub format: u32,
    /// Its generation.
    pub generation: String,
    /// First seq it holds.
    pub first_seq: u64,
    /// Last seq it holds.
    pub last_seq: u64,
    /// Bytes of the `.wal` object.
    pub size: u64,
    /// SHA-256 of the `.wal` object, lowercase hex.
    pub sha256: String,
    /// Id of the key its records are sealed with; absent when plaintext.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<u32>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// Host that uploaded it.
    pub source_host: String,
    /// `stmgr <version>`.
    pub created_by: String,
}

/// The pieces of one generation.
#[derive(Debug, Clone, Default)]
pub struct WalListing {
    /// Complete pieces ordered by `first_seq`.
    pub pieces: Vec<WalPiece>,
    /// Data without a manifest and anything else in the folder.
    pub orphans: Vec<Orphan>,
}

/// The bytes of a WAL piece.
#[derive(Debug, Clone)]
pub enum PieceData<'a> {
    /// A local file, streamed.
    File(&'a Path),
    /// Bytes in memory (a few frames cut by a replicator).
    Bytes(Bytes),
}

fn bad_generation(target: &Target, generation: &str) -> BackupError {
    BackupError::NotFound {
        url: target.url(&keys::generation(generation)),
    }
}

impl Target {
    /// Starts a generation named `gen-<new ULID>` and writes its `generation.json`.
    ///
    /// # Errors
    /// The target's errors.
    pub async fn create_generation(&self, new: NewGeneration) -> Result<Generation> {
        self.ensure_layout().await?;
        let g = Generation {
            format: MANIFEST_FORMAT,
            generation: format!("gen-{}", ulid::Ulid::generate()),
            created_at: Utc::now(),
            first_seq: new.first_seq,
            base_snapshot: new.base_snapshot,
            parent: new.parent,
            reason: new.reason,
            lineage: new.lineage,
            source_host: new.source_host.unwrap_or_else(host_name),
            created_by: created_by(),
        };
        let key = keys::generation(&g.generation);
        let body = serde_json::to_vec_pretty(&g)
            .map_err(|e| BackupError::corrupt(self.url(&key), e.to_string()))?;
        self.put_bytes(&key, body.into(), PutMode::Create).await?;
        Ok(g)
    }

    /// The generation `generation`.
    ///
    /// # Errors
    /// [`BackupError::NotFound`], [`BackupError::Corrupt`], the target's errors.
    pub async fn read_generation(&self, generation: &str) -> Result<Generation> {
        if !valid_generation(generation) {
            return Err(bad_generation(self, generation));
        }
        let key = keys::generation(generation);
        let (bytes, _) = self.get_bytes(&key).await?;
        let url = self.url(&key);
        let g: Generation = serde_json::from_slice(&bytes)
            .map_err(|e| BackupError::corrupt(&url, format!("does not parse: {e}")))?;
        if g.generation != generation {
            return Err(BackupError::corrupt(
                url,
                format!("describes {}", g.generation),
            ));
        }
        Ok(g)
    }

    /// Every generation, oldest first. A folder under `wal/` without a readable
    /// `generation.json` is left out.
    ///
    /// # Errors
    /// The target's errors.
    pub async fn list_generations(&self) -> Result<Vec<Generation>> {
        self.check_layout().await?;
        let folders = self.list_folders(keys::WAL).await?;
        let read: Vec<Result<Generation>> =
            stream::iter(folders.into_iter().filter(|f| valid_generation(f)))
                .map(|f| async move { self.read_generation(&f).await })
                .buffered(8)
                .collect()
                .await;
        let mut out = Vec::new();
        for g in read {
            match g {
                Ok(g) => out.push(g),
                Err(BackupError::NotFound { .. } | BackupError::Corrupt { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        out.sort_by(|a, b| a.generation.cmp(&b.generation));
        Ok(out)
    }

    /// Uploads a piece of WAL holding `first_seq..=last_seq` to `generation`, then its manifest.
    ///
    /// # Errors
    /// [`BackupError::NotFound`] for an unknown generation, [`BackupError::AlreadyExists`]
    /// when the piece is there already, the target's and local errors.
    pub async fn upload_wal_piece(
        &self,
        generation: &str,
        first_seq: u64,
        last_seq: u64,
        key_id: Option<u32>,
        data: PieceData<'_>,
    ) -> Result<WalPiece> {
        let stem = keys::wal_stem(generation, first_seq, last_seq);
        let manifest_key = format!("{stem}.json");
        if first_seq > last_seq {
            return Err(BackupError::InvalidLocation {
                url: self.url(&manifest_key),
                reason: format!("first_seq {first_seq} is above last_seq {last_seq}"),
            });
        }
        self.ensure_layout().await?;
        self.read_generation(generation).await?;
        if self.head(&manifest_key).await?.is_some() {
            return Err(BackupError::AlreadyExists {
                url: self.url(&manifest_key),
            });
        }
        let data_key = format!("{stem}.wal");
        let (size, sha256) = match data {
            PieceData::File(path) => {
                let up = transfer::upload_file(self, &data_key, path).await?;
                (up.size, up.sha256)
            }
            PieceData::Bytes(b) => {
                let out = (b.len() as u64, hex(&Sha256::digest(&b)));
                self.put_bytes(&data_key, b, PutMode::Overwrite).await?;
                out
            }
        };
        let piece = WalPiece {
            format: MANIFEST_FORMAT,
            generation: generation.to_owned(),
            first_seq,
            last_seq,
            size,
            sha256,
            key_id,
            created_at: Utc::now(),
            source_host: host_name(),
            created_by: created_by(),
        };
        let body = serde_json::to_vec_pretty(&piece)
            .map_err(|e| BackupError::corrupt(self.url(&manifest_key), e.to_string()))?;
        self.put_bytes(&manifest_key, body.into(), PutMode::Create)
            .await?;
        Ok(piece)
    }

    /// The pieces of `generation`, from their manifests.
    ///
    /// # Errors
    /// The target's errors.
    pub async fn list_wal(&self, generation: &str) -> Result<WalListing> {
        if !valid_generation(generation) {
            return Err(bad_generation(self, generation));
        }
        self.check_layout().await?;
        let dir = format!("{}/{generation}", keys::WAL);
        let mut data = std::collections::BTreeMap::new();
        let mut manifests = Vec::new();
        let mut out = WalListing::default();
        for o in self.list(&dir).await? {
            let key = self.rel(&o.location).to_owned();
            let name = key.rsplit('/').next().unwrap_or_default();
            let parsed = |ext: &str| name.strip_suffix(ext).and_then(parse_wal_stem);
            if name == keys::GENERATION {
                continue;
            } else if let Some(r) = parsed(".wal") {
                data.insert(r, (key, o));
            } else if let Some(r) = parsed(".json") {
                manifests.push((r, key, o));
            } else {
                out.orphans.push(orphan(self, &key, &o, "not a WAL piece"));
            }
        }
        let read: Vec<_> = stream::iter(manifests)
            .map(|(r, key, o)| async move {
                let m = self.get_bytes(&key).await.and_then(|(b, _)| {
                    serde_json::from_slice::<WalPiece>(&b).map_err(|e| {
                        BackupError::corrupt(self.url(&key), format!("does not parse: {e}"))
                    })
                });
                (r, key, o, m)
            })
            .buffered(8)
            .collect()
            .await;
        for (r, key, o, m) in read {
            match m {
                Ok(p) if (p.first_seq, p.last_seq) == r && p.generation == generation => {
                    if data.remove(&r).is_some() {
                        out.pieces.push(p);
                    } else {
                        out.orphans
                            .push(orphan(self, &key, &o, "manifest without its .wal data"));
                    }
                }
                Ok(_) => out
                    .orphans
                    .push(orphan(self, &key, &o, "manifest names another piece")),
                Err(e @ BackupError::Corrupt { .. }) => {
                    out.orphans.push(orphan(self, &key, &o, &e.to_string()));
                }
                Err(BackupError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        for (_, (key, o)) in data {
            out.orphans.push(orphan(
                self,
                &key,
                &o,
                "data without a manifest (an interrupted upload)",
            ));
        }
        out.pieces.sort_by_key(|p| (p.first_seq, p.last_seq));
        Ok(out)
    }

    /// Downloads `piece` to `dest` (which must not exist), verified like a snapshot.
    ///
    /// # Errors
    /// [`BackupError::NotFound`], [`BackupError::Corrupt`] naming the object,
    /// [`BackupError::Local`].
    pub async fn download_wal_piece(&self, piece: &WalPiece, dest: &Path) -> Result<()> {
        let key = format!(
            "{}.wal",
            keys::wal_stem(&piece.generation, piece.first_seq, piece.last_seq)
        );
        let expected = Expected {
            size: piece.size,
            sha256: &piece.sha256,
        };
        transfer::download_verified(self, &key, dest, expected, |_| Ok(())).await
    }

    /// Deletes `piece`: manifest first, then data.
    ///
    /// # Errors
    /// The target's errors.
    pub async fn delete_wal_piece(&self, piece: &WalPiece) -> Result<()> {
        let stem = keys::wal_stem(&piece.generation, piece.first_seq, piece.last_seq);
        self.delete(&format!("{stem}.json")).await?;
        self.delete(&format!("{stem}.wal")).await?;
        Ok(())
    }
}

fn orphan(target: &Target, key: &str, o: &object_store::ObjectMeta, reason: &str) -> Orphan {
    Orphan {
        key: key.to_owned(),
        url: target.url(key),
        size: o.size,
        last_modified: o.last_modified,
        reason: reason.to_owned(),
    }
}
