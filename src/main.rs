//! The `stmgr` binary: parse arguments, start logging and the tokio runtime, run the command,
//! and turn its result into an exit status.
//!
//! Exit statuses (chosen in `stmgr::cli::exit_code_for`): 0 success (or stdout closed early),
//! 1 the operation failed or was refused, 2 usage or configuration error (clap's own errors
//! exit 2 too); Ctrl-C kills client commands by SIGINT (130 in a shell). An error is printed
//! once, here, as `error: ` followed by its cause chain.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;
use stmgr::cli::{self, Cli};

/// mimalloc: the server allocates and frees small blocks on every request (headers, JSON, the
/// persistent map's copied nodes); glibc's malloc spent about 15% of the server's CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A completion script asking what to offer (`COMPLETE=bash stmgr -- ...`): answer, exit.
    cli::complete::complete_if_asked();
    // Arguments first: `--help` and usage errors never start a runtime.
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if !cli::is_broken_pipe(&err) {
                // Not eprintln!, which panics when stderr is closed too.
                let _ = writeln!(std::io::stderr().lock(), "error: {err:#}");
            }
            cli::exit_code_for(&err)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let long_running = cli.command.is_long_running();
    cli::logging::init(
        cli.global.quiet,
        cli.global.verbose,
        long_running,
        cli.command.log_json(),
    )?;
    let runtime = if cli.command.needs_multi_thread() {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()?;
    // Commands run outside the runtime and enter it with `Context::block_on` when they need it.
    cli::run(cli, std::sync::Arc::new(runtime))
}
