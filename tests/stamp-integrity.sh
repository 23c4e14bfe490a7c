#!/usr/bin/env bash
# Fills in Subresource Integrity hashes: every "@SRI <file>@" in the given HTML files becomes
# "sha384-<base64>" of <file>, relative to DIR (the folder the page is served from). The page
# then refuses a script, style or wasm that is not the one it was built with.
# Usage: tests/stamp-integrity.sh DIR FILE.html...
set -euo pipefail
dir="$1"
shift
for page in "$@"; do
    for name in $(grep -o '@SRI [^@]*@' "$page" | sed 's/^@SRI //; s/@$//' | sort -u); do
        [[ -f "$dir/$name" ]] || { echo "stamp-integrity: $page names $name, not in $dir" >&2; exit 1; }
        hash="sha384-$(openssl dgst -sha384 -binary "$dir/$name" | base64 -w0)"
        sed -i "s|@SRI $name@|$hash|g" "$page"
    done
done
