#!/usr/bin/env bash
# The engine's concurrency tests under ThreadSanitizer (preset tsan, g++): group commit,
# concurrent appenders and idempotency keys, commit listeners and WaitForCommit, appenders
# meeting a disk fault (docs/reliability.md). Any data race fails the run.
#
#   scripts/tsan.sh [CATCH-TEST-SPEC]     default: the cases tagged [threads] or about listeners
set -euo pipefail
cd "$(dirname "$0")/.."
spec="${1:-[threads],*listener*,WaitForCommit*}"

scripts/install-deps.sh
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target engine_tests
# halt_on_error: the first race fails the run; second_deadlock_stack: both stacks of a
# lock-order inversion.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
build/tsan/tests/engine/engine_tests "$spec"
