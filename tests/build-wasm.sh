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
# Node 18+ fetches by itself and then cannot load Emscripten 3.1.6 output: turn that off where
# the flag exists. Asked of node itself, not of its --help through a pipe (grep -q closing the
# pipe early kills node with EPIPE, and pipefail then drops the flag at random).
# The wasm uses tail calls (CMakeLists.txt): standard from node 20, behind a flag in Debian 12's
# node 18, which accepts the flag as later ones do.
node_flags=""
node --no-experimental-fetch -e "" >/dev/null 2>&1 && node_flags="--no-experimental-fetch"
node --experimental-wasm-return_call -e "" >/dev/null 2>&1 && node_flags+=" --experimental-wasm-return_call"
node $node_flags build/wasm/kamusm_core_check.js
node $node_flags build/wasm/kamusm_bridge_check.js
