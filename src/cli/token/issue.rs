//! `stmgr token issue --ns NS... --verbs V,... --ttl D [--region R] [--max-bytes N]
//! [--max-qps N] [--jti ID] [--kid active|next]`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use crate::auth::{self, Claims, KeySlot, Verb};
use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::config::OutputFormat;
use crate::objects::validate_ns;

/// Options of `stmgr token issue` (its help text is on `TokenCommand::Issue`).
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// Namespace granted: an exact name (agent://demo) or a prefix ending in * (agent://team/*);
    /// * alone grants every namespace (repeatable)
    #[arg(long = "ns", value_name = "NS", required = true, num_args = 1..)]
    pub ns: Vec<String>,
    /// Verbs granted, comma-separated
    #[arg(
        long,
        value_name = "VERBS",
        required = true,
        value_delimiter = ',',
        value_enum
    )]
    pub verbs: Vec<Verb>,
    /// Lifetime of the token (e.g. 15m, 24h, 30days)
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub ttl: Duration,
    /// Pin the token to servers of this REGION
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Largest request body allowed (e.g. 65536, 1MiB)
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_bytes: Option<u64>,
    /// Requests per second allowed (a positive number, e.g. 10 or 0.5)
    #[arg(long, value_name = "N", value_parser = parse_qps)]
    pub max_qps: Option<f64>,
    /// Token id (jti) [default: a new ULID]
    #[arg(long, value_name = "ID")]
    pub jti: Option<String>,
    /// Which configured key signs the token
    #[arg(long, value_enum, value_name = "KEY", default_value = "active")]
    pub kid: KeySlot,
}

fn parse_size(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<bytesize::ByteSize>()
        .map(|size| size.as_u64())
        .map_err(|err| format!("expected a size such as 65536 or 1MiB ({err})"))
}

fn parse_qps(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(qps) if qps.is_finite() && qps > 0.0 => Ok(qps),
        _ => Err("expected a positive number such as 10 or 0.5".to_owned()),
    }
}

/// Checks a namespace pattern: a namespace, a namespace prefix followed by `*`, or `*`.
fn check_pattern(pattern: &str) -> Result<(), UsageError> {
    if pattern == "*" {
        return Ok(());
    }
    validate_ns(pattern.strip_suffix('*').unwrap_or(pattern))
        .map_err(|err| UsageError::new(format!("--ns {pattern:?}: {err}")))
}

/// Runs `stmgr token issue`.
///
/// # Errors
/// No key configured for the chosen slot, or invalid options (exit 2).
pub fn run(args: &IssueArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let keys = ctx
        .settings
        .auth
        .keys
        .as_ref()
        .ok_or_else(super::no_keys_error)?;
    if args.kid == KeySlot::Next && keys.next().is_none() {
        return Err(UsageError::new(
            "no next key is configured: set CAP_KEY_NEXT_ID and CAP_KEY_NEXT (or their STMGR_ \
             forms, or cap_key_next_id and cap_key_next in the [auth] table of the config file)",
        )
        .into());
    }
    for pattern in &args.ns {
        check_pattern(pattern)?;
    }
    if args.ttl.is_zero() {
        return Err(UsageError::new("--ttl must be greater than zero").into());
    }

    let now = auth::unix_now();
    let ttl = i64::try_from(args.ttl.as_secs()).unwrap_or(i64::MAX).max(1);
    let mut verbs = args.verbs.clone();
    verbs.sort_unstable();
    verbs.dedup();
    let claims = Claims {
        ns: args.ns.clone(),
        verbs,
        iat: now,
        exp: now.saturating_add(ttl),
        nbf: None,
        region: args.region.clone(),
        max_bytes: args.max_bytes,
        max_qps: args.max_qps,
        jti: Some(
            args.jti
                .clone()
                .unwrap_or_else(|| ulid::Ulid::generate().to_string()),
        ),
    };
    let token = auth::issue(keys, args.kid, &claims)
        .map_err(|err| UsageError::new(err.to_string()))
        .context("cannot issue the token")?;
    let kid = token.split('.').next().unwrap_or_default();

    let p = &ctx.printer;
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => p.line(&token)?,
        OutputFormat::Json => p.json(&json!({"token": token, "kid": kid, "claims": claims}))?,
        OutputFormat::Jsonl => p.jsonl(&json!({"token": token, "kid": kid, "claims": claims}))?,
    }
    p.status(&format!(
        "signed with key {kid}; expires {}",
        super::inspect::when(claims.exp, now)
    ));
    Ok(ExitCode::SUCCESS)
}
