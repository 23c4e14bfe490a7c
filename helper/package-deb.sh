#!/usr/bin/env bash
# Builds the Debian package of the KamuSM card helper: package-deb.sh VERSION HOST OUTPUT.deb
#   /usr/lib/kamusm-pcsc-helper/kamusm-pcsc-host            the native messaging host
#   /etc/opt/chrome, /etc/chromium, /etc/opt/edge …/native-messaging-hosts/tr.gov.kamusm.pcsc_helper.json
#   /usr/share/google-chrome/extensions/<id>.json, /usr/share/chromium/extensions/<id>.json
#                                                            the extension, offered from the Chrome
#                                                            Web Store (an "external extension")
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: package-deb.sh VERSION HOST OUTPUT.deb" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
version=$1 host=$2 output=$3
root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
name=tr.gov.kamusm.pcsc_helper
program=/usr/lib/kamusm-pcsc-helper/kamusm-pcsc-host
id=$(bash "$here/host-manifest.sh" --id)

install -D -m 0755 "$host" "$root$program"
strip --strip-unneeded "$root$program"
conffiles=()
for dir in /etc/opt/chrome/native-messaging-hosts /etc/chromium/native-messaging-hosts \
    /etc/opt/edge/native-messaging-hosts; do
    mkdir -p "$root$dir"
    bash "$here/host-manifest.sh" "$program" > "$root$dir/$name.json"
    conffiles+=("$dir/$name.json")
done
for dir in /usr/share/google-chrome/extensions /usr/share/chromium/extensions; do
    mkdir -p "$root$dir"
    echo '{ "external_update_url": "https://clients2.google.com/service/update2/crx" }' \
        > "$root$dir/$id.json"
done
install -D -m 0644 /dev/stdin "$root/usr/share/doc/kamusm-pcsc-helper/copyright" <<TEXT
The KamuSM card helper: the native messaging host of the KamuSM e-signature PIN wizard.
It relays the PIN wizard's PC/SC requests from the KamuSM pages to pcscd, and refuses every
command that would use the card's PUK.
TEXT

mkdir -p "$root/DEBIAN"
printf '%s\n' "${conffiles[@]}" > "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/control" <<CONTROL
Package: kamusm-pcsc-helper
Version: $version
Architecture: amd64
Maintainer: KamuSM e-imza PIN sihirbazı <bilgi@kamusm.gov.tr>
Depends: libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libpcsclite1
Recommends: pcscd
Section: utils
Priority: optional
Installed-Size: $(du -sk "$root" | cut -f1)
Description: KamuSM card helper: lets the KamuSM online pages reach the card reader
 The native messaging host of the KamuSM e-signature PIN wizard for Google Chrome, Chromium
 and Microsoft Edge. With the KamuSM browser extension, the wizard in the KamuSM online
 operations page reaches the e-signature card through pcscd. It passes on no command that
 uses the card's PUK.
CONTROL
mkdir -p "$(dirname "$output")"
dpkg-deb --root-owner-group -Zxz --build "$root" "$output" > /dev/null
echo "package-deb: $output"
