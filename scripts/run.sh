#!/usr/bin/env bash
# Installs what is missing, builds Release and starts `dialogue serve` on 127.0.0.1:8080 with an
# embedded RocksDB under ./data. On first run it makes development tokens, prints them once and
# keeps only their SHA-256 in ./dev-tokens.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh release

tokens_file="${DIALOGUE_TOKENS:-./dev-tokens.json}"
if [[ ! -f "$tokens_file" ]]; then
  echo "Creating development tokens in $tokens_file (shown once, stored only as SHA-256):"
  entries=()
  add() {  # actor roles-json extra-json
    local token hash
    token=$(openssl rand -hex 24)
    hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
    entries+=("{\"token_sha256\":\"$hash\",\"actor\":\"$1\",\"roles\":$2${3:+,$3}}")
    printf '  %-14s %s\n' "$1" "$token"
  }
  add sec-dev '["secretariat"]'
  add president-dev '["president"]'
  add bureau-dev '["bureau"]'
  add auditor-dev '["auditor"]'
  add integration-dev '["integration"]'
  (IFS=,; printf '{"tokens":[%s]}\n' "${entries[*]}") >"$tokens_file"
  chmod 600 "$tokens_file"
fi

mkdir -p ./data
exec ./build/release/dialogue serve --data ./data --listen "${DIALOGUE_LISTEN:-127.0.0.1:8080}" \
  --tokens "$tokens_file"
