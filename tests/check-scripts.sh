#!/usr/bin/env bash
# Refuses shell pipelines whose last command may stop reading early (grep -q, grep -m, head):
# under `set -o pipefail` the writer then dies with EPIPE/SIGPIPE only when it is still
# writing, so the pipeline fails at random. Write the output to a variable or file first.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='\|[[:space:]]*(head\b|grep[[:space:]]+(-[[:alnum:]]*[qm]|--quiet|--max-count))'
scripts=$(find . -path ./build -prune -o -path '*/node_modules' -prune -o \
    \( -name '*.sh' -o -path './.ci/*' \) -type f -print)
found=$(grep -nE "$pattern" $scripts || true)
if [[ -n $found ]]; then
    printf '%s\n' "$found"
    echo "check-scripts: a pipe into a reader that may stop early; see the comment in $0" >&2
    exit 1
fi
echo "check-scripts: $(wc -w <<<"$scripts") scripts without early-closing pipes"
