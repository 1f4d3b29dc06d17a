//! `stmgr keys generate [--bytes 32]`: a new random signing key from the operating system's
//! random source, printed as `base64:...`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use crate::auth;
use crate::cli::output::Printer;
use crate::config::OutputFormat;

/// Options of `stmgr keys generate` (its help text is on `KeysCommand::Generate`).
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of random bytes (16 to 1024)
    #[arg(
        long,
        value_name = "N",
        default_value_t = 32,
        value_parser = clap::value_parser!(u16).range(16..=1024)
    )]
    pub bytes: u16,
}

/// Runs `stmgr keys generate`.
///
/// # Errors
/// The operating system's random source failed.
pub fn run(args: &GenerateArgs, p: &Printer) -> anyhow::Result<ExitCode> {
    let key = auth::generate_key(usize::from(args.bytes))
        .context("reading the operating system's random source")?;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&key)?,
        OutputFormat::Json => p.json(&json!({"key": key, "bytes": args.bytes}))?,
        OutputFormat::Jsonl => p.jsonl(&json!({"key": key, "bytes": args.bytes}))?,
    }
    Ok(ExitCode::SUCCESS)
}
