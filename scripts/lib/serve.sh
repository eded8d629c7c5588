# shellcheck shell=bash
# Sourced by the scripts that drive a real server (console-test.sh, crash-test.sh, demo.sh).
#
#   start_dialogue BINARY DATA_DIR TOKENS_FILE STDOUT_FILE STDERR_FILE [TIMEOUT_S [ARGS...]]
#
# Starts `BINARY serve` on DATA_DIR, a free port of 127.0.0.1 and TOKENS_FILE, with stdout to
# STDOUT_FILE (truncated) and stderr appended to STDERR_FILE, then waits (TIMEOUT_S, default 30)
# for its "listening on HOST:PORT" line. Sets server_pid and server_address (HOST:PORT). Returns 1
# with server_address empty when the server exited or did not listen in time (server_pid is then
# still set when it is alive, for the caller's cleanup to kill).

# shellcheck disable=SC2034  # server_pid and server_address are for the caller
start_dialogue() {
  local binary=$1 data=$2 tokens=$3 out=$4 err=$5 timeout=${6:-30}
  shift $(($# < 6 ? $# : 6))
  server_address=""
  : >"$out"
  "$binary" serve --data "$data" --listen 127.0.0.1:0 --tokens "$tokens" "$@" >"$out" 2>>"$err" &
  server_pid=$!
  local line i tries=$((timeout * 20))
  for ((i = 0; i < tries; i++)); do
    if line="$(grep -m1 '^listening on ' "$out")"; then
      server_address="${line#listening on }"
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" 2>/dev/null || true
      server_pid=""
      return 1
    fi
    sleep 0.05
  done
  return 1
}
