#!/usr/bin/env bash
# Builds the browser app (Emscripten) from the pinned Debian sources of Dear ImGui and mbedTLS and
# puts everything the server's --static-dir needs into build/web: the app (kamusm_app.*, no demo
# code), the demo module (kamusm_demo.*, loaded only when the backend is in demo mode), the pages,
# and a .br and a .gz of each text and wasm file, which kamusm-server sends as they are.
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
cmake --build $build --target kamusm_app kamusm_demo kamusm_floor -j2
out=build/web
mkdir -p $out/shell
cp $build/kamusm_app.js $build/kamusm_app.wasm $build/kamusm_demo.js $build/kamusm_demo.wasm web/*.html web/*.js web/*.css $out/
cp shell/index.html shell/shell.css $out/shell/
node cmake/minify-js.cjs $out/app.js $out/demo-page.js
# Subresource Integrity: the pages name the hashes of the scripts, styles and wasm they load.
bash tests/stamp-integrity.sh $out $out/index.html $out/embed-snippet.html
bash tests/stamp-integrity.sh $out/shell $out/shell/index.html
# The desktop helper's installers, offered at the reader step, when tests/build-helper.sh made them.
if [[ -d build/helper/downloads ]]; then
    mkdir -p $out/downloads
    cp build/helper/downloads/* $out/downloads/
fi
# The start-up floor for tests/browser/measure.mjs (bench/imgui-floor), served on its own, and
# beside it the app on a page as bare as the floor's (app.html; its server is a demo server too, so
# the app fetches its demo module there as well).
floor=build/floor
mkdir -p $floor
cp $build/kamusm_floor.js $build/kamusm_floor.wasm bench/imgui-floor/index.html bench/imgui-floor/floor.js $floor/
node cmake/minify-js.cjs $floor/floor.js
cp $out/kamusm_app.js $out/kamusm_app.wasm $out/kamusm_demo.js $out/kamusm_demo.wasm $out/app.js \
    bench/imgui-floor/app.html $floor/
# Precompressed siblings, made after the stamping (the pages' hashes are of the plain bytes, which
# is what the browser checks after decoding).
find $out $out/shell $floor -maxdepth 1 \( -name '*.br' -o -name '*.gz' \) -delete
find $out $out/shell $floor -maxdepth 1 -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.html' -o -name '*.css' \) |
    while read -r file; do
        brotli --best --keep --force "$file"
        gzip --best --keep --force --no-name "$file"
        # brotli keeps the time in whole seconds: the server would take the sibling as stale.
        touch --reference="$file" "$file.br" "$file.gz"
    done
echo "build-web: $out ($(du -cb $out/kamusm_app.js $out/kamusm_app.wasm | tail -1 | cut -f1) bytes of js + wasm," \
    "$(du -cb $out/kamusm_app.js.br $out/kamusm_app.wasm.br | tail -1 | cut -f1) as brotli)"
