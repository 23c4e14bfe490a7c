#!/usr/bin/env bash
# Builds the browser app (kamusm_app.wasm + .js) with each optimisation level Emscripten offers
# for size or speed, with and without LTO, and prints the bytes as built and as brotli and gzip
# would send them (the same settings tests/build-web.sh uses). The variants share one build
# folder, build/wasm-size, reconfigured for each: what a change of flags touches is rebuilt
# (about 45 minutes in all on a busy 2-core machine; bench/results/2026-12-06-wasm-size.md).
# VARIANTS="-Oz ON" builds just that one.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
bash tests/fetch-sources.sh
# "<optimisation level> <LTO of the third-party code: ON/OFF>"
variants=(${VARIANTS:+"$VARIANTS"})
((${#variants[@]})) || variants=("-Oz ON" "-Oz OFF" "-Os ON" "-Os OFF" "-O3 ON" "-O3 OFF")
echo "| level | LTO (ImGui, mbedTLS) | wasm bytes | js bytes | wasm + js brotli | wasm + js gzip |"
echo "|---|---|---|---|---|---|"
dir=build/wasm-size
for variant in "${variants[@]}"; do
    read -r level lto <<<"$variant"
    emcmake cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKAMUSM_TESTS=OFF \
        "-DKAMUSM_WASM_OPTIMIZE=$level" "-DKAMUSM_WASM_LTO=$lto" >build/wasm-size.log 2>&1 ||
        { cat build/wasm-size.log; exit 1; }
    cmake --build "$dir" --target kamusm_app -j2 >>build/wasm-size.log 2>&1 ||
        { tail -30 build/wasm-size.log; exit 1; }
    wasm=$(stat -c %s "$dir/kamusm_app.wasm")
    js=$(stat -c %s "$dir/kamusm_app.js")
    brotli=$(($(brotli --best -c "$dir/kamusm_app.wasm" | wc -c) + $(brotli --best -c "$dir/kamusm_app.js" | wc -c)))
    gzip=$(($(gzip --best -c "$dir/kamusm_app.wasm" | wc -c) + $(gzip --best -c "$dir/kamusm_app.js" | wc -c)))
    echo "| $level | $lto | $wasm | $js | $brotli | $gzip |"
done
