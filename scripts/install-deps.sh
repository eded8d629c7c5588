#!/usr/bin/env bash
# Installs exactly the Debian packages Dialogue's build, tests and scripts need.
# Fast and quiet when everything is present; run as root (or with sudo available).
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git
  libboost-dev librocksdb-dev nlohmann-json3-dev catch2 libssl-dev
  libcli11-dev libhowardhinnant-date-dev libexpected-dev prometheus-cpp-dev
  libjemalloc-dev  # the allocator of the dialogue executable and the benchmarks
  # The relay to NATS JetStream (app/relay.cpp, `serve --nats`): the C client, and the server
  # its tests start on loopback (tests/app/relay_test.cpp).
  libnats-dev nats-server
  iso-codes tzdata ca-certificates curl openssl clang-format
  jq nodejs
  prometheus  # its promtool checks /metrics in the tests (tests/api/server_process_test.cpp)
  dpkg-dev systemd  # scripts/package.sh: cpack's dpkg-shlibdeps, systemd-analyze verify
  chromium  # scripts/console-test.sh drives /usr/bin/chromium headless (playwright-core from npm)
  # scripts/fuzz.sh: clang and its libFuzzer runtime (only recommended by clang-14, so named).
  clang libclang-rt-14-dev
)
if [[ "${1:-}" == "--bench" ]]; then
  # scripts/bench.sh: wrk (HTTP load) and postgresql (PostgreSQL 15 with initdb, pg_ctl and
  # pgbench); NATS JetStream, its other peer, is in the list above.
  packages+=(wrk postgresql)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# scripts/lint-openapi.sh installs its linter with npm (it needs Node.js >= 20.19): Debian ships
# npm apart from nodejs, while NodeSource's nodejs package carries it (and conflicts with Debian's).
command -v npm >/dev/null || missing+=(npm)
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
