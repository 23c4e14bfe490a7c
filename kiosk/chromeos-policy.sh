#!/usr/bin/env bash
# Writes the ChromeOS kiosk settings for the KamuSM Isolated Web App, as JSON, for the Web Bundle
# ID and update manifest URL given: what the Google Admin console sets for a managed kiosk
# (device policy) and for the app (user/app policy).
# Usage: kiosk/chromeos-policy.sh WEB_BUNDLE_ID UPDATE_MANIFEST_URL [USB_VID:PID ...]
#
# - IsolatedWebAppInstallForceList installs the app (ChromeOS 128+; from Chrome 143 policy and
#   kiosk installs need the Web Bundle ID on Google's IWA allowlist).
# - DeviceLocalAccounts type 5 (kiosk Isolated Web App, Chromium's
#   DeviceLocalAccountType::kKioskIsolatedWebApp) with DeviceLocalAccountAutoLoginId starts it
#   as the kiosk session.
# - SmartCardConnectAllowedForUrls lets it use the card through the Web Smart Card API without
#   asking; the Smart Card Connector (ExtensionInstallForcelist) is ChromeOS's PC/SC stack.
# - WebUsbAllowDevicesForUrls grants the readers named (VID:PID hex) for the direct-USB path.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 WEB_BUNDLE_ID UPDATE_MANIFEST_URL [VID:PID ...]" >&2; exit 2; }
id=$1
update=$2
shift 2
[[ $id =~ ^[a-z2-7]{56}$ ]] || { echo "chromeos-policy: not a Web Bundle ID: $id" >&2; exit 2; }
[[ $update == https://* ]] || { echo "chromeos-policy: the update manifest URL must be https" >&2; exit 2; }
origin="isolated-app://$id"
devices=""
for device in "${@:-072F:B100}"; do
    [[ $device =~ ^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$ ]] || { echo "chromeos-policy: not VID:PID: $device" >&2; exit 2; }
    devices+="${devices:+, }{ \"vendor_id\": $((16#${device%:*})), \"product_id\": $((16#${device#*:})) }"
done
cat <<JSON
{
  "device": {
    "DeviceLocalAccounts": [
      { "account_id": "kamusm-pin-kiosk", "type": 5,
        "web_bundle_id": "$id", "update_manifest_url": "$update" }
    ],
    "DeviceLocalAccountAutoLoginId": "kamusm-pin-kiosk",
    "DeviceLocalAccountAutoLoginDelay": 0
  },
  "app": {
    "IsolatedWebAppInstallForceList": [
      { "web_bundle_id": "$id", "update_manifest_url": "$update" }
    ],
    "SmartCardConnectAllowedForUrls": ["$origin"],
    "ExtensionInstallForcelist": [
      "khpfeaanjngmcnplbdlpegiifgpfgdco;https://clients2.google.com/service/update2/crx"
    ],
    "WebUsbAllowDevicesForUrls": [
      { "devices": [$devices], "urls": ["$origin"] }
    ]
  }
}
JSON
