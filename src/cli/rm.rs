//! `stmgr rm NS ID...`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::online;

/// Delete objects
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Namespace
    pub ns: String,
    /// Object ids
    #[arg(required = true)]
    pub ids: Vec<String>,
}

/// Runs `stmgr rm`; stops at the first failure.
///
/// # Errors
/// Not found and other server errors (exit 1).
pub fn run(args: &RmArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = online::client(ctx)?;
    for id in &args.ids {
        ctx.block_on(client.delete(&args.ns, id)).map_err(|e| {
            anyhow::Error::new(e).context(format!("cannot delete {}/{id}", args.ns))
        })?;
        ctx.printer.status(&format!("deleted {}/{id}", args.ns));
    }
    Ok(ExitCode::SUCCESS)
}
