#!/usr/bin/env bash
# Installs what is missing, builds the `dialogue` server alone in Release (not the tests nor the
# benchmarks: a few minutes on a fresh machine) and starts `dialogue serve` on 127.0.0.1:8080 with
# an embedded RocksDB under ./data. On first run it makes development tokens (the Secretariat, the
# President, the Bureau, an auditor, an integration, and scripts/demo.sh's cast): the server's
# ./dev-tokens.json keeps only their SHA-256; the tokens are printed and kept in
# ./dev-tokens.local.json (mode 600) so that `scripts/demo.sh --url URL --tokens FILE` can use them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target dialogue

tokens_file="${DIALOGUE_TOKENS:-./dev-tokens.json}"
# shellcheck source=scripts/lib/dev_tokens.sh
source scripts/lib/dev_tokens.sh
make_dev_tokens "$tokens_file" "http://${DIALOGUE_LISTEN:-127.0.0.1:8080}"

mkdir -p ./data
exec ./build/release/api/dialogue serve --data ./data --listen "${DIALOGUE_LISTEN:-127.0.0.1:8080}" \
  --tokens "$tokens_file"
