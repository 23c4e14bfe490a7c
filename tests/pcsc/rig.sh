#!/usr/bin/env bash
# A real PC/SC stack for tests: our own pcscd in the foreground with vsmartcard's vpcd reader
# driver (from the vsmartcard-vpcd package, on a port of the rig's own), and the project's
# virtual card (kamusm-vpcd-card) in its first reader. Both are stopped when the shell exits.
#
# Source it and call rig_start [card options], or run a command inside it:
#   bash tests/pcsc/rig.sh build/native/pinctl pcsc info
#
# pcscd is one daemon per machine (socket /run/pcscd/pcscd.comm), run as root: the rig refuses
# to start when another pcscd runs, and never uses `pcscd -a`, which logs APDUs and so PINs.
# Every wait is for a condition (pcscd answering, the card seen in the reader), with a deadline.

RIG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RIG_BUILD=${KAMUSM_BUILD:-$RIG_ROOT/build/native}
RIG_PINCTL=$RIG_BUILD/pinctl
RIG_CARD=$RIG_BUILD/kamusm-vpcd-card
RIG_DIR=${RIG_DIR:-$(mktemp -d /tmp/kamusm-pcsc-rig.XXXXXX)}
RIG_PCSCD_PID=""
RIG_CARD_PID=""
RIG_CARD_RUNS=0
RIG_READER="Virtual PCD 00 00"

rig_fail() {
    echo "pcsc rig: $*" >&2
    return 1
}

# The port vpcd listens on for its card. The package configures 35963, inside Linux's
# ephemeral range (32768-60999), where any connection the machine makes may hold it for a moment;
# a pcscd started then has no reader (seen once, with other tests busy on the same network). So
# pcscd gets a configuration of the rig's own, with a port below that range.
RIG_VPCD_PORT=${KAMUSM_VPCD_PORT:-29963}

# vpcd's reader for our pcscd (`pcscd -c`): the package's driver, the rig's port.
rig_vpcd_config() {
    local packaged library
    packaged=$(grep -l 'libifdvpcd' /etc/reader.conf.d/* 2>/dev/null || true)
    [ -n "$packaged" ] || { rig_fail "vpcd is not configured (apt-get install vsmartcard-vpcd)"; return 1; }
    library=$(sed -n 's/^[[:space:]]*LIBPATH[[:space:]]*//p' $packaged)
    mkdir -p "$RIG_DIR/reader.conf.d"
    printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:%d\nLIBPATH %s\nCHANNELID %d\n' \
        "$RIG_VPCD_PORT" "$library" "$RIG_VPCD_PORT" > "$RIG_DIR/reader.conf.d/vpcd"
}

# Waits until `condition` (a command) succeeds, up to `seconds`; polls every 0.1 s.
rig_wait() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ $SECONDS -lt $deadline ] || { rig_fail "timed out waiting for $what"; return 1; }
        [ -z "$RIG_PCSCD_PID" ] || kill -0 "$RIG_PCSCD_PID" 2>/dev/null ||
            { cat "$RIG_DIR/pcscd.log" >&2; rig_fail "pcscd exited"; return 1; }
        sleep 0.1
    done
}

rig_pcscd_answers() {
    local code=0
    "$RIG_PINCTL" pcsc list > /dev/null 2>&1 || code=$?
    [ $code -eq 0 ] || [ $code -eq 3 ]
}

