//! `stmgr supervise status`: every instance of a running supervisor.

use std::process::ExitCode;

use clap::Args;

use super::ControlArgs;
use crate::cli::context::Context;
use crate::config::OutputFormat;

/// Show every process (state, readiness, pid, uptime, restarts, last exit, reason), the
/// lease, the last checkpoint and the SQLite lag
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub control: ControlArgs,
}

/// Runs `stmgr supervise status`.
///
/// # Errors
/// The supervisor is unreachable (exit 10) or answers an error.
pub fn run(args: &StatusArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let client = args.control.client(ctx)?;
    let overview = ctx.block_on(client.overview())?;
    if ctx.printer.format_or(OutputFormat::Table) == OutputFormat::Json {
        ctx.printer.json(&overview)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !overview.configured {
        ctx.printer
            .status("the supervisor is not configured yet (POST /config or a config file)");
    }
    super::print_instances(ctx, &overview.processes)?;
    if ctx.printer.format_or(OutputFormat::Table) == OutputFormat::Table {
        let rows = protection_rows(&overview);
        if !rows.is_empty() {
            ctx.printer.table(&["protection", "state"], rows)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The lease, the last checkpoint, the SQLite copies and a hold, one row each.
fn protection_rows(o: &crate::supervisor::state::Overview) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    if let Some(why) = &o.held {
        rows.push(vec!["processes held".into(), why.clone()]);
    }
    if let Some(l) = &o.lease {
        let mut text = l.describe();
        if let Some(e) = l.epoch {
            text.push_str(&format!(", epoch {e}"));
        }
        if let Some(x) = l.expires_at {
            text.push_str(&format!(
                ", until {}",
                crate::time::format_ts(x.timestamp_millis())
            ));
        }
        rows.push(vec!["lease".into(), text]);
    }
    if let Some(c) = &o.last_checkpoint {
        rows.push(vec![
            "last checkpoint".into(),
            format!(
                "{} ({}, {})",
                c.checkpoint_id,
                crate::time::format_ts(c.created_at.timestamp_millis()),
                bytesize::ByteSize(c.size)
            ),
        ]);
    }
    if let Some(q) = &o.sqlite {
        let mut text = format!("lag {:.1}s, {} copies", q.lag_seconds, q.copies);
        if let Some(e) = &q.last_error {
            text.push_str(&format!(", last error: {e}"));
        }
        rows.push(vec![format!("sqlite {}", q.path.display()), text]);
    }
    rows
}
