//! Hidden `stmgr generate`: shell completions and man pages from the clap definition.
//!
//! The output is committed under `completions/` and `man/` at the repository root and checked
//! for freshness by the integration tests (`STMGR_REGENERATE=1 cargo test` rewrites it).
//! Generation is deterministic: no dates, no environment-dependent values.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use clap_complete::Shell;

use crate::cli::output::Printer;

/// Write shell completions and man pages (for packagers and the repository).
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory that receives `completions/` and `man/` (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
}

/// Runs `stmgr generate`: lists every file written on stderr.
///
/// # Errors
/// A file or directory could not be written.
pub fn run(args: &GenerateArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let written = generate_all(&args.out_dir)
        .with_context(|| format!("generating into {}", args.out_dir.display()))?;
    for path in written {
        printer.status(&format!("wrote {}", path.display()));
    }
    Ok(ExitCode::SUCCESS)
}

/// Completion files: shell and file name (what each shell looks for).
const COMPLETIONS: [(Shell, &str); 5] = [
    (Shell::Bash, "stmgr.bash"),
    (Shell::Zsh, "_stmgr"),
    (Shell::Fish, "stmgr.fish"),
    (Shell::Elvish, "stmgr.elvish"),
    (Shell::PowerShell, "stmgr.ps1"),
];

/// Writes `out/completions/*` and `out/man/*.1` (one page per visible command, recursively)
/// and returns the paths written, in a stable order.
///
/// # Errors
/// A file or directory could not be written; the error names it.
pub fn generate_all(out: &Path) -> io::Result<Vec<PathBuf>> {
    generate_from(&crate::cli::command(), out)
}

/// [`generate_all`] for any command tree named `stmgr`.
fn generate_from(full: &clap::Command, out: &Path) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();

    let completions = out.join("completions");
    create_dir(&completions)?;
    for (shell, name) in COMPLETIONS {
        let mut cmd = visible_command(full);
        let mut text = Vec::new();
        clap_complete::generate(shell, &mut cmd, "stmgr", &mut text);
        written.push(write(&completions.join(name), &text)?);
    }

    let man = out.join("man");
    create_dir(&man)?;
    // The package version only: the commit and build date would change the pages every build.
    let mut cmd = full
        .clone()
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    cmd.build();
    man_pages(&cmd, &man, &mut written)?;
    Ok(written)
}

/// `full` without its hidden top-level subcommands (clap_complete would offer them). clap
/// cannot remove a subcommand, so the root is rebuilt with the same arguments and about text.
fn visible_command(full: &clap::Command) -> clap::Command {
    let mut root = clap::Command::new("stmgr")
        .version(env!("CARGO_PKG_VERSION"))
        .args(full.get_arguments().cloned());
    if let Some(about) = full.get_about() {
        root = root.about(about.clone());
    }
    root.subcommands(
        full.get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .cloned(),
    )
}

/// The page of `cmd`, then those of its visible subcommands.
fn man_pages(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> io::Result<()> {
    let page = clap_mangen::Man::new(cmd.clone());
    let mut text = Vec::new();
    page.render(&mut text)?;
    written.push(write(&dir.join(page.get_filename()), &text)?);
    for sub in cmd.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        man_pages(sub, dir, written)?;
    }
    Ok(())
}

fn create_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir).map_err(|err| with_path(err, "creating", dir))
}

fn write(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    fs::write(path, bytes).map_err(|err| with_path(err, "writing", path))?;
    Ok(path.to_path_buf())
}

/// Keeps the error kind (a broken pipe stays one) and adds the operation and the path.
fn with_path(err: io::Error, operation: &str, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{operation} {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use clap::{Arg, Command};

    use super::*;

    fn tree() -> Command {
        Command::new("stmgr")
            .arg(Arg::new("config").long("config").global(true))
            .subcommand(
                Command::new("snapshot")
                    .about("Take one")
                    .subcommand(Command::new("list").about("List them")),
            )
            .subcommand(Command::new("admin").subcommand(Command::new("dump")))
            .subcommand(Command::new("generate").hide(true))
    }

    fn names(paths: &[PathBuf], dir: &str) -> Vec<String> {
        paths
            .iter()
            .filter(|p| p.parent().is_some_and(|d| d.ends_with(dir)))
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect()
    }

    #[test]
    fn one_man_page_per_visible_command_and_no_hidden_completions() {
        let out = tempfile::tempdir().expect("tempdir");
        let written = generate_from(&tree(), out.path()).expect("generate");
        assert_eq!(
            names(&written, "man"),
            [
                "stmgr.1",
                "stmgr-snapshot.1",
                "stmgr-snapshot-list.1",
                "stmgr-admin.1",
                "stmgr-admin-dump.1"
            ]
        );
        assert_eq!(
            names(&written, "completions"),
            [
                "stmgr.bash",
                "_stmgr",
                "stmgr.fish",
                "stmgr.elvish",
                "stmgr.ps1"
            ]
        );
        let bash = fs::read_to_string(out.path().join("completions/stmgr.bash")).expect("read");
        assert!(
            bash.contains("snapshot") && bash.contains("--config"),
            "{bash}"
        );
        assert!(!bash.contains("generate"), "hidden command offered: {bash}");
    }

    #[test]
    fn output_is_deterministic() {
        let (a, b) = (
            tempfile::tempdir().expect("a"),
            tempfile::tempdir().expect("b"),
        );
        let written = generate_from(&tree(), a.path()).expect("generate a");
        generate_from(&tree(), b.path()).expect("generate b");
        for path in written {
            let relative = path.strip_prefix(a.path()).expect("inside a");
            let other = b.path().join(relative);
            assert_eq!(
                fs::read(&path).ok(),
                fs::read(&other).ok(),
                "{}",
                relative.display()
            );
        }
    }
}
