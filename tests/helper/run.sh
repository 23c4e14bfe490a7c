#!/usr/bin/env bash
# The desktop helper against the real pcscd with vpcd's virtual reader (tests/pcsc/rig.sh): the
# host alone (host.test.mjs), then the page, the extension and the host together in headless
# Chromium (tests/browser/helper.e2e.mjs; not with --host-only). The tests start and stop the
# virtual card themselves.
# Needs root (pcscd), the native build and, for the browser part, tests/build-web.sh and
# tests/build-helper.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/pcsc/rig.sh
trap rig_stop EXIT
rig_start_pcscd
export KAMUSM_HOST=${KAMUSM_HOST:-$RIG_BUILD/kamusm-pcsc-host}
export KAMUSM_VPCD_CARD=$RIG_CARD KAMUSM_VPCD_PORT=$RIG_VPCD_PORT
node --test --test-concurrency=1 tests/helper/host.test.mjs
if [[ "${1:-}" != --host-only ]]; then
    KAMUSM_SERVER=${KAMUSM_SERVER:-$RIG_BUILD/kamusm-server} bash tests/browser/run.sh helper.e2e.mjs
fi
