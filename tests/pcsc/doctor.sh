#!/usr/bin/env bash
# pinctl doctor against a real pcscd (tests/pcsc/rig.sh): with the virtual card's reader the
# desktop helper's path works (exit 0) and the reader is named with its card's ATR; with pcscd
# stopped the PC/SC service is reported missing with its remedy. Needs root and the native
# build; one pcscd per machine, so run after tests/pcsc/run.sh, never beside it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/pcsc/rig.sh

passed=0
failed=0

# check DESCRIPTION EXPECTED-EXIT CONDITION: runs pinctl doctor --json and tests
# the report with a Python expression over `r` (the parsed JSON).
check() {
    local what=$1 expected=$2 condition=$3 code=0 out
    out=$(timeout 60 "$RIG_PINCTL" doctor --json 2>"$RIG_DIR/doctor.err") || code=$?
    printf '%s\n' "$out" > "$RIG_DIR/doctor-$((passed + failed)).json"
    if [ "$code" -eq "$expected" ] &&
        python3 -c "import json,sys; r=json.load(sys.stdin); sys.exit(0 if ($condition) else 1)" \
            <<<"$out"; then
        echo "ok - $what"
        passed=$((passed + 1))
    else
        echo "not ok - $what (exit $code, expected $expected): $out"
        failed=$((failed + 1))
    fi
}

rig_start
reader_ok='any(x["name"] == "Virtual PCD 00 00" and x["source"] == "pcsc" and x["paths"]["helper"]["works"] and not x["paths"]["page"]["works"] for x in r["readers"])'
check "the vpcd reader: the helper's path works" 0 \
    "r['pcsc_service'] and r['any_path_works'] and $reader_ok"
check "the card's ATR is reported" 0 \
    'any(p["name"] == "Virtual PCD 00 00" and p["atr"] and p["atr"].startswith("3B") for p in r["pcsc"])'
rig_stop
check "no PC/SC service: reported, nothing works" 3 \
    'not r["pcsc_service"] and r["pcsc"] == [] and not r["any_path_works"]'

echo "# doctor: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
