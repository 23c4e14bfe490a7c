#!/usr/bin/env bash
# Installs (or with --uninstall removes) the KamuSM card helper's native messaging host for
# Google Chrome, Chromium and Microsoft Edge on Linux:
#   as root:                 the program in /usr/local/lib/kamusm-pcsc-helper/, the host manifest
#                            in each browser's system folder (/etc/opt/chrome/…, /etc/chromium/…)
#   as a user:               the program in ~/.local/lib/kamusm-pcsc-helper/, the manifest in the
#                            user's Chrome, Chromium and Edge profile folders (~/.config/…)
#   --user-data-dir DIR:     the manifest for the one browser profile folder DIR (as started with
#                            --user-data-dir=DIR); the program as above (--uninstall then
#                            removes only that manifest)
#   --host PATH:             the program to install (default: build/helper/kamusm-pcsc-host)
#   --program-dir DIR:       where the program goes, instead of the folders above
# The browser extension itself comes from the Chrome Web Store or an administrator's policy (see
# README, "Desktop: the PC/SC helper"); only the extension whose id is derived from the key in
# helper/extension/manifest.json may start the host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=tr.gov.kamusm.pcsc_helper
host="$here/../build/helper/kamusm-pcsc-host"
profile=""
program_dir=""
uninstall=false

usage() {
    sed -n '2,16s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --user-data-dir) [ $# -ge 2 ] || usage; profile=$2; shift 2 ;;
    --host) [ $# -ge 2 ] || usage; host=$2; shift 2 ;;
    --program-dir) [ $# -ge 2 ] || usage; program_dir=$2; shift 2 ;;
    --uninstall) uninstall=true; shift ;;
    *) usage ;;
    esac
done

id=$(bash "$here/host-manifest.sh" --id)

if [ "$(id -u)" -eq 0 ]; then
    program_dir=${program_dir:-/usr/local/lib/kamusm-pcsc-helper}
    manifest_dirs=(/etc/opt/chrome/native-messaging-hosts /etc/chromium/native-messaging-hosts
                   /etc/opt/edge/native-messaging-hosts)
else
    program_dir=${program_dir:-$HOME/.local/lib/kamusm-pcsc-helper}
    config="${XDG_CONFIG_HOME:-$HOME/.config}"
    manifest_dirs=("$config/google-chrome/NativeMessagingHosts" "$config/chromium/NativeMessagingHosts"
                   "$config/microsoft-edge/NativeMessagingHosts")
fi
[ -z "$profile" ] || manifest_dirs=("$profile/NativeMessagingHosts")
program="$program_dir/kamusm-pcsc-host"

if $uninstall; then
    for dir in "${manifest_dirs[@]}"; do
        rm -f "$dir/$name.json"
    done
    # For one profile only its manifest goes: other profiles may still use the program.
    if [ -z "$profile" ]; then
        rm -f "$program"
        rmdir "$program_dir" 2>/dev/null || true
    fi
    echo "install-linux.sh: removed $name (${manifest_dirs[*]})"
    exit 0
fi

[ -x "$host" ] || { echo "install-linux.sh: no program at $host (bash tests/build-helper.sh)" >&2; exit 1; }
mkdir -p "$program_dir"
program_dir=$(cd "$program_dir" && pwd) # the manifest needs an absolute path
program="$program_dir/kamusm-pcsc-host"
install -m 0755 "$host" "$program"
for dir in "${manifest_dirs[@]}"; do
    mkdir -p "$dir"
    bash "$here/host-manifest.sh" "$program" > "$dir/$name.json"
    chmod 0644 "$dir/$name.json"
done
echo "install-linux.sh: installed $program for extension $id (${manifest_dirs[*]})"
