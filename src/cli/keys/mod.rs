//! `stmgr keys generate`: signing keys for capability tokens.

mod generate;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::output::Printer;

/// Make signing keys for capability tokens
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Print a new random key, as base64:..., for CAP_KEY_ACTIVE or CAP_KEY_NEXT
    ///
    /// The key goes to stdout alone (with --output json: {key, bytes}); keep it secret.
    /// Configure it with a key id, e.g. CAP_KEY_ACTIVE_ID=k1 CAP_KEY_ACTIVE=base64:...
    Generate(generate::GenerateArgs),
}

/// Runs `stmgr keys ...`. It reads no configuration: a half-configured key (an id set, its
/// key not yet) is exactly when an operator runs `keys generate`.
///
/// # Errors
/// As the subcommand.
pub fn run(args: &KeysArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    match &args.command {
        KeysCommand::Generate(a) => generate::run(a, printer),
    }
}
