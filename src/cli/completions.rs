//! `stmgr completions SHELL`: prints the script that makes SHELL complete stmgr's command
//! lines, and [`SHELLS`], the shell adapters of the completion engine.
//!
//! Every script asks the binary itself (`COMPLETE=SHELL stmgr -- WORDS...`, see
//! [`super::complete`]), so completion always matches the installed version and can offer
//! namespaces, graph names and snapshot ids. The bash and zsh scripts are stmgr's own:
//! - bash splits words at `:` and `=` (`COMP_WORDBREAKS`), which would cut `agent://demo` and
//!   `--server=http://host:8080` in pieces; the script glues back what the line has without a
//!   space between and gives bash back only the part it replaces;
//! - zsh's script also works as an autoloaded `_stmgr` in `$fpath` (it completes on the first
//!   Tab, not only from the second on).
//!
//! fish, elvish and PowerShell use clap_complete's scripts unchanged. The scripts are the same
//! for every installation (they run `stmgr` from `PATH`): `completions/` holds them.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use clap_complete::env::{EnvCompleter, Shells};

use crate::cli::output::Printer;

/// Print the shell completion script for SHELL on stdout
///
/// The script asks stmgr itself what to offer, so completion follows the installed binary and
/// also offers the namespaces and graph names of the configured server and the snapshot ids of
/// the data directory (or server) that the command line would use.
#[derive(Debug, Args)]
#[command(after_help = COMPLETIONS_EXAMPLES)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: Shell,
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  # bash (~/.bashrc), or write it to ~/.local/share/bash-completion/completions/stmgr
  source <(stmgr completions bash)
  # zsh (~/.zshrc, after compinit), or write it as _stmgr in a directory of $fpath
  source <(stmgr completions zsh)
  # fish
  stmgr completions fish > ~/.config/fish/completions/stmgr.fish
  # elvish (~/.config/elvish/rc.elv)
  eval (stmgr completions elvish | slurp)
  # PowerShell ($PROFILE)
  stmgr completions powershell | Out-String | Invoke-Expression";

/// A shell stmgr completes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash 4.4 or later (older ones complete without sorting)
    Bash,
    /// Zsh
    Zsh,
    /// fish
    Fish,
    /// Elvish
    Elvish,
    /// PowerShell (pwsh)
    #[value(alias = "pwsh")]
    Powershell,
}

impl Shell {
    /// Every shell, in the order of `completions/`.
    pub const ALL: [Shell; 5] = [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::Powershell,
    ];

    /// The name the completion engine knows the shell by.
    fn engine_name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Elvish => "elvish",
            Shell::Powershell => "powershell",
        }
    }

    /// The file name the shell looks for (bash-completion, zsh `$fpath`, fish's
    /// `vendor_completions.d`).
    pub fn file_name(self) -> &'static str {
        match self {
            Shell::Bash => "stmgr.bash",
            Shell::Zsh => "_stmgr",
            Shell::Fish => "stmgr.fish",
            Shell::Elvish => "stmgr.elvish",
            Shell::Powershell => "stmgr.ps1",
        }
    }
}

/// Runs `stmgr completions SHELL`.
///
/// # Errors
/// Writing to stdout failed.
pub fn run(args: &CompletionsArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let script = script(args.shell)?;
    printer.line(script.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

/// The completion script of `shell`, ending with one newline.
///
/// # Errors
/// Never in practice (the script is written to memory).
pub fn script(shell: Shell) -> io::Result<String> {
    let completer = SHELLS
        .completer(shell.engine_name())
        .ok_or_else(|| io::Error::other(format!("no completer for {shell:?}")))?;
    let mut buf = Vec::new();
    completer.write_registration(VAR, "stmgr", "stmgr", "stmgr", &mut buf)?;
    let text = String::from_utf8(buf).map_err(io::Error::other)?;
    Ok(format!("{}\n", text.trim()))
}

/// The variable that makes stmgr answer a completion request (clap's convention).
const VAR: &str = "COMPLETE";

/// The shells of the completion engine: stmgr's bash and zsh adapters, clap's others.
pub const SHELLS: Shells<'static> = Shells(&[
    &Bash,
    &clap_complete::env::Elvish,
    &clap_complete::env::Fish,
    &clap_complete::env::Powershell,
    &Zsh,
]);

/// Bash: clap's protocol, with the words bash split at `:` and `=` glued back.
#[derive(Debug, Clone, Copy)]
struct Bash;

