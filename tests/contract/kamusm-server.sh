#!/usr/bin/env bash
# Runs the conformance kit (run.sh) against kamusm-server in demo mode, on SQLite and on
# PostgreSQL 15 (a throwaway cluster, as tests/server/postgres_cluster.cpp makes one; as root
# the cluster runs as nobody). Prints the kit's lines for each engine and, last,
# "# contract: <rules passed on both engines>".
#   tests/contract/kamusm-server.sh [path/to/kamusm-server]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server="$(realpath "${1:-${KAMUSM_SERVER:-$root/build/native/kamusm-server}}")"
[[ -x "$server" ]] || { echo "kamusm-server.sh: no $server (cmake --build --preset native)" >&2; exit 1; }
pg=/usr/lib/postgresql/15/bin
[[ -x "$pg/initdb" ]] || { echo "kamusm-server.sh: PostgreSQL 15 is not installed (tests/setup-debian.sh)" >&2; exit 1; }

work="$(mktemp -d)"
server_pid=""
cluster=""
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u nobody -- "$@"; else "$@"; fi; }
cleanup() {
    [[ -n "$server_pid" ]] && { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
    if [[ -n "$cluster" ]]; then
        [[ -f "$cluster/data/postmaster.pid" ]] && as_pg "$pg/pg_ctl" -D "$cluster/data" -m immediate -w stop >/dev/null 2>&1
        rm -rf "$cluster"
    fi
    rm -rf "$work"
}
trap cleanup EXIT
head -c 30 /dev/urandom | base64 | tr -d '/+=\n' > "$work/issuer.token"

# What the kit needs of an implementation (README "Backend contract"): demo mode, the issuer
# API, lifetimes it can wait out (at most 30 s; a session outliving an SMS code by 3 s; long
# enough for a loaded machine to finish a flow), and per-address limits above the kit's own
# traffic (from one address some 70 session starts and 50 confirmations).
settings=(--demo --port 0 --issuer-token-file "$work/issuer.token" --issuer-port 0
          --code-lifetime 5 --session-lifetime 20 --sms-lifetime 5 --sms-resend-interval 3
          --code-attempts-per-ip 1000 --confirm-attempts-per-ip 1000)

# kit <name> <kamusm-server arguments…>: starts the server, runs the kit, stops the server.
passed=()
kit() {
    local name="$1"; shift
    local log="$work/$name.log"
    "$server" "${settings[@]}" --data-dir "$work/$name" "$@" >"$log" 2>&1 &
    server_pid=$!
    local url="" issuer=""
    for _ in $(seq 100); do
        url="$(grep -o -m1 'listening on http://[^ ]*' "$log" | cut -d' ' -f3)" || true
        issuer="$(grep -o -m1 'issuer API on http://[^ ]*' "$log" | cut -d' ' -f4)" || true
        [[ -n "$url" && -n "$issuer" ]] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n "$url" && -n "$issuer" ]] || { echo "kamusm-server ($name) did not start:" >&2; cat "$log" >&2; exit 1; }
    echo "# kit against kamusm-server on $name"
    local status=0
    bash "$here/run.sh" "$url" --issuer-token "$work/issuer.token" --issuer-url "$issuer" | tee "$work/$name.kit" ||
        status=$?
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    [[ $status -eq 0 ]] || { echo "the kit failed against kamusm-server on $name" >&2; exit 1; }
    passed+=("$(grep -o '^[0-9]* passed' "$work/$name.kit" | cut -d' ' -f1)")
}

kit sqlite

# A directory of its own: the cluster's user (nobody, as root) cannot enter $work.
cluster="$(mktemp -d)"
[[ $EUID -eq 0 ]] && chown nobody:nogroup "$cluster"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "$pg/initdb" -D "$cluster/data" -U kamusm --auth=trust --no-sync -E UTF8 >"$work/initdb.log" 2>&1 ||
    { cat "$work/initdb.log" >&2; exit 1; }
as_pg "$pg/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c fsync=off" start >"$work/pg_ctl.log" 2>&1 ||
    { cat "$work/pg_ctl.log" >&2; exit 1; }
kit postgresql --database "postgresql://kamusm@127.0.0.1:$port/postgres"

echo "# contract: $((passed[0] + passed[1])) rules passed (${passed[0]} on SQLite, ${passed[1]} on PostgreSQL)"
