#!/usr/bin/env bash
# Installs what is missing, builds (preset dev, or the one named), runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
