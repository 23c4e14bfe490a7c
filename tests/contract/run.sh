#!/usr/bin/env bash
# The conformance kit: runs every rule of src/server/openapi.yaml and card-profile.md against a
# running implementation of the API (README "Backend contract" says what it needs).
#   tests/contract/run.sh BASE_URL --issuer-token FILE [--issuer-url URL]
# One line per rule ("ok   <rule>" / "FAIL <rule>: <why>"), then "<n> passed, <n> failed (<s> s)";
# exit status 1 when a rule failed, 2 on wrong usage.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/install.sh" >&2
exec node "$here/kit.mjs" "$@"
