#!/usr/bin/env bash
# pinctl pcsc against the real pcscd: the virtual card served through vpcd (tests/pcsc/rig.sh),
# every operation, PIN states, the card pulled out between and in the middle of operations, no
# PC/SC service, and no PIN in any output or log. Needs root (pcscd) and the native build.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/pcsc/rig.sh

passed=0
failed=0
OUT=""
CODE=0
PIN=123456      # the demo card's PIN
NEW_PIN=97531864 # distinctive, so that finding it anywhere in the logs means a leak
WRONG_PIN=86420975
CHANGED_PIN=64209753

# pinctl with `$1` on standard input and the rest as arguments; sets OUT and CODE.
run() {
    local input=$1
    shift
    CODE=0
    OUT=$(timeout 60 "$RIG_PINCTL" "$@" 2>&1 <<<"$input") || CODE=$?
    printf '%s\n' "\$ pinctl $*" "$OUT" >> "$RIG_DIR/pinctl.log"
}

# check DESCRIPTION EXIT TEXT...: the last run exited EXIT and printed every TEXT.
check() {
    local what=$1 code=$2
    shift 2
    local problem=""
    [ "$CODE" -eq "$code" ] || problem="exit $CODE, expected $code"
    for text in "$@"; do
        [ -n "$problem" ] || [[ $OUT == *"$text"* ]] || problem="no '$text' in the output"
    done
    # A crash or a sanitizer report is never a clean failure.
    [ -n "$problem" ] || [ "$CODE" -lt 128 ] || problem="killed by a signal"
    [ -n "$problem" ] || [[ $OUT != *AddressSanitizer* && $OUT != *"runtime error:"* ]] ||
        problem="sanitizer report"
    if [ -z "$problem" ]; then
        passed=$((passed + 1))
        echo "ok - $what"
    else
        failed=$((failed + 1))
        echo "not ok - $what: $problem"
        sed 's/^/#   /' <<<"$OUT"
    fi
}

rig_start

atr="3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B"
run "" pcsc list
check "list: both vpcd readers, the card's ATR in the first" 0 \
    "0: Virtual PCD 00 00  ATR $atr" "1: Virtual PCD 00 01"
run "" pcsc list --json
check "list --json: index, name, atr (null when empty)" 0 \
    '"index": 0' '"name": "Virtual PCD 00 00"' "\"atr\": \"$atr\"" '"index": 1' '"atr": null'

run "" pcsc info --json
check "info: reader, ATR, T=1" 0 '"ok": true' '"reader": "Virtual PCD 00 00"' \
    '"transport": "pcsc"' '"protocol": 1' "\"atr\": \"$atr\""
run "" pcsc serial --json
check "serial" 0 '"serial": "123456789012"'
run "" pcsc certificates --json
check "certificates: signing and encryption" 0 '"signing": {' '"size": 2091' \
    'serialNumber=10000000146' '"encryption": {'
run "" pcsc pin-status --json
check "pin-status" 0 '"pin": "set"' '"tries_left": 3'
run "" pcsc pin-status
check "text output" 0 "pin: set" "tries_left: 3" "reader: Virtual PCD 00 00"

run "$PIN" pcsc verify --json
check "verify" 0 '"pin": "verified"'
run "" pcsc pin-status --json
check "the card is reset at the end: the PIN is no longer verified" 0 '"pin": "set"'
run "$WRONG_PIN" pcsc verify --json
check "a wrong PIN fails with the tries left" 1 '"ok":false' 'wrong PIN'
run "" pcsc pin-status --json
check "one try used" 0 '"tries_left": 2'
run "$PIN" pcsc verify --trace
check "verify --trace hides the PIN data" 0 "apdu > 00 20 00 81 06 [6 bytes hidden]" \
    "pin: verified"
run "" pcsc pin-status --json
check "tries back to 3" 0 '"tries_left": 3'
run "$PIN"$'\n'"$NEW_PIN" pcsc change --json
check "change" 0 '"ok": true'
run "$NEW_PIN" pcsc verify --json
check "the new PIN verifies" 0 '"pin": "verified"'
run "$NEW_PIN"$'\n'"$PIN" pcsc change --json
check "change back" 0 '"ok": true'

run "" pcsc --reader 0 serial --json
check "--reader by index" 0 '"serial": "123456789012"'
run "" pcsc --reader "Virtual PCD 00 00" serial --json
check "--reader by name" 0 '"serial": "123456789012"'
run "" pcsc --reader 1 serial --json
check "--reader with no card: no-smartcard" 1 '"ok":false' '"code":"no-smartcard"'
run "" pcsc --reader 7 serial --json
check "--reader that does not exist: exit 3" 3 '"ok":false' "no PC/SC reader '7'"
run "" pcsc --reader
check "--reader without a value: usage" 2 "usage: pinctl pcsc"
run "" pcsc frobnicate
check "an unknown operation: usage" 2 "usage: pinctl pcsc"