const BASH_SCRIPT: &str = r#"# bash completion for stmgr (`stmgr completions bash`): asks stmgr itself what to offer.
_stmgr() {
    local cur=$2 line=${COMP_LINE:0:COMP_POINT} word i n=-1
    local -a words=() candidates=()
    # Bash splits words at the characters of COMP_WORDBREAKS, ':' and '=' among them: glue
    # back what the line has without a space between, so that `agent://demo` and
    # `--server=http://host:8080` reach stmgr whole.
    for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
        word=${COMP_WORDS[i]}
        ((i == COMP_CWORD)) && word=$cur
        if ((n < 0)) || [[ $line == [[:space:]]* ]]; then
            line=${line#"${line%%[![:space:]]*}"}
            words+=("$word")
            n=$((n + 1))
        else
            words[n]+=$word
        fi
        line=${line#"$word"}
    done
    ((n < 0)) && return
    IFS=$'\013' read -r -d '' -a candidates < <(
        _CLAP_IFS=$'\013' _CLAP_COMPLETE_INDEX=$n _CLAP_COMPLETE_COMP_TYPE=${COMP_TYPE:-9} \
            VAR=bash command COMPLETER -- "${words[@]}" 2>/dev/null
    )
    # Bash replaces only the last piece of the word it split: hand it back only that piece.
    local keep=${words[n]%"$cur"}
    COMPREPLY=()
    for word in "${candidates[@]}"; do
        COMPREPLY+=("${word#"$keep"}")
    done
    if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} =~ [=/:]$ ]]; then
        compopt -o nospace 2>/dev/null
    else
        compopt +o nospace 2>/dev/null
    fi
    return 0
}
if [[ ${BASH_VERSINFO[0]} -eq 4 && ${BASH_VERSINFO[1]} -ge 4 || ${BASH_VERSINFO[0]} -gt 4 ]]; then
    complete -o nospace -o bashdefault -o nosort -F _stmgr BIN
else
    complete -o nospace -o bashdefault -F _stmgr BIN
fi
"#;

impl EnvCompleter for Bash {
    fn name(&self) -> &'static str {
        "bash"
    }

    fn is(&self, name: &str) -> bool {
        name == "bash"
    }

    fn write_registration(
        &self,
        var: &str,
        _name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn Write,
    ) -> io::Result<()> {
        let script = BASH_SCRIPT
            .replace("VAR", var)
            .replace("COMPLETER", completer)
            .replace("BIN", bin);
        buf.write_all(script.as_bytes())
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&Path>,
        buf: &mut dyn Write,
    ) -> io::Result<()> {
        clap_complete::env::Bash.write_complete(cmd, args, current_dir, buf)
    }
}

/// Zsh: clap's protocol and candidate handling, in a script that also works autoloaded.
#[derive(Debug, Clone, Copy)]
struct Zsh;

const ZSH_SCRIPT: &str = r#"#compdef BIN
# zsh completion for stmgr (`stmgr completions zsh`): asks stmgr itself what to offer. Source it,
# or put it in a directory of $fpath as _stmgr.
_stmgr() {
    local -a completions=("${(@f)$( \
        _CLAP_IFS=$'\n' \
        _CLAP_COMPLETE_INDEX=$((CURRENT - 1)) \
        VAR=zsh command COMPLETER -- "${words[@]}" 2>/dev/null \
    )}")
    if [[ -n $completions ]]; then
        local -a dirs=() other=()
        local completion value
        for completion in $completions; do
            value="${completion%%:*}"
            if [[ "$value" == */ ]]; then
                if [[ "$completion" == *:* ]]; then
                    dirs+=("${value%/}:${completion#*:}")
                else
                    dirs+=("${value%/}")
                fi
            else
                other+=("$completion")
            fi
        done
        [[ -n $dirs ]] && _describe -V 'values' dirs -S '/' -r '/'
        [[ -n $other ]] && _describe -V 'values' other
    fi
}
if [[ "${funcstack[1]}" == "_stmgr" ]]; then
    _stmgr "$@"
else
    compdef _stmgr BIN
fi
"#;

impl EnvCompleter for Zsh {
    fn name(&self) -> &'static str {
        "zsh"
    }

    fn is(&self, name: &str) -> bool {
        name == "zsh"
    }

    fn write_registration(
        &self,
        var: &str,
        _name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn Write,
    ) -> io::Result<()> {
        let script = ZSH_SCRIPT
            .replace("VAR", var)
            .replace("COMPLETER", completer)
            .replace("BIN", bin);
        buf.write_all(script.as_bytes())
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&Path>,
        buf: &mut dyn Write,
    ) -> io::Result<()> {
        clap_complete::env::Zsh.write_complete(cmd, args, current_dir, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_has_a_script_that_runs_stmgr_from_path() {
        for shell in Shell::ALL {
            let text = script(shell).expect("script");
            assert!(text.contains("COMPLETE"), "{shell:?}: {text}");
            assert!(text.contains("stmgr"), "{shell:?}: {text}");
            assert!(!text.contains("COMPLETER"), "{shell:?}: {text}");
        }
        let zsh = script(Shell::Zsh).unwrap();
        assert!(zsh.starts_with("#compdef stmgr\n"), "{zsh}");
        let bash = script(Shell::Bash).unwrap();
        assert!(bash.contains("COMPLETE=bash command stmgr -- "), "{bash}");
        assert!(bash.contains("-F _stmgr stmgr\n"), "{bash}");
    }
}
