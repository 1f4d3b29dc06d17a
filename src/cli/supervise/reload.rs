//! `stmgr supervise reload`: what SIGHUP does, over the control interface.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;
use crate::config::OutputFormat;

/// Read the configuration again; start added processes, stop removed ones, restart changed ones
#[derive(Debug, Args)]
pub struct ReloadArgs {
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise reload`.
///
/// # Errors
/// Unreachable, or the new configuration is invalid (400; nothing changes).
pub fn run(args: &ReloadArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    let r = ctx.block_on(client.reload())?;
    if ctx.printer.format_or(OutputFormat::Table) != OutputFormat::Table {
        ctx.printer.json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = Vec::new();
    for (what, names) in [
        ("added", &r.added),
        ("removed", &r.removed),
        ("changed", &r.changed),
        ("unchanged", &r.unchanged),
    ] {
        rows.extend(names.iter().map(|n| vec![n.clone(), what.to_owned()]));
    }
    ctx.printer.table(&["process", "change"], rows)?;
    Ok(ExitCode::SUCCESS)
}
