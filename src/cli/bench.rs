//! `stmgr bench`: load a running server and report throughput and latency percentiles.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use crate::bench::{self, BenchConfig, BenchOp};
use crate::cli::context::Context;
use crate::cli::online;
use crate::config::OutputFormat;

/// Load a running server: put, get, mixed or watch; reports throughput and p50/p95/p99/max
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The load
    #[arg(long, value_enum, default_value_t = BenchOp::Put)]
    pub op: BenchOp,
    /// Concurrent connections (watchers for --op watch)
    #[arg(long, short = 'c', default_value_t = 16)]
    pub connections: usize,
    /// How long to run
    #[arg(long, short = 'd', default_value = "10s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Stop after this many requests instead
    #[arg(long)]
    pub count: Option<u64>,
    /// Body size in bytes
    #[arg(long, default_value_t = 256)]
    pub value_size: usize,
    /// Namespace to write into
    #[arg(long, default_value = "bench")]
    pub ns: String,
    /// Writes per second for --op watch
    #[arg(long, default_value_t = 1000)]
    pub rate: u64,
}

/// Runs `stmgr bench`.
///
/// # Errors
/// The server cannot be reached.
pub fn run(args: &BenchArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    let cfg = BenchConfig {
        op: args.op,
        connections: args.connections.max(1),
        duration: args.duration,
        count: args.count,
        value_size: args.value_size,
        ns: args.ns.clone(),
        rate: args.rate,
    };
    let r = ctx.block_on(bench::run(&client, &cfg))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.table(
            &[
                "op",
                "connections",
                "ok",
                "errors",
                "per_second",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "max_ms",
            ],
            vec![vec![
                format!("{:?}", r.op).to_lowercase(),
                r.connections.to_string(),
                r.ok.to_string(),
                r.errors.to_string(),
                format!("{:.0}", r.per_second),
                format!("{:.2}", r.p50_ms),
                format!("{:.2}", r.p95_ms),
                format!("{:.2}", r.p99_ms),
                format!("{:.2}", r.max_ms),
            ]],
        )?,
        OutputFormat::Json => p.json(&r)?,
        OutputFormat::Jsonl => p.jsonl(&r)?,
    }
    Ok(ExitCode::SUCCESS)
}
