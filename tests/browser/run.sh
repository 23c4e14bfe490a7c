#!/usr/bin/env bash
# Runs the browser tests: starts the reference server in demo mode serving build/web (from
# tests/build-web.sh) on a free port, runs node's test runner (or measure.mjs) against it, stops
# the server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server="${KAMUSM_SERVER:-$root/build/release/kamusm-server}"
[[ -x "$server" ]] || { echo "run.sh: no $server (cmake --build --preset release --target kamusm-server)" >&2; exit 1; }
server="$(realpath "$server")" # the tests start servers of their own from another directory
[[ -f "$root/build/web/kamusm_app.wasm" ]] || { echo "run.sh: run tests/build-web.sh first" >&2; exit 1; }
[[ -d "$here/node_modules/playwright-core" && -d "$here/node_modules/@axe-core/playwright" ]] ||
    (cd "$here" && npm ci --no-audit --no-fund)
# Every exchange is checked against src/server/openapi.yaml (tests/contract).
bash "$root/tests/contract/install.sh"

data="$(mktemp -d)"
log="$data/server.log"
# Every test is the demo holder: the per-holder and per-IP limits are raised for the run.
limits=(--sessions-per-holder 1000 --sms-per-holder 1000 --code-attempts-per-ip 1000
        --confirm-attempts-per-ip 1000 --confirm-attempts-per-holder 1000)
"$server" --demo --port 0 --data-dir "$data" --static-dir "$root/build/web" "${limits[@]}" >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$data"' EXIT
# --port 0 picks a free port; the server prints the URL it listens on.
for _ in $(seq 100); do
    url="$(grep -o -m1 'listening on http://[^ ]*' "$log" | cut -d' ' -f3)" && [[ -n "$url" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
[[ -n "${url:-}" ]] || { echo "run.sh: the server did not start" >&2; cat "$log" >&2; exit 1; }
cd "$here"
export KAMUSM_URL="$url" KAMUSM_SERVER="$server" KAMUSM_WEB="$root/build/web"
# "run.sh measure" reports bundle size and time to first frame instead of testing.
if [[ "${1:-}" == measure ]]; then node measure.mjs; else node --test --test-concurrency=1 "${@:-.}"; fi
