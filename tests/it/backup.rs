//! The backup layer (`stmgr::backup`) against a local directory and a moto S3 server, the same
//! test code for both (see `harness`): snapshots up and down, damaged and interrupted uploads,
//! WAL pieces, errors that never show credentials, and the lease (with two processes racing).

mod errors;
pub mod harness;
mod lease;
mod replicate;
mod replicate_server;
mod restore;
mod restore_anywhere;
mod schedule;
mod snapshots;
mod wal;
