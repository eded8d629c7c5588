#!/usr/bin/env bash
# Fails when a source file differs from .clang-format's layout.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.hpp')
[[ -z "$files" ]] && exit 0
clang-format --dry-run --Werror $files
