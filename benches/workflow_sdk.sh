#!/bin/sh
# Workflow transitions/s with the real exospherehost 0.0.3 SDK in the loop: starts a release
# stmgr server (fsync on every commit) on 127.0.0.1, then benches/workflow_sdk.py (SDK runtimes
# in several processes; the server counts the transitions).
#
# Usage: benches/workflow_sdk.sh   (knobs: PROCS, WORKERS, POLL, RUNS, CHAIN, SECS; see the .py)
# Needs Python 3.12 (pyenv: `pyenv root`/versions/3.12.1); the SDK is installed into a venv under
# target/ on first use.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
stmgr=${STMGR:-$root/target/release/stmgr}
[ -x "$stmgr" ] || (cd "$root" && cargo build --release --locked)

py312=${PYTHON312:-$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3.12}
venv=$root/target/bench-venv-exospherehost-0.0.3
if [ ! -x "$venv/bin/python" ]; then
    "$py312" -m venv "$venv"
    "$venv/bin/pip" install --quiet exospherehost==0.0.3
fi

tmp=$(mktemp -d)
cleanup() {
    [ -n "${stmgr_pid:-}" ] && kill "$stmgr_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

port=${PORT:-18090}
STATE_MANAGER_SECRET=bench-key "$stmgr" server start --data-dir "$tmp/stmgr" \
    --listen "127.0.0.1:$port" --snapshot-keep 0 >"$tmp/stmgr.log" 2>&1 &
stmgr_pid=$!
i=0
until curl -fsS -o /dev/null "http://127.0.0.1:$port/health"; do # poll with a deadline
    i=$((i + 1))
    [ "$i" -lt 300 ] || { echo "stmgr did not start:" >&2; cat "$tmp/stmgr.log" >&2; exit 1; }
    sleep 0.1
done

EXOSPHERE_STATE_MANAGER_URI=http://127.0.0.1:$port EXOSPHERE_API_KEY=bench-key \
    EXOSPHERE_DISABLE_DEFAULT_LOGGING=1 "$venv/bin/python" "$root/benches/workflow_sdk.py"
