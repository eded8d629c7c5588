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
plain_file="${tokens_file%.json}.local.json"
if [[ ! -f "$tokens_file" ]]; then
  echo "Creating development tokens: the server's $tokens_file keeps only their SHA-256;"
  echo "the tokens themselves are in $plain_file (mode 600, for development only):"
  umask 077
  entries=()
  plain=()
  add() {  # name actor roles-json [extra-json]
    local token hash
    token=$(openssl rand -hex 24)
    hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
    entries+=("{\"token_sha256\":\"$hash\",\"actor\":\"$2\",\"roles\":$3${4:+,$4}}")
    plain+=("\"$1\":\"$token\"")
    printf '  %-16s %-22s %s\n' "$1" "$2" "$token"
  }
  add secretariat sec-dev '["secretariat"]'
  add president president-dev '["president"]'
  add bureau bureau-dev '["bureau"]'
  add auditor auditor-dev '["auditor"]'
  add integration integration-dev '["integration"]'
  # The cast of scripts/demo.sh: two Working Groups, two States, three NGOs.
  for group in wg-tip wg-som; do
    add "$group" "$group-chair" '["working_group"]' "\"working_group\":\"$group\""
  done
  for state in freedonia ruritania; do
    add "state-$state" "$state-rep" '["state"]' "\"stakeholder\":\"$state\""
  done
  for ngo in ngo-lastrada ngo-hope ngo-shelter; do
    add "$ngo" "$ngo-rep" '["stakeholder"]' "\"stakeholder\":\"$ngo\""
  done
  (IFS=,; printf '{"tokens":[%s]}\n' "${entries[*]}") >"$tokens_file"
  (IFS=,; printf '{%s}\n' "${plain[*]}") >"$plain_file"
  echo "Try it: scripts/demo.sh --url http://${DIALOGUE_LISTEN:-127.0.0.1:8080} --tokens $plain_file"
fi

mkdir -p ./data
exec ./build/release/api/dialogue serve --data ./data --listen "${DIALOGUE_LISTEN:-127.0.0.1:8080}" \
  --tokens "$tokens_file"
