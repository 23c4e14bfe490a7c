#!/usr/bin/env bash
# Builds the Isolated Web App: build/iwa/app/ (the app's files with
# .well-known/manifest.webmanifest) and build/iwa/kamusm-pin.swbn, a Signed Web Bundle made with
# npm's wbn and wbn-sign (iwa/package-lock.json) and signed with an Ed25519 key. The last line
# is "web-bundle-id: <id>" (shared/spec/interfaces.md).
#
# KAMUSM_IWA_KEY_FILE      the production signing key (Ed25519, PEM; never committed). Without it
#                          a development key is generated into build/iwa-dev-key.pem once.
# KAMUSM_IWA_API_BASE      the backend the app calls over https (default the KamuSM page's origin)
# KAMUSM_IWA_UPDATE_BASE   where KamuSM hosts update.json and the bundles (README: the IWA)
# KAMUSM_IWA_OUT           the output folder (default build/iwa)
set -euo pipefail
cd "$(dirname "$0")/.."
api_base="${KAMUSM_IWA_API_BASE:-https://onlineislemler.kamusm.gov.tr}"
update_base="${KAMUSM_IWA_UPDATE_BASE:-https://onlineislemler.kamusm.gov.tr/pin-iwa}"
out="${KAMUSM_IWA_OUT:-build/iwa}"
[[ $api_base == https://* ]] || { echo "build-iwa: KAMUSM_IWA_API_BASE must be https:// (IWAs reach https: only)" >&2; exit 2; }

[[ -f build/web/kamusm_app.wasm ]] || bash tests/build-web.sh
[[ -d iwa/node_modules/wbn-sign ]] || (cd iwa && npm ci --no-audit --no-fund >/dev/null)

key="${KAMUSM_IWA_KEY_FILE:-build/iwa-dev-key.pem}"
if [[ -z ${KAMUSM_IWA_KEY_FILE:-} && ! -f $key ]]; then
    mkdir -p build
    (umask 077 && openssl genpkey -algorithm ed25519 -out "$key")
fi
[[ -r $key ]] || { echo "build-iwa: cannot read the signing key $key" >&2; exit 2; }

version=$(sed -n 's/^project(kamusm_pin .*VERSION \([0-9.]*\)).*/\1/p' CMakeLists.txt)
app="$out/app"
rm -rf "$app"
mkdir -p "$app/.well-known" "$app/icons"
cp build/web/kamusm_app.js build/web/kamusm_app.wasm build/web/kamusm_demo.js build/web/kamusm_demo.wasm build/web/app.js build/web/page.css \
    build/web/help.html build/web/kamusm-page.css \
    shell/shell.css iwa/index.html "$app/"
node iwa/make-icon.mjs "$app/icons/icon-256.png"
sed -i "s|@API_BASE@|$api_base|" "$app/index.html"
bash tests/stamp-integrity.sh "$app" "$app/index.html"
# The manifest (WICG isolated-web-apps): permissions_policy features are off unless granted.
cat >"$app/.well-known/manifest.webmanifest" <<MANIFEST
{
  "name": "KamuSM PIN İşlemleri",
  "short_name": "KamuSM PIN",
  "description": "E-imza kartınızın PIN'ini oluşturun, değiştirin veya kilidini çözün.",
  "lang": "tr",
  "id": "/",
  "start_url": "/",
  "scope": "/",
  "display": "standalone",
  "version": "$version",
  "update_manifest_url": "$update_base/update.json",
  "icons": [{ "src": "/icons/icon-256.png", "sizes": "256x256", "type": "image/png" }],
  "permissions_policy": {
    "usb": ["self"],
    "usb-unrestricted": ["self"],
    "smart-card": ["self"],
    "cross-origin-isolated": ["self"]
  }
}
MANIFEST

id=$(node iwa/build-bundle.mjs "$app" "$key" "$out/kamusm-pin.swbn")
# What KamuSM serves at update_manifest_url: the versions and where their bundles are.
cat >"$out/update.json" <<UPDATE
{ "versions": [{ "version": "$version", "src": "$update_base/kamusm-pin-$version.swbn" }] }
UPDATE
# The ChromeOS kiosk's settings for this build (README: the kiosk).
bash kiosk/chromeos-policy.sh "$id" "$update_base/update.json" >"$out/chromeos-kiosk-policy.json"
echo "build-iwa: $out/kamusm-pin.swbn ($(stat -c %s "$out/kamusm-pin.swbn") bytes), version $version"
echo "web-bundle-id: $id"
