//! The one integration test binary: every module drives the real `stmgr` binary in an
//! isolated environment (see `util`). Add a module per area below.

mod util;

mod cli_basics;
mod crash;
mod encryption;
mod encryption_cli;
mod engine;
mod generated;
mod offline_cli;
mod sdk_agentstate;
mod server;
mod server_cli;
