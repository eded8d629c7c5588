#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset fuzz: clang, ASan+UBSan) and runs each for SECONDS,
# starting from its seed corpus in tests/fuzz/<harness>/ (docs/reliability.md).
#
#   scripts/fuzz.sh SECONDS [HARNESS...]     harnesses: command_request event_decode import_line
#                                            audit_checkpoint audit_event audit_http_response
#                                            audit_proof (default all)
#
# The audit_* harnesses (small parsers of a server's answers, audit/) run for a third of SECONDS
# (at least 1 s): `scripts/fuzz.sh 30` gives them 10 s each.
#
# New inputs that add coverage go to build/fuzz/corpus/<harness>/ (not to the seeds); a crash
# leaves its input as build/fuzz/crash-<harness>-* and fails the script. Prints each harness's
# executions.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || {
  echo "usage: scripts/fuzz.sh SECONDS [HARNESS...]" >&2
  exit 2
}
shift
harnesses=("$@")
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=(command_request event_decode import_line
  audit_checkpoint audit_event audit_http_response audit_proof)

seconds_of() {  # harness
  if [[ "$1" == audit_* ]]; then
    echo $((seconds / 3 > 0 ? seconds / 3 : 1))
  else
    echo "$seconds"
  fi
}

scripts/install-deps.sh
cmake --preset fuzz >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("dialogue_fuzz_$h"); done
cmake --build --preset fuzz --target "${targets[@]}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for h in "${harnesses[@]}"; do
  corpus="build/fuzz/corpus/$h"
  mkdir -p "$corpus"
  log="build/fuzz/$h.log"
  run_seconds="$(seconds_of "$h")"
  if "build/fuzz/tests/fuzz/dialogue_fuzz_$h" -max_total_time="$run_seconds" -max_len=16384 \
      -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/crash-$h-" "$corpus" "tests/fuzz/$h" >"$log" 2>&1; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    echo "fuzz $h: ${runs:-?} executions in ${run_seconds}s, no failure"
  else
    status=1
    echo "fuzz $h: FAILED (log: $log)" >&2
    grep -E "VIOLATION|ERROR|SUMMARY|runtime error" "$log" | head -20 >&2 || true
  fi
done
exit $status
