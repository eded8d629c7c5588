#!/usr/bin/env bash
# End-to-end tests of the console (docs/console.md): a real `dialogue serve` on loopback, on a
# fresh data folder with a tokens file, driven through headless Chromium (/usr/bin/chromium, the
# Debian package) by playwright-core from npm (pinned in tests/console/package-lock.json,
# installed under tests/console/node_modules on first use). Screenshots go to
# <build dir>/console-screenshots/.
# Usage: scripts/console-test.sh [--build-dir build/dev]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build/dev
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR]" >&2; exit 2 ;;
  esac
done
binary="$build_dir/api/dialogue"
[[ -x "$binary" ]] || { echo "console-test: no $binary (build first)" >&2; exit 2; }
[[ -x /usr/bin/chromium ]] || { echo "console-test: /usr/bin/chromium is missing (scripts/install-deps.sh)" >&2; exit 2; }
command -v npm >/dev/null || { echo "console-test: npm is missing (scripts/install-deps.sh)" >&2; exit 2; }

# playwright-core, exactly as locked; never its browser downloads.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NO_UPDATE_NOTIFIER=1
version=$(jq -r '.packages["node_modules/playwright-core"].version' tests/console/package-lock.json)
installed=$(jq -r .version tests/console/node_modules/playwright-core/package.json 2>/dev/null || true)
if [[ "$installed" != "$version" ]]; then
  npm ci --no-audit --no-fund --silent --prefix tests/console
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dialogue-console-test.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# One random token per caller; the server gets their SHA-256 only.
declare -A tokens
entries=()
add_token() {  # name actor role [key value]
  local name=$1 actor=$2 role=$3 token
  token=$(openssl rand -hex 24)
  tokens[$name]=$token
  local extra=""
  [[ $# -ge 5 ]] && extra=",\"$4\":\"$5\""
  entries+=("{\"token_sha256\":\"$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)\",\"actor\":\"$actor\",\"roles\":[\"$role\"]$extra}")
}
add_token sec sec-ana secretariat
add_token president pres-li president
add_token bureau bur-eva bureau
add_token wg wg-tip-chair working_group working_group wg-tip
add_token auditor aud-bo auditor
add_token state at-rep state stakeholder at
add_token ngo_a ngo-a-rep stakeholder stakeholder ngo-a
add_token ngo_b ngo-b-rep stakeholder stakeholder ngo-b
(IFS=,; printf '{"tokens":[%s]}\n' "${entries[*]}") > "$work/tokens.json"
tokens_json="{"
for name in "${!tokens[@]}"; do tokens_json+="\"$name\":\"${tokens[$name]}\","; done
tokens_json="${tokens_json%,}}"

source scripts/lib/serve.sh
start_dialogue "$binary" "$work/data" "$work/tokens.json" "$work/stdout" "$work/server.log" ||
  { echo "console-test: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
address=$server_address

screenshots="$build_dir/console-screenshots"
rm -rf "$screenshots"
mkdir -p "$screenshots"
status=0
DIALOGUE_URL="http://$address" DIALOGUE_TOKENS="$tokens_json" \
  SCREENSHOT_DIR="$(cd "$screenshots" && pwd)" \
  node --test --test-concurrency=1 tests/console/merkle.test.mjs tests/console/console.test.mjs ||
  status=$?
if [[ $status -ne 0 ]]; then
  echo "console-test: failed; the server's log:" >&2
  tail -50 "$work/server.log" >&2
fi
echo "console-test: screenshots in $screenshots"
exit $status
