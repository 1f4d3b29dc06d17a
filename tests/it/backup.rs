//! The backup layer (`stmgr::backup`) against a local directory and a moto S3 server, the same
//! test code for both (see `harness`): snapshots up and down, damaged and interrupted uploads,
//! WAL pieces and errors that never show credentials.

mod errors;
mod harness;
mod snapshots;
mod wal;
