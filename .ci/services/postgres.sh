#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server (Debian `postgresql`) on 127.0.0.1 at a free port and
# exports MAMORI_TEST_DATABASE_URL (and MAMORI_TEST_PGDATA, to stop it: pg_ctl -D … stop).
# Sourced by .ci/run; the console's vitest global setup runs it when the variable is unset.
if [ -z "${MAMORI_TEST_DATABASE_URL:-}" ]; then
  __pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$__pg_bin" ]; then
    echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
    return 1 2>/dev/null || exit 1
  fi
  __pg_dir=$(mktemp -d /tmp/mamori-pg.XXXXXX)
  __pg_port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  __pg_run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$__pg_dir"
  __pg_run "'$__pg_bin/initdb' -D '$__pg_dir/data' -U postgres --auth=trust -E UTF8 --no-sync >'$__pg_dir/initdb.log' 2>&1" || { cat "$__pg_dir/initdb.log" >&2; return 1 2>/dev/null || exit 1; }
  __pg_run "'$__pg_bin/pg_ctl' -D '$__pg_dir/data' -l '$__pg_dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $__pg_port -k '$__pg_dir' -c fsync=off -c max_connections=200\" start >/dev/null" || { cat "$__pg_dir/server.log" >&2; return 1 2>/dev/null || exit 1; }
  export MAMORI_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$__pg_port/postgres"
  export MAMORI_TEST_PGDATA="$__pg_dir/data"
  export MAMORI_TEST_PGBIN="$__pg_bin"
  echo "postgres.sh: PostgreSQL on 127.0.0.1:$__pg_port ($__pg_dir)"
  unset -f __pg_run
fi
