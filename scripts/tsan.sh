#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer (preset tsan, g++), docs/reliability.md. Any data
# race fails the run.
# - The engine's: group commit, concurrent appenders and idempotency keys, commit listeners and
#   WaitForCommit, appenders meeting a disk fault, and the position waits (commits and the
#   deadline thread answering waiters while a writer commits).
# - The subscription hub's: its fan-out thread, catch-up threads and the server's io threads,
#   with subscribers connecting, stalling, draining and leaving (resuming with Last-Event-ID)
#   while 8 writers commit, and the total bound on what stalled subscribers hold. They run on the
#   in-memory store, so every thread they meet is instrumented (Debian's RocksDB is not, which
#   is why the RocksDB store's own tree readers are not in this run).
# - The projector's: its thread folding commits and telling observers while the test appends,
#   reads and removes an observer.
#
#   scripts/tsan.sh [ENGINE-SPEC [API-SPEC [PROJECTIONS-SPEC]]]   Catch test specs; defaults below
set -euo pipefail
cd "$(dirname "$0")/.."
engine_spec="${1:-[threads],*listener*,WaitForCommit*,[position_waits]}"
api_spec="${2:-[subscription]}"
projections_spec="${3:-[projector]}"

scripts/install-deps.sh
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target engine_tests subscription_tsan_tests projections_tests
# halt_on_error: the first race fails the run; second_deadlock_stack: both stacks of a
# lock-order inversion.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
build/tsan/tests/engine/engine_tests "$engine_spec"
build/tsan/tests/api/subscription_tsan_tests "$api_spec"
build/tsan/tests/projections/projections_tests "$projections_spec"
