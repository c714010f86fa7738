#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the storage and HTTP suites. Sourced by
# scripts/test.sh (after scripts/tools.sh, for `as_root`).
# PostgreSQL is an engine the README promises is tested, so it is not optional:
# start_test_postgres installs Debian's `postgresql` package when no server binaries are
# there (and only then), starts a private cluster in a temporary folder on a free port and
# exports COMMENTS_TEST_POSTGRES; when any step fails it says which and why and returns 1
# (scripts/test.sh then stops). stop_test_postgres stops it and removes the folder.
# PG_LIB_DIR (default /usr/lib/postgresql) is where Debian puts each major version's binaries.

PG_TEST_DIR=""
PG_BIN=""

pg_say() { printf '\033[1m[postgres]\033[0m %s\n' "$*" >&2; }

pg_as_owner() { # command… (PostgreSQL refuses to run as root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The newest installed server's bin folder, or nothing. A glob, not `ls`: under
# `set -euo pipefail` a failing `ls` in a pipeline ends the whole script without a word.
newest_pg_bin() {
  local dir found=()
  for dir in "${PG_LIB_DIR:-/usr/lib/postgresql}"/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then found+=("$dir"); fi
  done
  if [ ${#found[@]} -gt 0 ]; then printf '%s\n' "${found[@]}" | sort -V | tail -n 1; fi
}

ensure_postgres_packages() {
  PG_BIN=$(newest_pg_bin)
  if [ -n "$PG_BIN" ]; then return 0; fi
  pg_say "installing Debian's postgresql package (no server found in ${PG_LIB_DIR:-/usr/lib/postgresql})"
  local log
  log=$(mktemp)
  if ! { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql; } >"$log" 2>&1; then
    pg_say "cannot test PostgreSQL: installing the postgresql package failed:"
    tail -n 20 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  PG_BIN=$(newest_pg_bin)
  if [ -z "$PG_BIN" ]; then
    pg_say "cannot test PostgreSQL: the postgresql package is installed but ${PG_LIB_DIR:-/usr/lib/postgresql}/*/bin has no initdb and pg_ctl"
    return 1
  fi
}

start_test_postgres() {
  ensure_postgres_packages || return 1
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    pg_say "cannot test PostgreSQL: running as root, and there is no postgres user to run the server as (the package creates it)"
    return 1
  fi
  PG_TEST_DIR=$(mktemp -d /tmp/article-widget-pg.XXXXXX) || { pg_say "cannot test PostgreSQL: no temporary folder"; return 1; }
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_TEST_DIR"; fi
  local port
  for port in $(seq 55432 55532); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1; then
    pg_say "cannot test PostgreSQL: initdb failed:"; tail -n 5 "$PG_TEST_DIR/initdb.log" >&2; return 1
  fi
  # fsync off: a test server, thrown away afterwards; durability is tested on SQLite.
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 30 \
       -o "-p $port -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
    pg_say "cannot test PostgreSQL: the server did not start on 127.0.0.1:$port:"; tail -n 5 "$PG_TEST_DIR/server.log" >&2; return 1
  fi
  if ! pg_as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres comments_test >"$PG_TEST_DIR/createdb.log" 2>&1; then
    pg_say "cannot test PostgreSQL: createdb failed:"; cat "$PG_TEST_DIR/createdb.log" >&2; return 1
  fi
  export COMMENTS_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/comments_test"
  pg_say "test server $("$PG_BIN/postgres" --version 2>/dev/null) on 127.0.0.1:$port"
}

stop_test_postgres() {
  [ -n "$PG_TEST_DIR" ] || return 0
  if [ -n "$PG_BIN" ] && [ -f "$PG_TEST_DIR/data/postmaster.pid" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_TEST_DIR"
  PG_TEST_DIR=""
}
