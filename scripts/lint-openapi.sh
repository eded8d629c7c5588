#!/usr/bin/env bash
# Lints docs/openapi.yaml with Redocly CLI (npm package @redocly/cli, pinned below), installed
# under build/npm on first use; redocly.yaml and .redocly.lint-ignore.yaml hold its settings.
# Needs Node.js >= 20.19 and npm (scripts/install-deps.sh installs nodejs).
set -euo pipefail
cd "$(dirname "$0")/.."
version=2.77.0
prefix=build/npm
redocly="$prefix/node_modules/.bin/redocly"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
if [[ ! -x "$redocly" ]] || [[ "$("$redocly" --version 2>/dev/null | tail -1)" != "$version" ]]; then
  command -v npm >/dev/null || { echo "lint-openapi: npm is missing (scripts/install-deps.sh)" >&2; exit 2; }
  mkdir -p "$prefix"
  npm install --no-save --no-audit --no-fund --silent --prefix "$prefix" "@redocly/cli@$version"
fi
"$redocly" lint docs/openapi.yaml --config redocly.yaml --format stylish
