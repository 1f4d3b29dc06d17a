#!/bin/sh
# Builds stmgr from this checkout and installs the binary, shell completions and man pages
# under a prefix (default: $HOME/.local). Safe to run again: files are replaced in place.
set -eu

usage() {
    cat <<USAGE
Usage: ./install.sh [--prefix DIR] [--binary FILE]

Build stmgr (cargo build --release --locked) and install:
  PREFIX/bin/stmgr
  PREFIX/share/bash-completion/completions/stmgr
  PREFIX/share/zsh/site-functions/_stmgr
  PREFIX/share/fish/vendor_completions.d/stmgr.fish
  PREFIX/share/man/man1/stmgr*.1
and say how to turn completion on in bash and zsh.

Options:
  --prefix DIR   installation prefix (default: \$HOME/.local)
  --binary FILE  install this stmgr binary instead of building one
  -h, --help     print this help

Installed with cargo install instead? The binary prints the same files:
  stmgr completions bash|zsh|fish|elvish|powershell   (a completion script, on stdout)
  stmgr man --out-dir DIR                              (every man page)
USAGE
}

die() {
    echo "install.sh: $*" >&2
    exit 2
}

prefix=""
binary=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix)
            [ $# -ge 2 ] || die "--prefix needs a directory"
            prefix="$2"
            shift 2
            ;;
        --prefix=*)
            prefix="${1#--prefix=}"
            shift
            ;;
        --binary)
            [ $# -ge 2 ] || die "--binary needs a file"
            binary="$2"
            shift 2
            ;;
        --binary=*)
            binary="${1#--binary=}"
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            die "unknown argument: $1"
            ;;
    esac
done

if [ -z "$prefix" ]; then
    [ -n "${HOME:-}" ] || die "HOME is not set; pass --prefix DIR"
    prefix="$HOME/.local"
fi
[ -n "$prefix" ] || die "--prefix must not be empty"

if [ -n "$binary" ]; then
    [ -x "$binary" ] || die "--binary $binary is not an executable file"
    # Absolute, before the cd below.
    binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
fi

# Run from the repository root whatever the current directory.
cd "$(dirname "$0")"
[ -f Cargo.toml ] && [ -d completions ] && [ -d man ] || die "run this script from an stmgr checkout"

if [ -z "$binary" ]; then
    command -v cargo >/dev/null 2>&1 || die "cargo not found on PATH (install Rust from https://rustup.rs)"
    echo "building stmgr (release)..."
    cargo build --release --locked
    binary=target/release/stmgr
fi

put() {
    # put MODE SOURCE DEST: create the parent directory, copy, report.
    install -d "$(dirname "$3")"
    install -m "$1" "$2" "$3"
    echo "installed $3"
}

put 755 "$binary" "$prefix/bin/stmgr"
put 644 completions/stmgr.bash "$prefix/share/bash-completion/completions/stmgr"
put 644 completions/_stmgr "$prefix/share/zsh/site-functions/_stmgr"
put 644 completions/stmgr.fish "$prefix/share/fish/vendor_completions.d/stmgr.fish"
for page in man/*.1; do
    put 644 "$page" "$prefix/share/man/man1/$(basename "$page")"
done

case ":${PATH:-}:" in
    *":$prefix/bin:"*) ;;
    *) echo "warning: $prefix/bin is not on PATH; add it to use stmgr" >&2 ;;
esac

# The completion scripts ask `stmgr` (from PATH) what to offer: namespaces and graph names of
# the configured server, snapshot ids of the data directory.
cat <<HINTS

Shell completion:
  bash  with the bash-completion package, it loads by itself in new shells (it looks in
        $prefix/share/bash-completion/completions); without it, add to ~/.bashrc:
          source <(stmgr completions bash)
  zsh   add to ~/.zshrc, before compinit:
          fpath=($prefix/share/zsh/site-functions \$fpath)
        or after compinit:
          source <(stmgr completions zsh)
  fish  loads by itself if $prefix/share is in XDG_DATA_DIRS (~/.local/share always is);
        else: stmgr completions fish > ~/.config/fish/completions/stmgr.fish
Man pages: man stmgr (if $prefix/share/man is not found, add it to MANPATH).
HINTS
