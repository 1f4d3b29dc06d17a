//! `stmgr token inspect TOKEN|-`: the kid and claims of a token, its times in human form, and
//! whether the configured keys verify it (exit 0 if they do, 1 if not).

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat};
use clap::Args;
use serde_json::json;

use crate::auth::{self, ParsedToken, TokenError};
use crate::cli::context::Context;
use crate::cli::exit::UsageError;
use crate::config::{OutputFormat, Settings};

/// Options of `stmgr token inspect` (its help text is on `TokenCommand::Inspect`).
#[derive(Debug, Args)]
#[command(after_long_help = "\
Exit status:
  0  the token verifies against the configured keys
  1  it does not (bad signature, unknown kid, expired, not yet valid, no keys configured),
     or it is not a token at all
  2  usage or configuration error")]
pub struct InspectArgs {
    /// The token (a leading \"Bearer \" is ignored), or - to read it from stdin
    #[arg(value_name = "TOKEN")]
    pub token: String,
}

/// The outcome of checking a parsed token against the configured keys.
struct Verdict {
    /// Whether the token verifies.
    ok: bool,
    /// `verifies`, `no_keys_configured` or a token error code.
    code: &'static str,
    /// What to show a person.
    message: String,
}

fn read_token(arg: &str) -> anyhow::Result<String> {
    let text = if arg == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the token from stdin")?;
        text
    } else {
        arg.to_owned()
    };
    let text = text.trim();
    let text = text.strip_prefix("Bearer ").unwrap_or(text).trim();
    if text.is_empty() {
        return Err(UsageError::new("no token given (empty argument or stdin)").into());
    }
    Ok(text.to_owned())
}

fn check(settings: &Settings, token: &str, parsed: &ParsedToken, now: i64) -> Verdict {
    let Some(keys) = &settings.auth.keys else {
        return Verdict {
            ok: false,
            code: "no_keys_configured",
            message: "cannot check: no keys configured".to_owned(),
        };
    };
    match auth::verify(keys, token, now, auth::DEFAULT_LEEWAY) {
        Ok(_) => {
            let slot = match keys.find(parsed.kid()) {
                Some((auth::KeySlot::Next, _)) => "next",
                _ => "active",
            };
            Verdict {
                ok: true,
                code: "verifies",
                message: format!("verifies (signed with the {slot} key)"),
            }
        }
        Err(err) => {
            let message = match &err {
                TokenError::BadSignature => {
                    "bad signature (not signed with the configured key of this id)".to_owned()
                }
                TokenError::UnknownKid { kid } => {
                    let mut known = vec![keys.active().id()];
                    known.extend(keys.next().map(auth::Key::id));
                    format!("unknown kid {kid:?} (configured: {})", known.join(", "))
                }
                TokenError::Expired { exp } => format!("expired {}", when(*exp, now)),
                TokenError::NotYetValid { nbf } => format!("not yet valid: {}", when(*nbf, now)),
                other => other.to_string(),
            };
            Verdict {
                ok: false,
                code: err.code(),
                message,
            }
        }
    }
}

/// RFC 3339 for unix seconds, or `None` outside chrono's range.
fn rfc3339(secs: i64) -> Option<String> {
    DateTime::from_timestamp(secs, 0).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// "2025-06-01T12:00:00Z (in 23h 59m)" or "... (3m 10s ago)".
pub(super) fn when(secs: i64, now: i64) -> String {
    let delta = secs.saturating_sub(now);
    let abs = delta.unsigned_abs();
    // Coarser units for far-away times: nobody needs seconds on a date next month.
    let rounded = match abs {
        a if a >= 86_400 => a - a % 3600,
        a if a >= 3600 => a - a % 60,
        a => a,
    };
    let span = humantime::format_duration(std::time::Duration::from_secs(rounded));
    let relative = match delta {
        0 => "now".to_owned(),
        d if d > 0 => format!("in {span}"),
        _ => format!("{span} ago"),
    };
    match rfc3339(secs) {
        Some(time) => format!("{time} ({relative})"),
        None => format!("{secs} ({relative})"),
    }
}

/// Runs `stmgr token inspect`.
///
/// # Errors
/// No token given (exit 2); a token that cannot be parsed (exit 1).
pub fn run(args: &InspectArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let token = read_token(&args.token)?;
    let parsed = auth::parse(&token).context("not a capability token")?;
    let now = auth::unix_now();
    let verdict = check(&ctx.settings, &token, &parsed, now);
    let claims = parsed.claims();

    let p = &ctx.printer;
    let document = || {
        json!({
            "kid": parsed.kid(),
            "claims": claims,
            "issued_at": rfc3339(claims.iat),
            "expires_at": rfc3339(claims.exp),
            "not_before": claims.nbf.and_then(rfc3339),
            "verifies": verdict.ok,
            "status": verdict.code,
            "message": verdict.message,
        })
    };
    match p.format_or(OutputFormat::Table) {
        OutputFormat::Table => {
            let list = |items: Vec<String>| {
                if items.is_empty() {
                    "(none)".to_owned()
                } else {
                    items.join(", ")
                }
            };
            let mut rows = vec![
                ("KID", parsed.kid().to_owned()),
                ("NAMESPACES", list(claims.ns.clone())),
                (
                    "VERBS",
                    list(claims.verbs.iter().map(ToString::to_string).collect()),
                ),
                ("ISSUED", when(claims.iat, now)),
                ("EXPIRES", when(claims.exp, now)),
            ];
            let optional = [
                ("NOT BEFORE", claims.nbf.map(|nbf| when(nbf, now))),
                ("REGION", claims.region.clone()),
                ("MAX BYTES", claims.max_bytes.map(|n| n.to_string())),
                ("MAX QPS", claims.max_qps.map(|q| q.to_string())),
                ("JTI", claims.jti.clone()),
            ];
            rows.extend(
                optional
                    .into_iter()
                    .filter_map(|(name, value)| value.map(|v| (name, v))),
            );
            rows.push(("VERIFICATION", verdict.message.clone()));
            let rows = rows
                .into_iter()
                .map(|(name, value)| vec![name.to_owned(), value])
                .collect();
            p.table(&["FIELD", "VALUE"], rows)?;
        }
        OutputFormat::Json => p.json(&document())?,
        OutputFormat::Jsonl => p.jsonl(&document())?,
    }
    Ok(if verdict.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
