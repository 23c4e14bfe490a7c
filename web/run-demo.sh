#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine, builds, and starts the reference backend in demo mode
# (seeded holder 10000000146, /demo routes) serving the built web app: the printed URL shows the
# page stand-in with the app, /shell/ the kiosk page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup-debian.sh
cmake --preset release
cmake --build --preset release --target kamusm-server pinctl
# The desktop helper (host, extension, Debian package): the reader step offers its download.
bash tests/build-helper.sh
bash tests/build-web.sh
data="${KAMUSM_DEMO_DATA:-build/demo-data}"
mkdir -p "$data"
exec build/release/kamusm-server --demo --port "${PORT:-8080}" --data-dir "$data" \
    --sms-outbox-file "$data/sms-outbox.txt" --static-dir build/web
