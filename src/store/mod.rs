//! The engine: typed commands -> WAL (group commit, fdatasync) -> in-memory state machine ->
//! watch hub; snapshots, recovery, and the offline operations on a data directory.
//!
//! Nothing here knows about HTTP, the command line or any domain's rules. Every mutation of
//! every domain is an [`Op`] inside a commit that gets the next global `commit_seq`.
//!
//! # The seam
//!
//! The domains (`objects`, `leases`, `checkpoints`, `workflow`) reach the engine through these
//! operations of [`Engine`] and nothing else; they are what a second engine (PostgreSQL, see
//! the design's POSTGRES.md) must provide with the same guarantees.
//!
//! | operation | what it guarantees |
//! |---|---|
//! | [`Engine::transact`]`(txn)` | begins a transaction over a consistent view: `txn(&State)` sees every earlier commit and nothing else, and no other transaction commits between what it read and what it writes (transactions are serialized: one commit order). It returns the [`Op`]s to commit and a value, or a [`Rejection`]. The caller gets `(Some(CommitInfo), value)` once the commit is durable (per [`Durability`]), applied and visible to readers and watchers; `(None, value)` when `txn` wrote nothing, once everything it read is durable; or the rejection, [`StoreError::Poisoned`] after a failed write or sync, [`StoreError::Closed`]. |
//! | [`Engine::commit`]`(txn)` | [`Engine::transact`] for a transaction that must write: no ops is [`Rejection::Unchanged`]. |
//! | [`Engine::view`]`()` | a consistent, immutable view of the latest published state ([`state::State`]), in O(1): `view.seq` is its last commit, and reads at an earlier seq or time go through the view's history window (object versions by [`state::Entry::at_seq`] and [`state::Entry::at_time`], bounded by [`EngineOptions::history_versions`] and [`EngineOptions::history_age`]). Views never block writers. |
//! | [`Engine::subscribe`]`(from, filter)` | every commit after `from`, in seq order, without gaps, from memory or the log; a resume point the log no longer holds, or one ahead of it after a restore, ends the subscription with an explicit [`watch::WatchError`], never a silent skip. |
//! | [`Engine::now_ms`]`()` | the time rules decide by: the engine's clock ([`EngineOptions::clock`]), the one commit timestamps come from (commit timestamps never go backwards). |
//!
//! Rules for the transactions themselves, which a second engine relies on:
//! - A transaction is a pure function of the state it is given: no I/O, no clock (a domain
//!   reads [`Engine::now_ms`] before it begins and moves the value in), no side effects but its
//!   value. It runs once, on the engine's single writer, between other commits: it checks and
//!   builds ops; answers (JSON, hashes, formatting) are built from its value and [`CommitInfo`]
//!   after it returns.
//! - Ops are resolved (a put carries the whole object): applying them needs nothing but the
//!   state, so every replica of the log reaches the same state.
//! - A commit's seq and timestamp are only known after it commits; what depends on them (a
//!   lease's token and expiry, an object's `commit_seq` and `ts`) is computed from the
//!   [`CommitInfo`] the same way applying the op computes it.
//!
//! How the embedded engine provides it: one commit thread ([`writer`]) runs the transactions
//! in arrival order against its working state, encodes their ops into one WAL write with one
//! `fdatasync` per batch (group commit), then publishes the new state and wakes the watchers.
//! The PostgreSQL backend ([`pg`], [`Engine::open_postgres`]) is the same engine over another
//! [`log::Log`]: the commit thread orders batches with a counter row (taken while the batch
//! runs against the local replica caught up to the log's head), appends them to a log table,
//! and applies what other servers appended; watchers follow the same hub. The domains do not
//! change. On a shared log [`Engine::view`] is this server's replica; [`Engine::sync`] first
//! catches up with the head (the API layer does that before every request, which makes reads
//! linearizable), and [`Engine::is_leader`] says whether this server runs time-driven work.
//!
//! What is not part of the seam: the engine's files ([`files`]: listings, trims, snapshot
//! retention), snapshots, recovery and the offline operations, which belong to this engine
//! and are reached by the admin commands, not by the domains.

pub mod canonical;
pub mod command;
pub mod crypto;
pub mod data;
pub mod derived;
pub mod dir;
pub mod engine;
pub mod error;
pub mod files;
pub mod forget;
pub mod fuzzing;
pub mod intern;
pub mod lineage;
pub mod log;
mod maintenance;
pub mod offline;
pub mod options;
pub mod pg;
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
