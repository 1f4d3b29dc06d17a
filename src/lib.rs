//! stmgr: a state manager for agent and workflow systems.
//!
//! The library holds everything; `main.rs` only parses arguments, starts logging and the tokio
//! runtime, and maps the result of [`cli::run`] to an exit code.
//!
//! - [`auth`]: capability tokens, signing keys, rate limits.
//! - [`cli`]: the command line (the only place, with `main.rs`, that prints).
//! - [`config`]: settings resolution (flags > environment > config file > defaults).
//! - [`store`]: the engine; [`admin`]: snapshots, WAL trim and the manifest, online and offline.
//! - [`api`], [`server`], [`net`], [`tls`]: the HTTP server and its connections; [`client`]: its
//!   client.
//! - [`build_info`]: the version, commit and build date of this binary.
//! - [`workflow`]: the workflow engine's pure building blocks (Exosphere-compatible).

pub mod admin;
pub mod api;
pub mod auth;
pub mod bench;
pub mod build_info;
pub mod cli;
pub mod client;
pub mod config;
pub mod memory;
pub mod net;
pub mod objects;
pub mod server;
pub mod store;
pub mod tls;
pub mod workflow;
