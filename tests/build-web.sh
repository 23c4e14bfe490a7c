#!/usr/bin/env bash
# Builds the browser app (Emscripten) from the pinned Debian sources of Dear ImGui and mbedTLS and
# puts everything the server's --static-dir needs into build/web.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's Emscripten optimiser needs Debian's node modules when node is not Debian's own.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
bash tests/fetch-sources.sh
build=build/wasm # the same build as tests/build-wasm.sh
if [[ ! -f $build/build.ninja ]]; then
    emcmake cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKAMUSM_TESTS=OFF \
        >build-web.log 2>&1 || { cat build-web.log; rm -f build-web.log; exit 1; }
    rm -f build-web.log
fi
cmake --build $build --target kamusm_app -j2
out=build/web
mkdir -p $out/shell
cp $build/kamusm_app.js $build/kamusm_app.wasm web/*.html web/*.js web/*.css $out/
cp shell/index.html shell/shell.css $out/shell/
# Subresource Integrity: the pages name the hashes of the scripts, styles and wasm they load.
bash tests/stamp-integrity.sh $out $out/index.html $out/embed-snippet.html
bash tests/stamp-integrity.sh $out/shell $out/shell/index.html
# The desktop helper's installers, offered at the reader step, when tests/build-helper.sh made them.
if [[ -d build/helper/downloads ]]; then
    mkdir -p $out/downloads
    cp build/helper/downloads/* $out/downloads/
fi
echo "build-web: $out ($(du -cb $out/kamusm_app.js $out/kamusm_app.wasm | tail -1 | cut -f1) bytes of js + wasm)"
