#!/usr/bin/env bash
# The Debian package of the server (docs/operations.md, "Installing as a service"): builds the
# dialogue binary in the release preset and runs cpack there; prints the .deb's path.
#
#   scripts/package.sh           build the package (build/release/dialogue_<version>_<arch>.deb)
#   scripts/package.sh --check   and install it with dpkg -i, check that /usr/bin/dialogue runs
#                                and that systemd-analyze verify accepts the unit (the CI's step;
#                                the unit is not started: systemd need not be PID 1 here)
#   --build-dir DIR              package that build instead (the CI packages its Debug build
#                                rather than spend minutes on a Release one)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
build_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --check) check=1 ;;
    --build-dir) build_dir="$2"; shift ;;
    *) echo "usage: scripts/package.sh [--check] [--build-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done

scripts/install-deps.sh
if [[ -z "$build_dir" ]]; then
  build_dir=build/release
  cmake --preset release >/dev/null
fi
cmake --build "$build_dir" --target dialogue >&2
rm -f "$build_dir"/dialogue_*.deb
(cd "$build_dir" && cpack -G DEB >&2)
version=$(sed -n 's/^project(dialogue VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb=$(ls "$build_dir"/dialogue_"$version"_*.deb)
[[ $check -eq 0 ]] && { echo "$deb"; exit 0; }

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
fail() { echo "package: $*" >&2; exit 1; }
# What the package holds, and its control files.
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/dialogue ./usr/lib/systemd/system/dialogue.service ./lib/systemd/system/dialogue.service \
            ./etc/dialogue/dialogue.conf; do
  [[ "$contents" == *"$path"* ]] && echo "  holds $path"
done
[[ "$contents" == *"./usr/bin/dialogue"* ]] || fail "no /usr/bin/dialogue in $deb"
[[ "$contents" == *"./etc/dialogue/dialogue.conf"* ]] || fail "no /etc/dialogue/dialogue.conf in $deb"
[[ "$(dpkg-deb -I "$deb" conffiles)" == *"/etc/dialogue/dialogue.conf"* ]] ||
  fail "the config file is not a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
[[ "$depends" == *librocksdb* ]] || fail "Depends lacks librocksdb: $depends"
echo "  Depends: $depends"

$sudo dpkg -i "$deb" >/dev/null
installed=$(/usr/bin/dialogue --version)
[[ "$installed" == "dialogue $version" ]] || fail "/usr/bin/dialogue --version says '$installed'"
echo "  $installed"
unit=$(dpkg -L dialogue | grep '/dialogue.service$')
systemd-analyze verify "$unit" || fail "systemd-analyze verify refuses $unit"
echo "  systemd-analyze verify accepts $unit"
# The config file as packaged is one serve reads: serve --config with a tokens file, at port 0.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"tokens":[]}' > "$work/tokens.json"
sed -e "s|/var/lib/dialogue|$work|g" -e "s|/etc/dialogue/tokens.json|$work/tokens.json|" \
    -e 's|127.0.0.1:8080|127.0.0.1:0|' /etc/dialogue/dialogue.conf > "$work/dialogue.conf"
/usr/bin/dialogue serve --config "$work/dialogue.conf" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/out" 2>/dev/null && break
  sleep 0.1
done
grep -q '^listening on ' "$work/out" || { cat "$work/err" >&2; kill "$pid" 2>/dev/null; fail "serve --config did not start"; }
kill -TERM "$pid"
wait "$pid" || fail "serve --config did not stop cleanly on SIGTERM"
[[ -d "$work/data" ]] || fail "serve --config did not use the configured data folder"
echo "  serve --config /etc/dialogue/dialogue.conf (paths moved to a temporary folder) starts and stops"
echo "$deb"
