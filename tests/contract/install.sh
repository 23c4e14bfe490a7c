#!/usr/bin/env bash
# Installs tests/contract's npm packages (pinned by package-lock.json) unless they are there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[[ -d "$here/node_modules/@apidevtools/swagger-parser" && -d "$here/node_modules/ajv" &&
   -d "$here/node_modules/js-yaml" ]] || (cd "$here" && npm ci --no-audit --no-fund)
