# shellcheck shell=bash
# Sourced by run.sh and cluster.sh.
#
#   make_dev_tokens TOKENS_FILE URL
#
# On first use makes development tokens (the Secretariat, the President, the Bureau, an auditor,
# an integration, and scripts/demo.sh's cast): TOKENS_FILE keeps only their SHA-256; the tokens
# are printed and kept in TOKENS_FILE's *.local.json (mode 600) so that
# `scripts/demo.sh --url URL --tokens FILE` can use them. Does nothing when TOKENS_FILE exists.
make_dev_tokens() {
  local tokens_file=$1 url=$2
  local plain_file="${tokens_file%.json}.local.json"
  [[ -f "$tokens_file" ]] && return 0
  echo "Creating development tokens: the server's $tokens_file keeps only their SHA-256;"
  echo "the tokens themselves are in $plain_file (mode 600, for development only):"
  local old_umask
  old_umask=$(umask)
  umask 077
  local entries=() plain=()
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
  local group state ngo
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
  umask "$old_umask"
  echo "Try it: scripts/demo.sh --url $url --tokens $plain_file"
}
