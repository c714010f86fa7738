#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the storage suite. Sourced by scripts/test.sh.
# start_test_postgres installs Debian's postgresql when it is missing, starts a private
# cluster in a temporary folder on a free port and exports COMMENTS_TEST_POSTGRES; when any
# step fails it says why and leaves the variable unset (the suite then runs on SQLite only).
# stop_test_postgres stops it and removes the folder.

PG_TEST_DIR=""
PG_BIN=""

pg_as_owner() { # command… (PostgreSQL refuses to run as root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_test_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$PG_BIN" ]; then
    echo "[postgres] installing Debian's postgresql package"
    if ! { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null; }; then
      echo "[postgres] not available: the package could not be installed"; return 0
    fi
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  [ -x "$PG_BIN/initdb" ] || { echo "[postgres] not available: no initdb"; return 0; }
  PG_TEST_DIR=$(mktemp -d /tmp/article-widget-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_TEST_DIR"
  local port
  for port in $(seq 55432 55532); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1; then
    echo "[postgres] not available: initdb failed ($(tail -n 1 "$PG_TEST_DIR/initdb.log"))"; return 0
  fi
  # fsync off: a test server, thrown away afterwards; durability is tested on SQLite.
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 30 \
       -o "-p $port -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
    echo "[postgres] not available: the server did not start ($(tail -n 1 "$PG_TEST_DIR/server.log"))"; return 0
  fi
  if ! pg_as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres comments_test; then
    echo "[postgres] not available: createdb failed"; return 0
  fi
  export COMMENTS_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/comments_test"
  echo "[postgres] test server on 127.0.0.1:$port"
}

stop_test_postgres() {
  [ -n "$PG_TEST_DIR" ] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
  PG_TEST_DIR=""
}
