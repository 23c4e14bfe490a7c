#!/usr/bin/env bash
# Builds the desktop helper into build/helper: the native messaging host (kamusm-pcsc-host,
# release build), the unpacked extension (extension/), and the installers the site offers in
# downloads/: the Debian package, and with --windows the Windows host cross-compiled with
# mingw-w64 (windows/kamusm-pcsc-host.exe) and its NSIS installer.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/helper
windows=false
[ "${1:-}" != --windows ] || windows=true
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' helper/extension/manifest.json)

cmake --preset release > /dev/null
cmake --build --preset release --target kamusm-pcsc-host
mkdir -p $out/downloads
install -m 0755 build/release/kamusm-pcsc-host $out/kamusm-pcsc-host
rm -rf $out/extension
cp -r helper/extension $out/extension

bash helper/package-deb.sh "$version" $out/kamusm-pcsc-host $out/downloads/kamusm-pcsc-helper_amd64.deb

if $windows; then
    cmake -S . -B build/windows -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake \
        -DCMAKE_BUILD_TYPE=Release > /dev/null
    # clang's objects and MinGW's libstdc++ name some type-info sections differently: ld warns
    # "duplicate section … has different size" for each, harmlessly. The log is shown on failure.
    cmake --build build/windows > build/windows/build.log 2>&1 || { cat build/windows/build.log; exit 1; }
    mkdir -p $out/windows
    cp build/windows/kamusm-pcsc-host.exe $out/windows/
    makensis -V2 -DVERSION="$version" -DEXTENSION_ID="$(bash helper/host-manifest.sh --id)" -DHOST="$PWD/$out/windows/kamusm-pcsc-host.exe" \
        -DOUTFILE="$PWD/$out/downloads/kamusm-pcsc-helper-setup.exe" helper/windows/installer.nsi
fi
echo "build-helper: $out ($(cd $out && ls downloads | tr '\n' ' '))"
