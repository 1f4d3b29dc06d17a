//! `stmgr token issue` (mint a capability token offline from the configured key) and
//! `stmgr token inspect` (show a token's claims and whether the configured keys verify it).

mod inspect;
mod issue;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::context::Context;
use crate::cli::exit::UsageError;

/// Mint and inspect capability tokens (offline, with the configured keys)
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Mint a token signed with the configured active (or next) key
    ///
    /// Prints the token alone on stdout (with --output json: {token, kid, claims}). The key comes
    /// from CAP_KEY_ACTIVE_ID and CAP_KEY_ACTIVE (with --kid next: CAP_KEY_NEXT_ID and
    /// CAP_KEY_NEXT), their STMGR_ forms, or the [auth] table of the config file. Exits 2 when
    /// that key is not configured.
    Issue(issue::IssueArgs),
    /// Show a token's claims and whether it verifies against the configured keys
    ///
    /// Parses the token without trusting it and shows its key id, namespaces, verbs, limits, and
    /// when it was issued and expires; then checks it against the configured keys with the
    /// server's rules (30 s clock-skew leeway): verifies, bad signature, unknown kid, expired,
    /// not yet valid, or no keys configured. Exits 0 only if it verifies.
    Inspect(inspect::InspectArgs),
}

/// Runs `stmgr token ...`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &TokenArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    match &args.command {
        TokenCommand::Issue(a) => issue::run(a, ctx),
        TokenCommand::Inspect(a) => inspect::run(a, ctx),
    }
}

/// Where keys are configured, for error messages.
const KEY_SETTINGS_HELP: &str = "set CAP_KEY_ACTIVE_ID and CAP_KEY_ACTIVE (or their STMGR_ forms, \
     or cap_key_active_id and cap_key_active in the [auth] table of the config file); \
     `stmgr keys generate` makes a key";

/// The usage error for a command that needs keys when none are configured.
fn no_keys_error() -> UsageError {
    UsageError::new(format!(
        "no capability key is configured: {KEY_SETTINGS_HELP}"
    ))
}
