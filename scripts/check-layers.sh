#!/usr/bin/env bash
# Fails when an include points the wrong way: engine <- workflows <- projections <- api.
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
exit $status
