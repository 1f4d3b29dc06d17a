//! `stmgr man [COMMAND...]`: prints one man page (roff) on stdout, or with `--out-dir` writes
//! every page; and [`pages`], the rendering `generate` shares. One page per visible command:
//! `stmgr.1`, `stmgr-put.1`, `stmgr-graph-upload.1`, ...

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use crate::cli::exit::UsageError;
use crate::cli::output::Printer;

/// Print a man page on stdout, or write them all to a directory
#[derive(Debug, Args)]
#[command(after_help = MAN_EXAMPLES)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `graph upload` [default: stmgr's own page]
    #[arg(value_name = "COMMAND", conflicts_with = "out_dir")]
    pub command: Vec<String>,
    /// Write every page (stmgr.1, stmgr-put.1, ...) into this directory instead (created if
    /// needed), e.g. ~/.local/share/man/man1
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

const MAN_EXAMPLES: &str = "\
Examples:
  stmgr man | man -l -
  stmgr man graph upload | man -l -
  stmgr man --out-dir ~/.local/share/man/man1";

/// Runs `stmgr man`.
///
/// # Errors
/// An unknown command (exit 2), a page that cannot be written.
pub fn run(args: &ManArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let root = root(&crate::cli::command());
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for (name, text) in pages(&root)? {
            let path = dir.join(name);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            printer.status(&format!("wrote {}", path.display()));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut cmd = &root;
    for name in &args.command {
        cmd = cmd
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .find(|sub| sub.get_name() == name || sub.get_all_aliases().any(|a| a == name))
            .ok_or_else(|| {
                UsageError::new(format!(
                    "no command `{}`: see `stmgr --help` for the commands",
                    args.command.join(" ")
                ))
            })?;
    }
    let text = render(cmd)?;
    printer.line(String::from_utf8_lossy(&text).trim_end())?;
    Ok(ExitCode::SUCCESS)
}

/// `full` ready for pages: the package version only (the commit and build date would change
/// the committed pages every build), no `help` subcommand, built (so subcommand pages are
/// named `stmgr-graph-upload`).
pub fn root(full: &clap::Command) -> clap::Command {
    let mut cmd = full
        .clone()
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The page of `cmd`, then those of its visible subcommands: file name and roff text.
///
/// # Errors
/// Rendering failed (it writes to memory: in practice never).
pub fn pages(cmd: &clap::Command) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    add_pages(cmd, &mut out)?;
    Ok(out)
}

fn add_pages(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    out.push((man(cmd).get_filename(), render(cmd)?));
    for sub in cmd.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        add_pages(sub, out)?;
    }
    Ok(())
}

/// The date of this version's entry in `CHANGELOG.md` (a test checks they agree): the pages'
/// date, fixed so the committed pages do not change with each build.
const PAGE_DATE: &str = "2026-12-06";

/// The page of `cmd` with the header every page shares: `.TH stmgr-graph-upload 1 2026-12-06
/// "stmgr 0.1.0" "stmgr Manual"`. clap_mangen's defaults give a subcommand its bare name as
/// the source (`"upload "`) and write an empty date as nothing, which shifts the fields.
fn man(cmd: &clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd.clone())
        .date(PAGE_DATE)
        .source(concat!("stmgr ", env!("CARGO_PKG_VERSION")))
        .manual("stmgr Manual")
}

fn render(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let mut text = Vec::new();
    man(cmd).render(&mut text)?;
    Ok(text)
}