# The card pulled out between operations, then put back.
rig_card_remove
run "" pcsc list
check "list after removal: no ATR" 0 "0: Virtual PCD 00 00"
run "" pcsc --reader 0 pin-status --json
check "an operation with the card out: no-smartcard" 1 '"code":"no-smartcard"'
rig_card_insert
run "" pcsc serial --json
check "the card put back works" 0 '"serial": "123456789012"'

# pinctl pcsc wait (PcscTransport::waitForChange on pcscd): it lists, waits, lists again.
timeout 60 "$RIG_PINCTL" pcsc wait > "$RIG_DIR/wait.out" 2>&1 &
waiting=$!
first_listing() { [[ $(cat "$RIG_DIR/wait.out") == *"1: Virtual PCD 00 01"* ]]; }
rig_wait 20 "pinctl pcsc wait to list" first_listing
rig_card_remove
CODE=0
wait "$waiting" || CODE=$?
OUT=$(cat "$RIG_DIR/wait.out")
printf '%s\n' "\$ pinctl pcsc wait" "$OUT" >> "$RIG_DIR/pinctl.log"
check "wait returns when the card goes: the card before, none after" 0 \
    "0: Virtual PCD 00 00  ATR $atr"$'\n'"1: Virtual PCD 00 01"$'\n'"0: Virtual PCD 00 00"$'\n'
rig_card_insert

# The card pulled out while pinctl holds it in a transaction, waiting for the PIN: the VERIFY
# meets the removal. The fifo holds pinctl at the PIN prompt until the card has gone.
mkfifo "$RIG_DIR/pin.fifo"
timeout 60 "$RIG_PINCTL" pcsc verify --json < "$RIG_DIR/pin.fifo" > "$RIG_DIR/removed.out" 2>&1 &
verifying=$!
exec 3> "$RIG_DIR/pin.fifo"
rig_wait 20 "pinctl to hold the card" rig_card_in_use
rig_card_remove
printf '%s\n' "$PIN" >&3
exec 3>&-
CODE=0
wait "$verifying" || CODE=$?
OUT=$(cat "$RIG_DIR/removed.out")
printf '%s\n' "\$ pinctl pcsc verify (card pulled)" "$OUT" >> "$RIG_DIR/pinctl.log"
check "card pulled out mid-operation (signal): a clear error" 1 '"ok":false' '"code":"removed-card"'
rig_card_insert

# The card pulled out by the card itself at the 4th APDU of reading the certificates. pcscd
# marks the card absent at once (the reset at disconnect fails) but its own polling must see
# the card gone before it takes a card put back for a new one: wait for its event counter.
rig_start_card --pull-at-apdu 4
events=$(rig_events)
run "" pcsc certificates --json
check "card pulled out in the middle of reading certificates: a clear error" 1 '"ok":false' \
    '"code":"removed-card"'
rig_wait 20 "pcscd to see the card gone" rig_events_past "$events"
rig_card_insert
run "" pcsc certificates --json
check "... and read whole once it is back" 0 '"size": 2091'

# PIN states and the T=0 card.
rig_start_card --pin not-set
run "" pcsc pin-status --json
check "a card without a PIN" 0 '"pin": "not_set"'
rig_start_card --pin blocked
run "" pcsc pin-status --json
check "a blocked PIN" 0 '"pin": "blocked"'
rig_start_card --card t0
run "" pcsc info --json
check "the T=0 card: T=0 negotiated" 0 '"protocol": 0'
run "" pcsc certificates --json
check "the T=0 card: certificates through 61xx GET RESPONSE" 0 '"size": 2091'

# The demo backend: the card enrolled there carries the certificate it issued, and the wizard
# runs every PIN operation over PC/SC against it (pinctl create|change|unblock --pcsc).
mkdir -p "$RIG_DIR/server"
"$RIG_BUILD/kamusm-server" --demo --port 0 --data-dir "$RIG_DIR/server" \
    --sms-outbox-file "$RIG_DIR/server/sms.txt" > "$RIG_DIR/server.out" 2> "$RIG_DIR/server.err" &
server=$!
server_listening() { [[ $(cat "$RIG_DIR/server.out") == *"listening on"* ]]; }
rig_wait 30 "kamusm-server" server_listening
url=$(grep -o -m1 'http://[0-9.:]*' "$RIG_DIR/server.out")

