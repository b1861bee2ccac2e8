#!/usr/bin/env bash
# A throwaway Redis Cluster on loopback: 3 masters + 3 replicas, for the
# cluster tests and the fan-out benchmark.
#
#   scripts/redis-cluster.sh start [BASE_PORT]   # ports BASE..BASE+5 (default 7001)
#   scripts/redis-cluster.sh stop  [BASE_PORT]   # stops exactly the servers it started, by pid
#   scripts/redis-cluster.sh nodes [BASE_PORT]   # prints REDIS_CLUSTER_NODES for the tests
#
# BASE_PORT may also come from REDIS_CLUSTER_PORT. Data, logs and pid files go
# to a directory under $TMPDIR (or /tmp) named after the base port; `stop`
# removes it. cluster-node-timeout is short (REDIS_CLUSTER_NODE_TIMEOUT, default
# 1000 ms) so a crashed master fails over within a few seconds.
set -euo pipefail

cmd="${1:-}"
base="${2:-${REDIS_CLUSTER_PORT:-7001}}"
node_timeout="${REDIS_CLUSTER_NODE_TIMEOUT:-1000}"
dir="${TMPDIR:-/tmp}/keyward-redis-cluster-${base}"
ports=()
for i in 0 1 2 3 4 5; do ports+=("$((base + i))"); done

die() { echo "redis-cluster: $*" >&2; exit 1; }

nodes() {
  local out=()
  for p in "${ports[@]}"; do out+=("127.0.0.1:${p}"); done
  (IFS=,; echo "${out[*]}")
}

start_node() {
  local port="$1" d="$dir/$1"
  mkdir -p "$d"
  redis-server --port "$port" --bind 127.0.0.1 --protected-mode no \
    --cluster-enabled yes --cluster-config-file "$d/nodes.conf" \
    --cluster-node-timeout "$node_timeout" --cluster-replica-validity-factor 0 \
    --appendonly no --save "" --dir "$d" --logfile "$d/redis.log" \
    --enable-debug-command local --repl-diskless-sync-delay 0 \
    --daemonize yes --pidfile "$d/redis.pid"
}

wait_ping() {
  local port="$1"
  for _ in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "node on port $port did not start (see $dir/$port/redis.log)"
}

case "$cmd" in
  start)
    command -v redis-server >/dev/null || die "redis-server is not installed"
    for p in "${ports[@]}"; do
      if redis-cli -h 127.0.0.1 -p "$p" ping >/dev/null 2>&1; then die "port $p is already in use"; fi
    done
    rm -rf "$dir"
    mkdir -p "$dir"
    for p in "${ports[@]}"; do start_node "$p"; done
    for p in "${ports[@]}"; do wait_ping "$p"; done
    hosts=()
    for p in "${ports[@]}"; do hosts+=("127.0.0.1:${p}"); done
    redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
      { cat "$dir/create.log" >&2; die "cluster create failed"; }
    for _ in $(seq 1 200); do
      ok=1
      for p in "${ports[@]}"; do
        redis-cli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null | grep -q "cluster_state:ok" || ok=0
      done
      [ "$ok" = 1 ] && break
      sleep 0.05
    done
    [ "$ok" = 1 ] || die "cluster did not reach state ok"
    # healthy means replicated: wait until every replica's link to its master is up
    for _ in $(seq 1 200); do
      up=0
      for p in "${ports[@]}"; do
        redis-cli -h 127.0.0.1 -p "$p" info replication 2>/dev/null | grep -q "master_link_status:up" && up=$((up + 1))
      done
      [ "$up" -ge 3 ] && break
      sleep 0.05
    done
    [ "$up" -ge 3 ] || die "replicas did not finish their first sync"
    echo "redis-cluster: up on $(nodes) (data in $dir)"
    ;;
  restart-node)
    # restarts one node of a running cluster after a crash (its nodes.conf makes it rejoin)
    port="${3:?restart-node BASE_PORT PORT}"
    start_node "$port"
    wait_ping "$port"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    for p in "${ports[@]}"; do
      pidfile="$dir/$p/redis.pid"
      [ -f "$pidfile" ] || continue
      pid="$(cat "$pidfile")"
      # only a redis-server we started: the pid file is ours and the process is redis-server
      if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "redis-server" ]; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null || true
      fi
    done
    rm -rf "$dir"
    ;;
  nodes)
    nodes
    ;;
  *)
    die "usage: $0 start|stop|nodes [BASE_PORT]  (or restart-node BASE_PORT PORT)"
    ;;
esac
