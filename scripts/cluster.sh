#!/usr/bin/env bash
# Starts a whole cluster on this machine, for people to try (docs/cluster.md): three
# `nats-server` forming one JetStream cluster and three `dialogue serve --cluster` nodes over it,
# each with its own folder under ./cluster, the stream and the lease kept on all three NATS nodes.
# Prints every port and which node leads; Ctrl-C stops everything. Installs what is missing and
# builds the server first, as run.sh does.
#
#   scripts/cluster.sh [--base-port N]   (default 18000: NATS 18001-18003, routes 18011-18013,
#                                         Dialogue 18081-18083)
#
# Try: kill the leader's process (its pid is printed) and watch another node take over within
# the lease's TTL; start it again with the command printed, and it rejoins as a follower.
set -euo pipefail
cd "$(dirname "$0")/.."

base=18000
while (($#)); do
  case $1 in
    --base-port) base=$2; shift 2 ;;
    *) echo "usage: scripts/cluster.sh [--base-port N]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target dialogue
binary=./build/release/api/dialogue
nats_server=$(command -v nats-server || echo /usr/sbin/nats-server)

mkdir -p ./cluster
# shellcheck source=scripts/lib/dev_tokens.sh
source scripts/lib/dev_tokens.sh
make_dev_tokens ./cluster/dev-tokens.json "http://127.0.0.1:$((base + 81))"

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping the cluster"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

routes="nats://127.0.0.1:$((base + 11)),nats://127.0.0.1:$((base + 12)),nats://127.0.0.1:$((base + 13))"
clients="nats://127.0.0.1:$((base + 1)),nats://127.0.0.1:$((base + 2)),nats://127.0.0.1:$((base + 3))"
for i in 1 2 3; do
  "$nats_server" -js -n "nats-$i" -a 127.0.0.1 -p $((base + i)) -sd "./cluster/nats-$i" \
    --cluster_name dialogue --cluster "nats://127.0.0.1:$((base + 10 + i))" --routes "$routes" \
    >>"./cluster/nats-$i.log" 2>&1 &
  pids+=($!)
  echo "nats-$i      client port $((base + i)), route port $((base + 10 + i)), log ./cluster/nats-$i.log"
done

# JetStream needs its three nodes to elect a meta leader before a stream can be made.
for _ in $(seq 1 100); do
  if grep -qs "JetStream cluster new metadata leader\|Self is new JetStream cluster metadata leader" \
    ./cluster/nats-*.log; then
    break
  fi
  sleep 0.1
done

for i in 1 2 3; do
  node_args=(serve --data "./cluster/node-$i" --listen "127.0.0.1:$((base + 80 + i))"
    --tokens ./cluster/dev-tokens.json --cluster "$clients" --nats-replicas 3
    --ledger-origin cluster.local/ledger)
  mkdir -p "./cluster/node-$i"
  "$binary" "${node_args[@]}" >"./cluster/node-$i.out" 2>>"./cluster/node-$i.log" &
  pids+=($!)
  echo "dialogue-$i  http://127.0.0.1:$((base + 80 + i)) (pid $!), log ./cluster/node-$i.log"
  echo "             to start it again: $binary ${node_args[*]}"
done

auditor=$(sed -n 's/.*"auditor":"\([0-9a-f]*\)".*/\1/p' ./cluster/dev-tokens.local.json)
leader=""
for _ in $(seq 1 100); do
  for i in 1 2 3; do
    if curl -fsS -H "Authorization: Bearer $auditor" "http://127.0.0.1:$((base + 80 + i))/metrics" \
      2>/dev/null | grep -q '^dialogue_cluster_leading 1'; then
      leader=$i
    fi
  done
  [[ -n "$leader" ]] && break
  sleep 0.1
done
if [[ -n "$leader" ]]; then
  echo "dialogue-$leader leads: send commands to http://127.0.0.1:$((base + 80 + leader))" \
    "(the others answer 421 naming it)"
else
  echo "no node leads yet: see ./cluster/node-*.log" >&2
fi
echo "Ctrl-C stops the cluster."
wait
