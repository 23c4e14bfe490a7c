#!/usr/bin/env bash
# Installs what building and testing need on Debian 12 / Ubuntu (as root, or through sudo).
# --windows adds the desktop helper's Windows build and its tests: the mingw-w64 cross
# toolchain, NSIS, and Wine to run the installer and the program.
set -euo pipefail
packages=(cmake ninja-build g++ clang libclang-rt-14-dev pkg-config doctest-dev
          nlohmann-json3-dev libmbedtls-dev libusb-1.0-0-dev libcpp-httplib-dev
          libsqlite3-dev emscripten nodejs fonttools fonts-dejavu-core chromium dpkg-dev
          xz-utils brotli node-terser pcsc-tools pcscd libpcsclite-dev vsmartcard-vpcd openssl
          # tests/pcsc/doctor.sh reads pinctl doctor's JSON with Python
          python3
          # kamusm-server: Boost.Beast, libpq and PostgreSQL 15 (its tests start their own
          # cluster), zlib; wrk for bench/server-load.sh
          libboost-dev libpq-dev postgresql-15 zlib1g-dev wrk)
[ "${1:-}" != --windows ] || packages+=(g++-mingw-w64-x86-64-posix nsis wine64)
missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ $status == *"ok installed"* ]] || missing+=("$package")
done
# npm: Debian's package, unless the node in use already brings its own.
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
