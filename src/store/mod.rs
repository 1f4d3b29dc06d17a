//! The engine: typed commands -> WAL (group commit, fdatasync) -> in-memory state machine ->
//! watch hub; snapshots, recovery, and the offline operations on a data directory.
//!
//! Nothing here knows about HTTP or the command line. Every mutation of every domain is an
//! [`Op`] inside a commit that gets the next global `commit_seq`.

pub mod canonical;
pub mod command;
pub mod crypto;
pub mod data;
pub mod derived;
pub mod dir;
pub mod engine;
pub mod error;
pub mod files;
pub mod fuzzing;
pub mod intern;
mod maintenance;
pub mod offline;
pub mod options;
pub mod recovery;
pub mod retention;
pub mod snapshot;
pub mod state;
pub mod stats;
pub mod tags;
pub mod wal;
pub mod watch;
pub mod writer;

#[cfg(test)]
mod canonical_tests;
#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod roundtrip_tests;
#[cfg(test)]
mod tag_tests;

pub use command::{
    Body, CheckpointOp, DeleteReason, LeaseOp, ObjectData, ObjectOp, Op, Record, Tags,
};
pub use crypto::EncryptionKey;
pub use engine::{Engine, RecoveryReport};
pub use error::{Rejection, StoreError};
pub use options::{Durability, EngineOptions};
pub use writer::CommitInfo;
