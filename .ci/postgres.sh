#!/usr/bin/env bash
# Start (or stop) a throw-away PostgreSQL server on loopback for the test suite.
# Usage: .ci/postgres.sh start|stop [DATA_DIR] [PORT]   — prints the DATABASE_URL on start.
set -euo pipefail
action=${1:-start}
data=${2:-/tmp/fagflyt-pg}
port=${3:-55432}

bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && bin=$d; done
if [ -z "$bin" ]; then
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq postgresql) >&2
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && bin=$d; done
fi
run_as=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  run_as=(runuser -u postgres --)
fi

case "$action" in
  start)
    if [ ! -s "$data/PG_VERSION" ]; then
      mkdir -p "$data"
      [ "$(id -u)" = "0" ] && chown postgres "$data"
      "${run_as[@]}" "$bin/initdb" -D "$data" -U fagflyt --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! "${run_as[@]}" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      "${run_as[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=200" start >/dev/null
    fi
    echo "postgresql+psycopg://fagflyt@127.0.0.1:$port/postgres"
    ;;
  stop)
    "${run_as[@]}" "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
