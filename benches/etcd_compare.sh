#!/bin/sh
# Side-by-side PUT load: the same HTTP load generator (hey), the same 256-byte values, the same
# number of connections, against etcd's HTTP gateway (/v3/kv/put) and stmgr (/v1/{ns}/objects),
# both syncing every commit to disk, both on 127.0.0.1. Prints each result and the ratio.
#
# Usage: benches/etcd_compare.sh [CONNECTIONS] [DURATION]   (defaults: 64 10s)
# Needs root for apt-get on first use (installs Debian's etcd-server and hey).
set -eu

conns=${1:-64}
duration=${2:-10s}
root=$(cd "$(dirname "$0")/.." && pwd)
stmgr=${STMGR:-$root/target/release/stmgr}

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    [ -n "${apt_updated:-}" ] || { apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need etcd etcd-server
need hey hey
[ -x "$stmgr" ] || (cd "$root" && cargo build --release --locked)

tmp=$(mktemp -d)
cleanup() {
    [ -n "${etcd_pid:-}" ] && kill "$etcd_pid" 2>/dev/null || true
    [ -n "${stmgr_pid:-}" ] && kill "$stmgr_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

etcd --name bench --data-dir "$tmp/etcd" \
    --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
    --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
    --initial-cluster bench=http://127.0.0.1:23800 >"$tmp/etcd.log" 2>&1 &
etcd_pid=$!
"$stmgr" server start --data-dir "$tmp/stmgr" --listen 127.0.0.1:18089 --snapshot-keep 0 >"$tmp/stmgr.log" 2>&1 &
stmgr_pid=$!

wait_up() { # poll with a deadline
    i=0
    until curl -fsS -o /dev/null "$1"; do
        i=$((i + 1))
        [ "$i" -lt 300 ] || { echo "timed out waiting for $1" >&2; exit 1; }
        sleep 0.1
    done
}
wait_up http://127.0.0.1:23790/health
wait_up http://127.0.0.1:18089/health

value=$(head -c 192 /dev/zero | tr '\0' 'v')             # 192 bytes -> 256 base64 characters
value_b64=$(printf '%s' "$value" | base64 -w0)
etcd_body=$(printf '{"key":"%s","value":"%s"}' "$(printf 'bench-key' | base64 -w0)" "$value_b64")
stmgr_body=$(printf '{"type":"bench","id":"bench-key","body":"%s"}' "$value_b64")

run() { # name url body
    out=$(hey -z "$duration" -c "$conns" -m POST -T application/json -d "$3" "$2")
    rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
    p95=$(printf '%s\n' "$out" | awk '/ 95% in/ {print $3}')
    # Only the "Status code distribution" section (the latency histogram has [count] too).
    codes=$(printf '%s\n' "$out" | awk '/^Status code distribution/ {s = 1; next} s && /^ *\[[0-9][0-9][0-9]\]/ {printf "%s%s ", $1, $2} s && /^$/ {s = 0}')
    printf '%-6s %8s req/s  p95 %8s s  status %s\n' "$1" "$rps" "$p95" "$codes"
    eval "${1}_rps=$rps"
}

echo "PUT load: $conns connections, $duration, 256-byte values, fsync on every commit"
run etcd http://127.0.0.1:23790/v3/kv/put "$etcd_body"
run stmgr http://127.0.0.1:18089/v1/bench/objects "$stmgr_body"
awk -v a="$stmgr_rps" -v b="$etcd_rps" 'BEGIN { printf "stmgr / etcd = %.2fx\n", a / b }'
