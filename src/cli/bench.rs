//! `stmgr bench`: load a running server and report throughput and latency percentiles.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use crate::bench::{self, BenchConfig, BenchOp, Target};
use crate::cli::context::Context;
use crate::config::OutputFormat;

/// Load a running server: put, get, mixed, watch or memory; reports throughput and
/// p50/p95/p99/max (plain HTTP/1.1, one keep-alive connection per worker)
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
    /// Stop after this many requests instead (objects to write for --op memory, default 1000000)
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
    let target = Target::new(
        &ctx.settings.server,
        &args.ns,
        ctx.settings.client.token.as_deref(),
    )?;
    let cfg = BenchConfig {
        op: args.op,
        connections: args.connections.max(1),
        duration: args.duration,
        count: args.count,
        value_size: args.value_size,
        ns: args.ns.clone(),
        rate: args.rate,
    };
    let r = ctx.block_on(bench::run(&target, &cfg))?;
    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let mut head = vec![
                "op",
                "connections",
                "ok",
                "errors",
                "per_second",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "max_ms",
            ];
            let mut row = vec![
                format!("{:?}", args.op).to_lowercase(),
                r.connections.to_string(),
                r.ok.to_string(),
                r.errors.to_string(),
                format!("{:.0}", r.per_second),
                format!("{:.2}", r.p50_ms),
                format!("{:.2}", r.p95_ms),
                format!("{:.2}", r.p99_ms),
                format!("{:.2}", r.max_ms),
            ];
            if let Some(w) = r.writes_per_second {
                head.push("writes_per_second");
                row.push(format!("{w:.0}"));
            }
            if let (Some(p50), Some(p99)) = (r.emit_p50_ms, r.emit_p99_ms) {
                head.extend(["emit_p50_ms", "emit_p99_ms"]);
                row.extend([format!("{p50:.0}"), format!("{p99:.0}")]);
            }
            if let (Some(rss), Some(per), Some(ratio)) =
                (r.rss_bytes, r.rss_per_object, r.rss_ratio)
            {
                head.extend(["rss_mb", "rss_per_object", "rss_ratio"]);
                row.extend([
                    format!("{:.1}", rss as f64 / 1e6),
                    format!("{per:.0}"),
                    format!("{ratio:.2}"),
                ]);
            }
            p.table(&head, vec![row])?
        }
        OutputFormat::Json => p.json(&r)?,
        OutputFormat::Jsonl => p.jsonl(&r)?,
    }
    Ok(ExitCode::SUCCESS)
}
