#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine and runs every test: the doctest suites under
# AddressSanitizer, a short fault campaign, each libFuzzer target briefly, the WebAssembly build
# of the core, the Isolated Web App's bundle, and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/check-scripts.sh
bash tests/setup-debian.sh --windows

cmake --preset native
cmake --build --preset native
ctest --preset native
# The backend contract's conformance kit against kamusm-server on SQLite and on PostgreSQL.
bash tests/contract/kamusm-server.sh build/native/kamusm-server | tee build/contract.log
contract=$(grep -o '^# contract: [0-9]*' build/contract.log | cut -d' ' -f3)
# The fault campaign, short, with a fresh seed each time: printed first, so that any violation
# can be replayed (pinctl campaign --seed S --run I). The long run is in the README.
mkdir -p build
seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
echo "campaign seed: $seed"
build/native/pinctl campaign --runs "${CAMPAIGN_RUNS:-400}" --seed "$seed" | tee build/campaign.log
# pinctl pcsc against a real pcscd with the virtual card in vpcd (root; one pcscd per machine).
bash tests/pcsc/run.sh | tee build/pcsc.log
pcsc=$(grep -o '^# pcsc: [0-9]*' build/pcsc.log | cut -d' ' -f3)
# pinctl doctor with the real pcscd, and without it (the same one-pcscd rule).
bash tests/pcsc/doctor.sh | tee build/doctor.log
doctor=$(grep -o '^# doctor: [0-9]*' build/doctor.log | cut -d' ' -f3)
suites=$(ctest --preset native -N | grep -c "Test *#")

# The desktop helper's installers (Linux, and Windows cross-built), installed and removed for real.
bash tests/build-helper.sh --windows
bash tests/helper/packages.sh --windows | tee build/packages.log
packages=$(grep -o '^# packages: [0-9]*' build/packages.log | cut -d' ' -f3)

cmake --preset fuzz
cmake --build --preset fuzz
fuzzers=0
for target in build/fuzz/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    mkdir -p "build/fuzz/corpus-$name"
    seeds="fuzz/seeds/${name#fuzz_}"
    [ -d "$seeds" ] || seeds=""
    "$target" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 \
        "build/fuzz/corpus-$name" $seeds > "build/fuzz/$name.log" 2>&1 ||
        { tail -n 40 "build/fuzz/$name.log"; echo "fuzzer $name found a failure"; exit 1; }
    echo "fuzz: $name $(grep -o 'Done [0-9]* runs' "build/fuzz/$name.log" || true)"
    fuzzers=$((fuzzers + 1))
done

bash tests/build-wasm.sh

# The browser app in headless Chromium, served by the server built above.
bash tests/build-web.sh
# The Isolated Web App: its build, its Signed Web Bundle checked, the kiosk recipes.
bash tests/build-iwa.sh | tee build/iwa.log
node --test tests/iwa/ | tee build/iwa-tests.log
iwa=$(grep -o '^# pass [0-9]*' build/iwa-tests.log | cut -d' ' -f3)
KAMUSM_SERVER=build/native/kamusm-server bash tests/browser/run.sh | tee build/browser.log
browser=$(grep -o '^# pass [0-9]*' build/browser.log | cut -d' ' -f3)
# Tests of a transport the runtime does not offer yet skip themselves, saying why.
skipped=$(grep -o '^# skipped [0-9]*' build/browser.log | cut -d' ' -f3)

# The desktop helper on the real pcscd: its host alone, then page + extension + host in Chromium.
bash tests/helper/run.sh | tee build/helper.log
helper=$(awk '/^# pass [0-9]+$/ {sum += $3} END {print sum + 0}' build/helper.log)

# Every step above stops the script on failure, so reaching here means all of them passed.
campaign=$(grep -o '^campaign: [0-9]* runs, [0-9]* faults' build/campaign.log)
echo "all: $((suites + 1 + contract + pcsc + doctor + packages + fuzzers + 1 + iwa + browser + helper)) passed, 0 failed ($suites suites, the fault campaign (${campaign#campaign: } injected, seed $seed), $contract contract rules, $pcsc pcscd checks, $doctor doctor checks, $packages installer checks, $fuzzers fuzzers, the wasm check, $iwa IWA bundle and recipe checks, $browser browser tests, $helper helper tests; ${skipped:-0} browser tests skipped)"
