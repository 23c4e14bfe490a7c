#!/usr/bin/env bash
# Fetches the pinned Dear ImGui and mbedTLS source packages from Debian's main archive for the
# WebAssembly build, checks them against the SHA-256 values below and unpacks them into
# build/third_party/{imgui,mbedtls}. A private apt configuration in a temp dir adds the deb-src
# entry; the system's sources stay untouched. Nothing is copied into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/third_party

# package  version  upstream tarball  SHA-256 (as in the archive's Sources index and the .dsc)
pins=(
    "imgui 1.86+ds-1 imgui_1.86+ds.orig.tar.xz 0dace0e8e57d298eb6e93af12dc19420cb96330832f6495c733b90aeeef11f64"
    "mbedtls 2.28.3-1 mbedtls_2.28.3.orig.tar.gz 3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d"
)

missing=()
for pin in "${pins[@]}"; do
    read -r package _ _ sha <<<"$pin"
    [[ "$(cat "$out/$package/.source-sha256" 2>/dev/null)" == "$sha" ]] || missing+=("$pin")
done
((${#missing[@]})) || exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/download"
echo "deb-src http://deb.debian.org/debian bookworm main" >"$tmp/sources.list"
# apt checks the archive's signature with the system's keyring; the lists and caches stay in $tmp.
apt_private=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$tmp/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
# As root apt downloads as _apt, which cannot write into the private temp dir.
((EUID)) || apt_private+=(-o APT::Sandbox::User=root)
apt-get "${apt_private[@]}" -qq update

for pin in "${missing[@]}"; do
    read -r package version tarball sha <<<"$pin"
    (cd "$tmp/download" && apt-get "${apt_private[@]}" -qq source --download-only "$package=$version")
    echo "$sha  $tmp/download/$tarball" | sha256sum --check --quiet ||
        { echo "fetch-sources: $tarball does not match its pinned SHA-256" >&2; exit 1; }
    rm -rf "${out:?}/$package"
    mkdir -p "$out/$package"
    tar -xf "$tmp/download/$tarball" -C "$out/$package" --strip-components=1
    echo "$sha" >"$out/$package/.source-sha256"
    echo "fetch-sources: $package $version -> $out/$package"
done
