//! The one integration test binary: every module drives the real `stmgr` binary in an
//! isolated environment (see `util`). Add a module per area below.

mod util;

mod auth_cli;
mod auth_server;
mod auth_watch;
mod backup;
mod build_info;
mod cli_basics;
mod compat_bodies;
mod compat_metrics;
mod completions;
mod connections;
mod cors_request_id;
mod crash;
mod deploy;
mod encryption;
mod encryption_cli;
mod engine;
mod every_domain;
mod flows;
mod full_disk;
mod generated;
mod health;
mod kawaflow_env;
mod layers;
mod offline_cli;
mod openapi;
mod postgres;
mod pyvenv;
mod rawhttp;
mod schemathesis;
mod scripting;
mod sdk_agentstate;
mod seam;
mod server;
mod server_cli;
mod snapshots;
mod supervise;
mod systemd;
mod tls;
mod workflow_cli;
mod workflows;
