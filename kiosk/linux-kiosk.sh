#!/usr/bin/env bash
# A Linux kiosk: Chromium full screen on the kiosk page, with the KamuSM card helper (its
# program installed by the .deb, its extension forced by policy) reaching the reader through
# pcscd. As root:
#   kiosk/linux-kiosk.sh install [URL]   the policy into /etc/chromium/policies/managed/
#   kiosk/linux-kiosk.sh command [URL]   prints the command the kiosk session runs
# URL: the kiosk page (default https://onlineislemler.kamusm.gov.tr/pin/shell/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
url="${2:-https://onlineislemler.kamusm.gov.tr/pin/shell/}"
[[ $url == https://* || $url == http://127.0.0.1* || $url == http://localhost* ]] ||
    { echo "linux-kiosk: the kiosk page must be https (or loopback for a demo)" >&2; exit 2; }
profile=/var/lib/kamusm-kiosk/profile

# A profile of its own, wiped at every start: nothing of one holder survives to the next
# session (the page itself stores nothing either).
command_line() {
    printf '%s\n' "rm -rf $profile && mkdir -p $profile && exec chromium --kiosk --no-first-run --noerrdialogs --disable-translate --disable-session-crashed-bubble --password-store=basic --user-data-dir=$profile $url"
}

case "${1:-}" in
install)
    [ "$(id -u)" -eq 0 ] || { echo "linux-kiosk: run as root" >&2; exit 1; }
    mkdir -p /etc/chromium/policies/managed
    origin=$(sed -E 's|^(https?://[^/]+/).*|\1|' <<<"$url")
    sed "s|https://onlineislemler.kamusm.gov.tr/|$origin|" "$here/linux-policy.json" \
        > /etc/chromium/policies/managed/kamusm-kiosk.json
    echo "linux-kiosk: policy in /etc/chromium/policies/managed/kamusm-kiosk.json"
    echo "linux-kiosk: install the helper (sudo apt install ./kamusm-pcsc-helper_amd64.deb) and pcscd,"
    echo "             and start the session with: $(command_line)"
    ;;
command) command_line ;;
*) echo "usage: $0 install|command [URL]" >&2; exit 2 ;;
esac
