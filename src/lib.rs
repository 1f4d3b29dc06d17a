//! stmgr: a state manager for agent and workflow systems.
//!
//! The library holds everything; `main.rs` only parses arguments, starts logging and the tokio
//! runtime, and maps the result of [`cli::run`] to an exit code.
//!
//! - [`auth`]: capability tokens, signing keys, rate limits.
//! - [`cli`]: the command line (the only place, with `main.rs`, that prints).
//! - [`config`]: settings resolution (flags > environment > config file > defaults).
//! - [`store`]: the engine; [`admin`]: snapshots, WAL trim and the manifest, online and offline.
//! - [`backup`]: snapshots, WAL and leases in a local directory or an S3 bucket.
//! - [`api`], [`server`], [`net`], [`tls`]: the HTTP server and its connections; [`client`]: its
//!   client.
//! - [`build_info`]: the version, commit and build date of this binary.
//! - [`time`]: timestamps as every layer shows and reads them.
//! - [`objects`], [`leases`], [`checkpoints`], [`workflow`]: the domains: their rules, as
//!   services over the engine seam, and their wire types (the workflow engine is
//!   Exosphere-compatible).
//! - [`supervisor`]: process supervision (`stmgr supervise`); [`flow`]: flows of supervised
//!   workers deployed to and run by the server.

pub mod admin;
pub mod api;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod build_info;
pub mod checkpoints;
pub mod cli;
pub mod client;
pub mod config;
pub mod flow;
pub mod leases;
pub mod memory;
pub mod net;
pub mod objects;
pub mod server;
pub mod store;
pub mod supervisor;
pub mod time;
pub mod tls;
pub mod workflow;
