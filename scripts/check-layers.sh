#!/usr/bin/env bash
# Fails when an include points the wrong way: engine <- workflows <- projections <- api; audit/
# includes none of them.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
check() {  # folder, forbidden layers...
  local dir=$1; shift
  for layer in "$@"; do
    if grep -rn --include='*.cpp' --include='*.hpp' "#include \"$layer/" "$dir"; then
      echo "error: $dir must not include $layer/" >&2
      status=1
    fi
  done
}
check engine workflows projections api
check workflows projections api
check projections api
# The auditor's verifier is written apart from the server it checks (docs/audit.md).
check audit engine workflows projections api
exit $status
