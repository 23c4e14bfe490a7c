#!/usr/bin/env bash
# Load test of kamusm-server with wrk, on loopback only (not part of CI: it takes about half an
# hour and the whole machine). For each storage engine (SQLite, PostgreSQL), one and two server
# instances on it, each scenario and each number of connections, it runs wrk for DURATION
# seconds and prints a Markdown table: requests/s, p50 and p99 latency, errors (non-2xx and
# socket errors), and the first instance's memory at rest and at its peak under load.
#
# Scenarios: GET /api/v1/health; GET of the app's wasm file (build/web/kamusm_app.wasm when
# tests/build-web.sh made it, else a random file of its size); POST /api/v1/sessions with a fresh
# verification code each; POST /api/v1/sessions/{id}/confirm with the right SMS code, each on a
# session of its own (bench/prepare.py writes codes and sessions into the database first). With
# two instances, two wrk processes run side by side, each with half the connections.
#
# Root is needed for PostgreSQL (its cluster runs as nobody, on a free loopback port, in a
# temporary directory removed at the end). Settings, all optional:
#   DURATION=30 CONNECTIONS="8 64 256" ENGINES="sqlite postgresql" INSTANCES="1 2"
#   SCENARIOS="health wasm session-start sms-confirm" OUT=build/bench/server-load.md
#   PER_SECOND=5000 (codes or sessions prepared per second of a run)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-30}
read -r -a connections <<<"${CONNECTIONS:-8 64 256}"
read -r -a engines <<<"${ENGINES:-sqlite postgresql}"
read -r -a instances <<<"${INSTANCES:-1 2}"
read -r -a scenarios <<<"${SCENARIOS:-health wasm session-start sms-confirm}"
out=${OUT:-build/bench/server-load.md}
pgbin=/usr/lib/postgresql/15/bin

command -v wrk >/dev/null || { echo "server-load.sh: wrk is missing (tests/setup-debian.sh)" >&2; exit 1; }
cmake --preset release >/dev/null
cmake --build --preset release --target kamusm-server
server=$PWD/build/release/kamusm-server
mkdir -p "$(dirname "$out")"

work=$(mktemp -d)
chmod 755 "$work"
pids=()
pg_started=""
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n $pg_started ]]; then
        runuser -u nobody -- "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

web="$work/web"
mkdir -p "$web"
if [[ -f build/web/kamusm_app.wasm ]]; then
    cp build/web/kamusm_app.wasm "$web/"
else
    head -c 1072550 /dev/urandom >"$web/kamusm_app.wasm"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres() {
    mkdir "$work/pg"
    chown nobody:nogroup "$work/pg"
    pg_port=$(free_port)
    runuser -u nobody -- "$pgbin/initdb" -D "$work/pg/data" -U kamusm --auth=trust -E UTF8 \
        >"$work/pg/initdb.log" 2>&1
    runuser -u nobody -- "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -o \
        "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg -c max_connections=100" start \
        >/dev/null
    pg_started=yes
}

runs=0
# A fresh database for each run (number $runs): its URL in $database.
new_database() {
    if [[ $1 == sqlite ]]; then
        database="sqlite:$run/kamusm.db"
    else
        psql -q "postgresql://kamusm@127.0.0.1:$pg_port/postgres" -c "CREATE DATABASE run$runs"
        database="postgresql://kamusm@127.0.0.1:$pg_port/run$runs"
    fi
}

# Starts $1 instances on database $2, one after the other (the first makes the demo CA).
start_servers() {
    pids=()
    ports=()
    for i in $(seq "$1"); do
        "$server" --demo --port 0 --data-dir "$run/data$i" --database "$2" --static-dir "$web" \
            --trusted-proxy 127.0.0.1 --code-attempts-per-ip 1000 --sessions-per-holder 1000 \
            --confirm-attempts-per-ip 1000 --confirm-attempts-per-holder 1000 \
            >"$run/out$i" 2>"$run/log$i" &
        pids+=($!)
        for _ in $(seq 100); do
            [[ $(cat "$run/out$i") == *"listening on"* ]] && break
            sleep 0.1
        done
        url=$(grep -o 'http://[0-9.:]*' "$run/out$i")
        ports+=("${url##*:}")
    done
}

stop_servers() {
    for pid in "${pids[@]}"; do
        kill "$pid"
        wait "$pid" || true
    done
    pids=()
}

memory_kib() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# One wrk per instance, with its share of the connections; the first instance's memory is
# sampled each second.
load() {
    local scenario=$1 total=$2 count=${#ports[@]} lines=""
    case $scenario in
    session-start) lines=codes ;;
    sms-confirm) lines=sessions ;;
    esac
    if [[ -n $lines ]]; then
        # More requests than the fastest run makes, spread over the instances.
        python3 bench/prepare.py "$lines" "$((duration * ${PER_SECOND:-5000}))" "$database" >"$run/lines"
        for i in $(seq "$count"); do
            awk -v n="$count" -v i="$i" 'NR % n == i - 1' "$run/lines" >"$run/lines$i"
        done
    fi
    rest=$(memory_kib "${pids[0]}")
    local waits=()
    for i in $(seq "$count"); do
        local target="http://127.0.0.1:${ports[$((i - 1))]}" arguments=()
        case $scenario in
        health) target+=/api/v1/health ;;
        wasm) target+=/kamusm_app.wasm ;;
        *) arguments=(-s bench/replay.lua) ;;
        esac
        local each=$((total / count))
        wrk -t2 -c"$each" -d"${duration}s" --latency "${arguments[@]}" "$target" \
            ${lines:+-- "$run/lines$i" 2} >"$run/wrk$i.txt" 2>&1 &
        waits+=($!)
    done
    peak=$rest
    while kill -0 "${waits[0]}" 2>/dev/null; do
        now=$(memory_kib "${pids[0]}")
        ((now > peak)) && peak=$now
        sleep 1
    done
    for pid in "${waits[@]}"; do wait "$pid"; done
    files=()
    for i in $(seq "$count"); do files+=("$run/wrk$i.txt"); done
    read -r rate p50 p99 errors < <(python3 bench/wrk_summary.py "${files[@]}")
}

{
    echo "kamusm-server under wrk, ${duration} s per row, $(nproc) cores, $(date -u +%Y-%m-%d)"
    echo
    echo "| engine | instances | scenario | connections | requests/s | p50 ms | p99 ms | errors | memory at rest MiB | memory under load MiB |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
} | tee "$out"

for engine in "${engines[@]}"; do
    [[ $engine == postgresql && -z $pg_started ]] && start_postgres
    for n in "${instances[@]}"; do
        for scenario in "${scenarios[@]}"; do
            for c in "${connections[@]}"; do
                runs=$((runs + 1))
                run="$work/run$runs"
                mkdir "$run"
                new_database "$engine"
                start_servers "$n" "$database"
                load "$scenario" "$c"
                stop_servers
                printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$engine" "$n" \
                    "$scenario" "$c" "$rate" "$p50" "$p99" "$errors" "$((rest / 1024))" \
                    "$((peak / 1024))" | tee -a "$out"
                [[ -n ${KEEP:-} ]] || rm -rf "$run"
            done
        done
    done
done
