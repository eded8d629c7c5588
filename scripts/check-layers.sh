#!/usr/bin/env bash
# Fails when an include points the wrong way: engine <- workflows <- projections <- app <- api;
# audit/ includes none of them.
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
check engine workflows projections app api
check workflows projections app api
check projections app api
# The application layer knows nothing of HTTP.
check app api
# Inside api/: the HTTP server knows no route, and no route knows the command line.
check api/http api/routes api/console api/cli
check api/routes api/console api/cli
check api/console api/cli
if grep -rn --include='*.cpp' --include='*.hpp' '#include <boost/' app; then
  echo "error: app/ must not include Boost (Beast, Asio): it knows nothing of HTTP" >&2
  status=1
fi
# The auditor's verifier is written apart from the server it checks (docs/audit.md).
check audit engine workflows projections app api
# Test doubles (tests/support, dialogue::testing) stay out of production.
check engine tests
check workflows tests
check projections tests
check app tests
check api tests
exit $status