rig_start_card --server "$url"
run "" pcsc certificates --json
issued=$OUT
rig_start_card
run "" pcsc certificates --json
[ "$issued" != "$OUT" ] || issued="the same certificate as the fixture's"
OUT=$issued
CODE=0
check "--server: the card carries the certificate the demo backend issued" 0 \
    'serialNumber=10000000146' '"size":'

wizard() { run "$1" "$2" --server "$url" --pcsc --demo "${@:3}"; }
rig_start_card --server "$url" --pin not-set
wizard "$NEW_PIN"$'\n'"$NEW_PIN" create --json
check "wizard over PC/SC: create" 0 '"ok":true' '"step":"done"'
run "$NEW_PIN" pcsc verify --json
check "... the created PIN verifies" 0 '"pin": "verified"'
wizard "$NEW_PIN"$'\n'"$CHANGED_PIN"$'\n'"$CHANGED_PIN" change --reader 0
check "wizard over PC/SC: change (text, --reader by index)" 0 "step: done" "card: 123456789012"
rig_start_card --server "$url" --pin blocked
wizard "$NEW_PIN"$'\n'"$NEW_PIN" unblock --json --reader "Virtual PCD 00 00"
check "wizard over PC/SC: unblock (--reader by name)" 0 '"ok":true' '"step":"done"'
run "" pcsc pin-status --json
check "... the PIN is set with all its tries, and the card was reset" 0 '"pin": "set"' \
    '"tries_left": 3'
wizard "" change --reader 1 --json
check "wizard over PC/SC: --reader naming the empty reader" 1 '"ok":false' '"error":"no_card"'

# The card pulled out in the middle of the unblock's card work, as RESET RETRY COUNTER comes
# (its place counted on a whole run first): the wizard says so, and the card is untouched.
rig_start_card --server "$url" --pin blocked --verbose
wizard "$NEW_PIN"$'\n'"$NEW_PIN" unblock --json
check "wizard over PC/SC: unblock, counted" 0 '"ok":true'
card_log="$RIG_DIR/card-$RIG_CARD_RUNS.err"
rig_stop_card
# The place of RESET RETRY COUNTER among the APDUs the card saw.
reset_at=$(awk '/: APDU /{n++} /: APDU 00 2C/{print n; exit}' "$card_log")
OUT=$(cat "$card_log")
CODE=0
[ -n "$reset_at" ] || CODE=1
check "the card server logged the RESET RETRY COUNTER header" 0
rig_start_card --server "$url" --pin blocked --pull-at-apdu "$reset_at"
events=$(rig_events)
wizard "$NEW_PIN"$'\n'"$NEW_PIN" unblock --json
check "wizard over PC/SC: the card pulled as RESET RETRY COUNTER goes out" 1 '"ok":false' \
    '"step":"reader"' '"error":"card_removed"'
rig_wait 20 "pcscd to see the card gone" rig_events_past "$events"
rig_card_insert
run "" pcsc pin-status --json
check "... the PIN stayed blocked (the card never took the command)" 0 '"pin": "blocked"'
kill -TERM "$server"
wait "$server" || true

rig_stop
run "" pcsc list
check "no PC/SC service: list exits 4" 4 "Service not available" "is pcscd running?"
run "" pcsc serial --json
check "no PC/SC service: an operation exits 4" 4 '"code":"no-service"'

# No PIN anywhere: pinctl's output, pcscd's log, the card server's logs. 123456 is also the
# start of the serial 123456789012, so only the PIN itself (not followed by 789012) counts.
logs=("$RIG_DIR"/pinctl.log "$RIG_DIR"/pcscd.log "$RIG_DIR"/card-*)
leaks=$(grep -nE "$NEW_PIN|$WRONG_PIN|$CHANGED_PIN|$PIN([^7]|$)|(31 ?32 ?33 ?34 ?35 ?36|39 ?37 ?35 ?33 ?31 ?38 ?36 ?34)" \
    "${logs[@]}" || true)
OUT=$leaks
CODE=0
[ -z "$leaks" ] || CODE=1
check "no PIN in pinctl's output, pcscd's log or the card server's logs" 0
reports=$(cat "$RIG_DIR"/card-*.out)
OUT=$reports
check "the card saw no PUK command" 0 " 0 PUK commands seen"
[[ $reports != *[1-9]" PUK commands seen"* ]] || { failed=$((failed + 1)); echo "not ok - a PUK command reached the card"; }

echo "# pcsc: $passed passed, $failed failed (logs in $RIG_DIR)"
[ "$failed" -eq 0 ]
