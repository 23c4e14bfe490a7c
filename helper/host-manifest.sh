#!/usr/bin/env bash
# Prints the native messaging host manifest of the KamuSM card helper for the program at $1 (an
# absolute path), or with --id only the extension id allowed to start it: the first 32 hex
# digits of SHA-256 over the public key in extension/manifest.json, written a–p.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
key=$(sed -n 's/^ *"key": *"\([^"]*\)".*/\1/p' "$here/extension/manifest.json")
[ -n "$key" ] || { echo "host-manifest.sh: no key in $here/extension/manifest.json" >&2; exit 1; }
id=$(printf '%s' "$key" | base64 -d | sha256sum | cut -c1-32 | tr 0-9a-f a-p)
if [ "${1:-}" = --id ]; then
    echo "$id"
    exit 0
fi
[[ ${1:-} == /* ]] || { echo "usage: host-manifest.sh /absolute/path/to/kamusm-pcsc-host | --id" >&2; exit 2; }
cat <<JSON
{
  "name": "tr.gov.kamusm.pcsc_helper",
  "description": "KamuSM e-imza kart yardımcısı (PC/SC)",
  "path": "$1",
  "type": "stdio",
  "allowed_origins": ["chrome-extension://$id/"]
}
JSON
