//! Backups in object storage: snapshots and WAL shipped to a local directory or an
//! S3-compatible bucket, and leases kept there. This layer sits above `store` (it reads snapshot
//! headers) and below `api` and `cli` (which give it a [`Location`] and print its answers).
//!
//! # Opening a location
//! [`Location::parse`] takes `file:///dir` or
//! `s3://bucket/prefix?endpoint=URL&region=R&path-style=true&allow-http=true`; credentials come
//! from the `AWS_*` variables ([`Credentials::from_env`]), from the `[storage]` config table
//! ([`StorageConfig`]) or from the Go state manager's `storage` block ([`GoStorageConfig`]), and
//! never appear in `Debug`, `Display`, errors or logs. [`Target::open`] gives a [`Target`]; every
//! operation is a method on it. Errors ([`BackupError`]) name the object's URL and have a
//! [`ErrorKind`]: unreachable, not found, access denied, corrupt, conflict, ….
//!
//! # Layout (version 1)
//! Everything lives under the location's prefix (`<prefix>` below; a local directory is its own
//! prefix). All JSON is UTF-8, pretty-printed, with RFC 3339 UTC times; seqs are decimal `u64`.
//! ```text
//! <prefix>/stmgr.json                         {"layout": 1, "created_by": "stmgr 0.1.0", "created_at", "docs"}
//! <prefix>/snapshots/<snapshot_id>.snap       the snapshot file, byte for byte as on disk (sealed stays sealed)
//! <prefix>/snapshots/<snapshot_id>.json       its manifest, written LAST
//! <prefix>/wal/<generation>/generation.json   one line of history: first_seq, base snapshot, parent
//! <prefix>/wal/<generation>/<first>-<last>.wal  WAL bytes holding seqs first..=last (20 digits each)
//! <prefix>/wal/<generation>/<first>-<last>.json its manifest, written LAST
//! <prefix>/leases/<name>.json                 a lease: holder, epoch, expiry (see `lease`)
//! <prefix>/pins/<snapshot_id>/<ULID>.json     a restore in progress reads this snapshot: prune keeps it
//! <prefix>/supervise/checkpoints/<id>.tar.zst  `stmgr supervise checkpoint`: a state directory (tar + zstd)
//! <prefix>/supervise/checkpoints/<id>.json     its manifest, written LAST (see `crate::supervisor::protect`)
//! <prefix>/supervise/sqlite/<name>/<epoch>-<ULID>.sqlite.zst  a copy of the `db` stack's SQLite file
//! <prefix>/supervise/sqlite/<name>/<epoch>-<ULID>.json        its manifest, written LAST
//! ```
//! - `stmgr.json` is written by the first upload (a conditional create, so two first uploads
//!   agree). A location whose `layout` is not 1 is refused ([`ErrorKind::Unsupported`]), never
//!   written to.
//! - `snapshot_id` is `snap-<ULID>`, the local file's name. The manifest
//!   ([`SnapshotManifest`]) holds `format` (1), `snapshot_id`, `commit_seq`, `next_seq`,
//!   `created_at`, `uploaded_at`, `size` and `sha256` of the `.snap` object,
//!   `snapshot_format` (the file's header version), `key_id` (only when sealed: restoring needs
//!   the key with that id), `origin` (`manual`, `automatic`, `restore`), `tags`, `generation`
//!   (when WAL is replicated), `source_host` and `created_by`.
//! - **A snapshot exists only when its manifest does.** The data goes up first (in one request,
//!   or as a multipart upload that appears only when complete), then the manifest with a
//!   conditional create. An upload interrupted anywhere leaves at most a `.snap` without a
//!   manifest: listed as an orphan, never as a snapshot, deleted by `delete_orphan`. Deleting
//!   removes the manifest first, then the data.
//! - A download checks the object's size and SHA-256 against the manifest, and its header's
//!   `commit_seq` and `key_id`, before renaming the file into place.
//! - A generation (`gen-<ULID>`, sorting by creation time) is one unbroken line of WAL. A new one
//!   starts whenever continuity is lost (first replication, a restore to an earlier point, a
//!   gap); its `generation.json` ([`Generation`]) names the snapshot it starts from and the
//!   generation and seq it branched from. WAL pieces ([`WalPiece`]) have manifests like
//!   snapshots (`size`, `sha256`, `key_id`, `first_seq`, `last_seq`).
//! - A WAL piece's `.wal` is a WAL segment file of its own: the 64-byte segment header (its
//!   `first_seq`, the key id sealing its records, 0 when plaintext) then the frames of
//!   `first_seq..=last_seq` byte for byte as the server wrote them (see
//!   `crate::store::wal::segment`): put in a data directory's `wal/`, recovery reads it.
//! - Lineage: `generation.json` records the `lineage` of the data directory that ships it (its
//!   `LINEAGE` file, [`crate::store::lineage`], renewed by every restore). A replicator
//!   continues only a generation of its own lineage, and only when its local log holds the
//!   next seq and reaches the last one shipped; otherwise (first replication, a restore to an
//!   earlier point, a gap, a vanished generation) it takes a snapshot, creates a new
//!   generation whose `first_seq` is the snapshot's `next_seq` and whose `parent` is
//!   `{generation, seq}` (for a restore: the restored-from lineage's newest generation and the
//!   seq restored to), uploads the snapshot, then ships pieces. Seqs never go back (a restore
//!   issues seqs above every one it ever issued), so a child generation's pieces start above
//!   every seq of its parent, and a point-in-time restore follows one generation's line.
//! - To restore by hand from the bucket alone: read `stmgr.json`; pick a snapshot by its
//!   manifest (`commit_seq`, `created_at`); download its `.snap`, check `sha256sum` against the
//!   manifest; put it in `DATA_DIR/snapshots/` and run `stmgr restore`. For a later point, also
//!   take the `.wal` pieces of its generation above its `commit_seq`, in order.
//!
//! # Continuous replication
//! [`replicate::Replication`] (`stmgr server start --replicate URL`) ships a running engine's
//! committed frames as WAL pieces every interval and its automatic snapshots, holds unshipped
//! WAL from trims, and retries failures with backoff; see [`replicate`].
//!
//! # Leases
//! [`Target::lease`] gives a [`Lease`]: acquire with a conditional create or a conditional
//! replace of an expired version, an epoch that only grows as the fencing token, renew and
//! release by the holder only, force-break by an operator. S3 does the compare-and-swap with
//! `If-None-Match`/`If-Match`; a local directory with a `flock` around read-compare-rename
//! (`object_store`'s local store has no conditional replace). See [`lease`] for the rules.

mod blobs;
mod credentials;
mod error;
mod layout;
pub mod lease;
mod lease_cas;
mod location;
mod pins;
pub mod replicate;
mod restore;
mod snapshots;
mod target;
mod transfer;
mod wal;

pub use blobs::BlobInfo;
pub use credentials::{Credentials, GoStorageConfig, Secret, StorageConfig, StorageTable};
pub use error::{BackupError, ErrorKind, Redactor, Result};
pub use layout::{LAYOUT_VERSION, LayoutFile, MANIFEST_FORMAT};
pub use lease::{Lease, LeaseGrant, LeaseState};
pub use location::{Location, S3Location};
pub use pins::Pin;
pub use restore::{LineageElement, PlannedPiece, PointInTime, RestorePlan};
pub use snapshots::{Orphan, SnapshotListing, SnapshotManifest, UploadInfo, host_name, origin_of};
pub use target::{Progress, Target, TargetConfig, TargetOptions};
pub use wal::{Generation, GenerationParent, NewGeneration, PieceData, WalListing, WalPiece};
