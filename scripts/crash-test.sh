#!/usr/bin/env bash
# The crash loop: acknowledged commands survive kill -9 exactly once (docs/reliability.md).
#
#   scripts/crash-test.sh CYCLES [--build-dir DIR] [--no-build] [--writers N] [--keep]
#
# Builds dialogue and dialogue_crash_client (in DIR, default build/dev, configured with the dev
# preset when missing), starts `dialogue serve` on a fresh store in a temporary folder and a free
# port of 127.0.0.1 with a secretariat token, then CYCLES times:
#   1. N writers (default 8) send commands, each with a unique id and Idempotency-Key, and log
#      every acknowledged one (key, id, position of the 201);
#   2. after a random 0.1-2.0 s the server is killed with SIGKILL;
#   3. `dialogue verify` checks the hash chain of the store as the crash left it;
#   4. the server starts again on the same store; the checker reads its signed checkpoint and
#      the whole log (GET /v1/events) and fails on a gap, a lost or repeated acknowledged event,
#      an event nobody sent, a checkpoint whose tree is not the tree of the log's events; then retries every unacknowledged command with its key (201 once, or 200 with the
#      original position) and checks again that each command is present exactly once.
# Exits non-zero with the violations printed on the first cycle that breaks a promise.
# --keep leaves the temporary folder (store, logs) in place for a post-mortem; --no-build runs the
# binaries already in DIR (api/dialogue, tests/crash/dialogue_crash_client) as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

cycles=""
build_dir="build/dev"
writers=8
keep=0
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --writers) writers="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *)
      [[ -z "$cycles" && "$1" =~ ^[0-9]+$ ]] || { echo "crash-test: unexpected $1" >&2; exit 2; }
      cycles="$1"; shift ;;
  esac
done
[[ -n "$cycles" && "$cycles" -ge 1 ]] || { echo "usage: scripts/crash-test.sh CYCLES [--build-dir DIR]" >&2; exit 2; }

if [[ $build -eq 1 ]]; then
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    scripts/install-deps.sh
    cmake --preset dev >/dev/null
    build_dir="build/dev"
  fi
  cmake --build "$build_dir" --target dialogue dialogue_crash_client >/dev/null
fi
dialogue="$build_dir/api/dialogue"
client="$build_dir/tests/crash/dialogue_crash_client"

work="$(mktemp -d -t dialogue-crash.XXXXXX)"
server_pid=""
writers_pid=""
cleanup() {
  [[ -n "$writers_pid" ]] && { kill "$writers_pid" 2>/dev/null || true; wait "$writers_pid" 2>/dev/null || true; }
  [[ -n "$server_pid" ]] && { kill -9 "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  if [[ $keep -eq 1 ]]; then echo "crash-test: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

token="$(openssl rand -hex 24)"
hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
printf '{"tokens":[{"token_sha256":"%s","actor":"sec-crash","roles":["secretariat"]}]}\n' "$hash" \
  >"$work/tokens.json"
mkdir -p "$work/logs"
port=""

fail() {
  echo "crash-test: FAILED in cycle $cycle: $*" >&2
  keep=1
  exit 1
}

source scripts/lib/serve.sh
start_server() {
  if start_dialogue "$dialogue" "$work/data" "$work/tokens.json" "$work/server.out" \
      "$work/server.err" 30; then
    port="${server_address##*:}"
    return 0
  fi
  [[ -n "$server_pid" ]] || fail "the server exited on start (see $work/server.err)"
  fail "the server did not listen within 30 s"
}

total_acked=0
cycle=0
start_server
for cycle in $(seq 1 "$cycles"); do
  "$client" write --port "$port" --token "$token" --dir "$work/logs" --cycle "$cycle" \
    --writers "$writers" >"$work/writers.out" 2>"$work/writers.err" &
  writers_pid=$!
  delay_ms=$((100 + RANDOM % 1900))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  status=0
  wait "$writers_pid" || status=$?
  writers_pid=""
  [[ $status -eq 0 ]] || fail "a writer got an answer other than 201: $(head -c 2000 "$work/writers.err")"
  acked="$(sed -n 's/^acknowledged //p' "$work/writers.out")"
  total_acked=$((total_acked + acked))

  verify_out="$("$dialogue" verify --data "$work/data" 2>&1)" || fail "dialogue verify after kill -9: $verify_out"

  start_server
  check_out="$("$client" check --port "$port" --token "$token" --dir "$work/logs" 2>&1)" ||
    fail "$check_out"
  echo "cycle $cycle: $acked acknowledged before kill -9; $verify_out; check $check_out"
done
kill -TERM "$server_pid"
wait "$server_pid" || fail "the server did not stop cleanly on SIGTERM"
server_pid=""
verify_out="$("$dialogue" verify --data "$work/data" 2>&1)" || fail "dialogue verify at the end: $verify_out"
echo "crash-test: $cycles cycles, $total_acked commands acknowledged before a kill -9, none lost or repeated; $verify_out"
