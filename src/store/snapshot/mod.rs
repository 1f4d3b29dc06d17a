//! Snapshot files: a consistent [`State`] serialized from an O(1) view while writes go on.
//!
//! Layout of `snapshots/<snap-ULID>.snap`:
//! - header (96 bytes): `magic "STMGRSNP" | format u16 | flags u16 (bits 0-1: origin) | key_id u32 | commit_seq u64 |
//!   next_seq u64 | created_ms i64 | state_ts i64 | objects u64 | entries u64 | reserved |
//!   crc32c(bytes 0..92) u32`;
//! - body: one zstd stream of items, each `len u32 LE | postcard(Item)`; when `key_id` ≠ 0 the
//!   stream is sealed in chunks (`len u32 | nonce | ciphertext | tag`, see
//!   `crate::store::crypto`), and reading it needs the key with that id;
//! - trailer (32 bytes): `magic "STMGREND" | body_len u64 | items u64 | reserved u32 |
//!   crc32c(header + body + trailer bytes 0..28) u32`.
//!
//! Files are written under a temporary name (`.tmp-snap-<ULID>`), synced, read back and verified
//! in full, renamed, and the directory synced; a temporary file left by a crash is removed when
//! the directory is next opened.
//! `next_seq` is the first seq the log may use after this snapshot: above `commit_seq + 1` after a
//! point-in-time restore, so that a seq is never issued twice.

mod catalog;
mod labels;
mod meta;
mod read;
mod write;

pub use catalog::{SnapshotInfo, find_snapshot, list_snapshots};
pub use labels::{read_tags, remove_tags, tags_path, valid_tag, write_tags};
pub use meta::{
    SnapshotMeta, SnapshotOrigin, header_len, meta_of_header, read_meta, snapshot_path,
};
pub use read::{load_snapshot, read_snapshot, verify_snapshot};
pub use write::{remove_leftovers, write_snapshot};

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::store::state::Entry;

/// One item of a snapshot body. Variants are append-only (their index is the wire tag):
/// `Object` 0, `Idempotency` 1, `Lease` 2, `Checkpoints` 3, `Workflow` 4, `Flow` 5, `FlowEvent` 6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Item {
    /// An object entry with its history.
    Object {
        /// Namespace.
        ns: Arc<str>,
        /// Id.
        id: Arc<str>,
        /// Current version and history.
        entry: Entry,
    },
    /// A remembered idempotent answer.
    Idempotency {
        /// Namespace.
        ns: Arc<str>,
        /// The key.
        key: Arc<str>,
        /// The answer.
        answer: crate::store::state::idempotency::Remembered,
    },
    /// A lease.
    Lease {
        /// Namespace.
        ns: Arc<str>,
        /// Lease name.
        key: Arc<str>,
        /// The lease.
        lease: crate::store::state::leases::Lease,
    },
    /// An object's checkpoints.
    Checkpoints {
        /// Namespace.
        ns: Arc<str>,
        /// Object id.
        id: Arc<str>,
        /// Oldest first.
        list: Vec<crate::store::state::checkpoints::Checkpoint>,
    },
    /// A workflow document.
    Workflow(Box<crate::store::state::workflows::WorkflowItem>),
    /// A flow.
    Flow {
        /// Flow name.
        name: Arc<str>,
        /// The flow.
        flow: crate::store::state::flows::FlowRecord,
    },
    /// An event of the flow event journal.
    FlowEvent(crate::store::state::flows::FlowEvent),
}

#[cfg(test)]
mod legacy_tests;
