#!/usr/bin/env bash
# The desktop helper's installers, installed and removed for real (as root, on a test machine):
# helper/install-linux.sh for one browser profile and for a user; the Debian package with dpkg;
# with --windows, the Windows installer under Wine (registry keys, files, the host speaking
# Chrome's framing through Wine) and its uninstaller. Needs tests/build-helper.sh [--windows].
set -euo pipefail
cd "$(dirname "$0")/../.."
windows=false
[ "${1:-}" != --windows ] || windows=true
name=tr.gov.kamusm.pcsc_helper
id=$(bash helper/host-manifest.sh --id)
host=build/helper/kamusm-pcsc-host
deb=build/helper/downloads/kamusm-pcsc-helper_amd64.deb
setup=build/helper/downloads/kamusm-pcsc-helper-setup.exe
[ -x $host ] && [ -f $deb ] || { echo "packages.sh: run tests/build-helper.sh first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "packages.sh: needs root (dpkg, another user)" >&2; exit 1; }
work=$(mktemp -d /tmp/kamusm-packages.XXXXXX)
chmod 0755 "$work"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
check() { # check DESCRIPTION COMMAND...: the command succeeds
    local what=$1
    shift
    if "$@" > "$work/out" 2>&1; then
        passed=$((passed + 1))
        echo "ok - $what"
    else
        failed=$((failed + 1))
        echo "not ok - $what"
        sed 's/^/#   /' "$work/out"
    fi
}

# A host manifest naming `program`, for the extension only (node reads it as JSON).
manifest_names() {
    node -e '
      const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const ok = m.name === process.argv[2] && m.type === "stdio" && m.path === process.argv[3] &&
        JSON.stringify(m.allowed_origins) === JSON.stringify([`chrome-extension://${process.argv[4]}/`]);
      if (!ok) { console.error(JSON.stringify(m)); process.exit(1); }' "$1" "$name" "$2" "$id"
}
# The program refuses to run for anyone but the extension (exit 2, the usage on stderr).
refuses_strangers() {
    local code=0
    "$@" > "$work/refused" 2>&1 || code=$?
    [ $code -eq 2 ] && grep -q "meant to be run by hand" "$work/refused"
}
absent() {
    for path in "$@"; do [ ! -e "$path" ] || { echo "still there: $path"; return 1; }; done
}

# --- install-linux.sh for one browser profile ---------------------------------------------------
profile=$work/profile
bash helper/install-linux.sh --user-data-dir "$profile" --program-dir "$profile/bin" --host $host > /dev/null
check "install-linux.sh --user-data-dir: the profile's manifest names the program" \
    manifest_names "$profile/NativeMessagingHosts/$name.json" "$profile/bin/kamusm-pcsc-host"
check "... and the program refuses to run for anyone but the extension" \
    refuses_strangers "$profile/bin/kamusm-pcsc-host"
bash helper/install-linux.sh --user-data-dir "$profile" --program-dir "$profile/bin" --uninstall > /dev/null
check "install-linux.sh --user-data-dir --uninstall: the manifest goes, the program stays" \
    bash -c "[ ! -e '$profile/NativeMessagingHosts/$name.json' ] && [ -x '$profile/bin/kamusm-pcsc-host' ]"

# --- install-linux.sh for a user (not root) -------------------------------------------------------
home=$work/home
mkdir -p "$home"
cp $host "$work/kamusm-pcsc-host"
cp -r helper "$work/helper"
chown -R nobody "$home" "$work/helper"
as_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$home" XDG_CONFIG_HOME= "$@"; }
as_user bash "$work/helper/install-linux.sh" --host "$work/kamusm-pcsc-host" > /dev/null
user_program=$home/.local/lib/kamusm-pcsc-helper/kamusm-pcsc-host
for browser in google-chrome chromium microsoft-edge; do
    check "install-linux.sh as a user: $browser's manifest in ~/.config" \
        manifest_names "$home/.config/$browser/NativeMessagingHosts/$name.json" "$user_program"
done
check "... the program in ~/.local/lib, owned by the user" bash -c "[ \"\$(stat -c %U '$user_program')\" = nobody ]"
as_user bash "$work/helper/install-linux.sh" --uninstall > /dev/null
check "install-linux.sh --uninstall as a user: all of it gone" absent "$user_program" \
    "$home/.config/google-chrome/NativeMessagingHosts/$name.json" \
    "$home/.config/chromium/NativeMessagingHosts/$name.json"

# --- the Debian package ---------------------------------------------------------------------------
program=/usr/lib/kamusm-pcsc-helper/kamusm-pcsc-host
if dpkg-query -W kamusm-pcsc-helper > /dev/null 2>&1; then
    echo "packages.sh: kamusm-pcsc-helper is installed on this machine; remove it first" >&2
    exit 1
fi
check "dpkg -i: the package installs" dpkg -i $deb
check "... its program runs and refuses strangers" refuses_strangers $program
for dir in /etc/opt/chrome /etc/chromium /etc/opt/edge; do
    check "... $dir's host manifest names the program" \
        manifest_names "$dir/native-messaging-hosts/$name.json" $program
done
for dir in /usr/share/google-chrome/extensions /usr/share/chromium/extensions; do
    check "... $dir offers the extension from the Chrome Web Store" \
        grep -q '"external_update_url": "https://clients2.google.com/service/update2/crx"' "$dir/$id.json"
done
check "dpkg -r: the program goes" bash -c "dpkg -r kamusm-pcsc-helper && [ ! -e $program ]"
check "dpkg -P: the manifests go" bash -c "dpkg -P kamusm-pcsc-helper && [ ! -e /etc/chromium/native-messaging-hosts/$name.json ]"

# --- the Windows installer under Wine -------------------------------------------------------------
if $windows; then
    export WINEPREFIX=$work/wine WINEDEBUG=-all
    wine=/usr/lib/wine/wine64
    reg_value() { $wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' | awk -v v="$2" '$1 == v {$1 = $2 = ""; sub(/^ +/, ""); print}'; }
    reg_default() { $wine reg query "$1" 2>/dev/null | tr -d '\r' | sed -n 's/^ *(Default) *REG_SZ *//p'; }
    dir="$WINEPREFIX/drive_c/Program Files/KamuSM/Kart Yardimcisi"
    check "the Windows installer runs silently (/S) under Wine" $wine $setup /S
    for browser in 'Google\Chrome' 'Chromium' 'Microsoft\Edge'; do
        check "... HKLM\\Software\\$browser\\NativeMessagingHosts names the manifest" bash -c \
            "[ \"\$(cat)\" = 'C:\\Program Files\\KamuSM\\Kart Yardimcisi\\$name.json' ]" \
            <<<"$(reg_default "HKLM\\Software\\$browser\\NativeMessagingHosts\\$name")"
    done
    check "... Chrome is offered the extension (Wow6432Node\\Google\\Chrome\\Extensions)" bash -c \
        "[ \"\$(cat)\" = 'https://clients2.google.com/service/update2/crx' ]" \
        <<<"$(reg_value "HKLM\\Software\\Wow6432Node\\Google\\Chrome\\Extensions\\$id" update_url)"
    check "... the manifest names the installed program" manifest_names "$dir/$name.json" \
        'C:\Program Files\KamuSM\Kart Yardimcisi\kamusm-pcsc-host.exe'
    check "... the Windows program refuses strangers under Wine" refuses_strangers $wine "$dir/kamusm-pcsc-host.exe"
    # Chrome's framing through Wine's standard streams: garbage answered, the end of input ends it.
    exchange() {
        node -e '
          const { spawnSync } = require("child_process");
          const body = Buffer.from("not json");
          const head = Buffer.alloc(4);
          head.writeUInt32LE(body.length);
          const run = spawnSync(process.argv[1], [process.argv[2], `chrome-extension://${process.argv[3]}/`],
                                { input: Buffer.concat([head, body]), timeout: 60000 });
          const out = run.stdout;
          const answer = JSON.parse(out.subarray(4, 4 + out.readUInt32LE(0)).toString());
          if (run.status !== 0 || answer.id !== null || answer.error.name !== "SyntaxError") {
            console.error(run.status, out.toString(), run.stderr.toString());
            process.exit(1);
          }' "$wine" "$dir/kamusm-pcsc-host.exe" "$id"
    }
    check "... the Windows program answers Chrome's framing and ends with its input" exchange
    $wine "$dir/uninstall.exe" /S
    for _ in $(seq 100); do [ -e "$dir/kamusm-pcsc-host.exe" ] || break; sleep 0.1; done
    check "the uninstaller removes the program and the registry keys" bash -c \
        "[ ! -e '$dir/kamusm-pcsc-host.exe' ] && [ -z \"\$(cat)\" ]" \
        <<<"$(reg_default "HKLM\\Software\\Google\\Chrome\\NativeMessagingHosts\\$name")"
    /usr/lib/wine/wineserver -k 2> /dev/null || true
fi

echo "# packages: $passed passed, $failed failed"
[ $failed -eq 0 ]
