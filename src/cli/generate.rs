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

use crate::cli::completions::{Shell, script};
use crate::cli::man::{pages, root};
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

/// Writes `out/completions/*` (what `stmgr completions SHELL` prints, one file per shell) and
/// `out/man/*.1` (one page per visible command, recursively) and returns the paths written, in
/// a stable order.
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
    for shell in Shell::ALL {
        let text = script(shell)?;
        written.push(write(
            &completions.join(shell.file_name()),
            text.as_bytes(),
        )?);
    }

    let man = out.join("man");
    create_dir(&man)?;
    for (name, text) in pages(&root(full))? {
        written.push(write(&man.join(name), &text)?);
    }
    Ok(written)
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
    fn one_man_page_per_visible_command_and_one_script_per_shell() {
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
        assert_eq!(bash, script(Shell::Bash).expect("bash"));
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