# The first reader's line of `pinctl pcsc list` ("0: Virtual PCD 00 00  ATR 3B ..." with a card).
rig_reader_line() {
    local listing
    listing=$("$RIG_PINCTL" pcsc list 2>/dev/null) || return 1
    grep -F ": $RIG_READER" <<<"$listing"
}
rig_reader_present() {
    rig_reader_line > /dev/null
}
rig_card_seen() {
    local line
    line=$(rig_reader_line) && [[ $line == *" ATR 3B"* ]]
}
rig_card_gone() {
    local line
    line=$(rig_reader_line) && [[ $line != *" ATR "* ]]
}
# The first reader's entry of `pinctl pcsc list --json`, without blanks.
rig_reader_json() {
    local listing
    listing=$("$RIG_PINCTL" pcsc list --json 2>/dev/null) || return 1
    listing=$(tr -d ' \n' <<<"$listing")
    [[ $listing =~ \{\"index\":0,[^\}]*\} ]] && echo "${BASH_REMATCH[0]}"
}
# A program holds a connection to the card in the first reader (SCARD_STATE_INUSE).
rig_card_in_use() {
    local entry
    entry=$(rig_reader_json) && [[ $entry == *'"in_use":true'* ]]
}
# pcscd's event counter of the first reader: it counts the cards going in and out as pcscd's
# own polling sees them.
rig_events() {
    local entry
    entry=$(rig_reader_json) && [[ $entry =~ \"events\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}
rig_events_past() {
    local now
    now=$(rig_events) && [ "$now" -gt "$1" ]
}

# The pids of running pcscd processes, from /proc (minimal systems have no pgrep).
rig_running_pcscd() {
    local comm
    for comm in /proc/[0-9]*/comm; do
        [ "$(cat "$comm" 2>/dev/null)" != pcscd ] || basename "$(dirname "$comm")"
    done
}

rig_start_pcscd() {
    [ "$(id -u)" -eq 0 ] || { rig_fail "pcscd must run as root"; return 1; }
    command -v pcscd > /dev/null || { rig_fail "no pcscd (apt-get install pcscd)"; return 1; }
    local running
    running=$(rig_running_pcscd)
    if [ -n "$running" ]; then
        rig_fail "a pcscd that is not ours is running (pid $running); stop it first" \
            "(systemctl stop pcscd.socket pcscd): the tests need their own, with vpcd"
        return 1
    fi
    # systemd's pcscd.socket holds the socket without a pcscd process; ours would take it over.
    if [ -S /run/pcscd/pcscd.comm ]; then
        rig_fail "/run/pcscd/pcscd.comm exists but no pcscd runs: systemd's pcscd.socket" \
            "(systemctl stop pcscd.socket) or a stale socket (remove it)"
        return 1
    fi
    rig_vpcd_config || return 1
    pcscd -f -c "$RIG_DIR/reader.conf.d" ${RIG_PCSCD_DEBUG:+-d} > "$RIG_DIR/pcscd.log" 2>&1 &
    RIG_PCSCD_PID=$!
    rig_wait 20 "pcscd to answer" rig_pcscd_answers
    rig_wait 5 "pcscd to list '$RIG_READER'" rig_reader_present || {
        tail -n 20 "$RIG_DIR/pcscd.log" >&2
        rig_fail "pcscd has no '$RIG_READER' (is TCP port $RIG_VPCD_PORT taken?)"
        return 1
    }
}

# Starts (or restarts) the card server with `$@` as its options; waits for the card in the reader
# unless it starts removed.
rig_start_card() {
    rig_stop_card
    RIG_CARD_RUNS=$((RIG_CARD_RUNS + 1))
    "$RIG_CARD" --port "$RIG_VPCD_PORT" "$@" \
        > "$RIG_DIR/card-$RIG_CARD_RUNS.out" 2> "$RIG_DIR/card-$RIG_CARD_RUNS.err" &
    RIG_CARD_PID=$!
    [[ " $* " == *" --removed "* ]] || rig_wait 20 "the card in $RIG_READER" rig_card_seen
}

rig_card_remove() {
    kill -USR1 "$RIG_CARD_PID"
    rig_wait 20 "the card to leave $RIG_READER" rig_card_gone
}

rig_card_insert() {
    kill -USR2 "$RIG_CARD_PID"
    rig_wait 20 "the card in $RIG_READER" rig_card_seen
}

# Stops the card server; its report ("N APDUs, M PUK commands seen") is in card-N.out. With
# pcscd running, waits until pcscd has seen the card go (it polls vpcd), so that the next card
# server's card is not taken for this one.
rig_stop_card() {
    [ -n "$RIG_CARD_PID" ] || return 0
    kill -TERM "$RIG_CARD_PID" 2>/dev/null || true
    wait "$RIG_CARD_PID" 2>/dev/null || true
    RIG_CARD_PID=""
    [ -z "$RIG_PCSCD_PID" ] || rig_wait 20 "the card to leave $RIG_READER" rig_card_gone
}

rig_stop() {
    rig_stop_card
    if [ -n "$RIG_PCSCD_PID" ]; then
        kill -TERM "$RIG_PCSCD_PID" 2>/dev/null || true
        wait "$RIG_PCSCD_PID" 2>/dev/null || true
        RIG_PCSCD_PID=""
    fi
}

rig_start() {
    [ -x "$RIG_PINCTL" ] && [ -x "$RIG_CARD" ] ||
        { rig_fail "build pinctl and kamusm-vpcd-card first ($RIG_BUILD)"; return 1; }
    trap rig_stop EXIT
    rig_start_pcscd || return 1
    rig_start_card "$@"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    [ $# -gt 0 ] || { echo "usage: bash tests/pcsc/rig.sh COMMAND [ARGS...]" >&2; exit 2; }
    rig_start
    status=0
    "$@" || status=$?
    rig_stop
    cat "$RIG_DIR"/card-*.out
    exit $status
fi
