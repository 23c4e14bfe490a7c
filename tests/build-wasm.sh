#!/usr/bin/env bash
# Builds the core and the app with Emscripten (Dear ImGui and mbedTLS from pinned Debian
# sources) and runs the core's smoke check and the browser bridges' check under node.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's Emscripten optimiser needs Debian's node modules when node is not Debian's own.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
bash tests/fetch-sources.sh
emcmake cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release -DKAMUSM_TESTS=OFF > build-wasm.log 2>&1 ||
    { cat build-wasm.log; exit 1; }
rm -f build-wasm.log
cmake --build build/wasm
node_flags=""
node --help | grep -q -- --no-experimental-fetch && node_flags="--no-experimental-fetch"
node $node_flags build/wasm/kamusm_core_check.js
node $node_flags build/wasm/kamusm_bridge_check.js
