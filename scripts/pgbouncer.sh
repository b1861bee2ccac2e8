#!/usr/bin/env bash
# A PgBouncer in transaction pooling mode in front of the local PostgreSQL,
# for the tests that check the change feed behind a pooler.
#
#   scripts/pgbouncer.sh start [PORT]   # default 6432 (or PGBOUNCER_PORT)
#   scripts/pgbouncer.sh stop  [PORT]   # stops exactly the PgBouncer it started, by pid
#   scripts/pgbouncer.sh url   [PORT]   # prints PGBOUNCER_URL for the tests
#
# The upstream server is PGBOUNCER_UPSTREAM_HOST:PGBOUNCER_UPSTREAM_PORT
# (default 127.0.0.1:5432, trust auth, user postgres). Config, log and pid file
# go to a directory under $TMPDIR (or /tmp) named after the port. PgBouncer
# refuses to run as root: as root, it runs as the `postgres` user.
set -euo pipefail

cmd="${1:-}"
port="${2:-${PGBOUNCER_PORT:-6432}}"
up_host="${PGBOUNCER_UPSTREAM_HOST:-127.0.0.1}"
up_port="${PGBOUNCER_UPSTREAM_PORT:-5432}"
dir="${TMPDIR:-/tmp}/keyward-pgbouncer-${port}"

die() { echo "pgbouncer: $*" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    command -v pgbouncer >/dev/null || die "pgbouncer is not installed (apt-get install pgbouncer)"
    rm -rf "$dir"
    mkdir -p "$dir"
    cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=${up_host} port=${up_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${dir}/users.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 10
ignore_startup_parameters = extra_float_digits,application_name,options
logfile = ${dir}/pgbouncer.log
pidfile = ${dir}/pgbouncer.pid
EOF
    echo '"postgres" ""' >"$dir/users.txt"
    [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
    as_owner pgbouncer -d "$dir/pgbouncer.ini"
    for _ in $(seq 1 100); do
      [ -s "$dir/pgbouncer.pid" ] && pg_isready -q -h 127.0.0.1 -p "$port" && break
      sleep 0.05
    done
    pg_isready -q -h 127.0.0.1 -p "$port" || { cat "$dir/pgbouncer.log" >&2 || true; die "did not start on port $port"; }
    echo "pgbouncer: transaction pooling on 127.0.0.1:${port} -> ${up_host}:${up_port}"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/pgbouncer.pid" ]; then
      pid="$(cat "$dir/pgbouncer.pid")"
      if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "pgbouncer" ]; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null || true
      fi
    fi
    rm -rf "$dir"
    ;;
  url)
    echo "postgres://postgres@127.0.0.1:${port}/test"
    ;;
  *)
    die "usage: $0 start|stop|url [PORT]"
    ;;
esac
