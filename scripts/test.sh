#!/usr/bin/env bash
# Runs every test. Installs what is missing first (see scripts/tools.sh), skips what is there.
#   1. native: the pure core, the article contract, component structure (Yew SSR), and the
#      comment service (HTTP and storage suites on SQLite and on PostgreSQL, which it installs
#      and starts on loopback: scripts/postgres.sh; when that fails, the run stops saying why)
#   2. browser: the widget in headless Chromium against tools/fixture-server on 127.0.0.1
#   3. release: the Trunk release build (wasm-opt -Oz) and its size
#   4. end to end: the release build served by the comment service, embedded in the demo and
#      in the host pages of static/host/ (hostile CSS, lazy loading, strict CSP, the div form,
#      another origin), driven in headless Chromium by playwright-core (tests/e2e/; each file
#      starts its own service on a fresh database: tests/e2e/service.mjs)
#   5. WordPress: Debian's WordPress with MariaDB on loopback (scripts/wordpress.sh), read and
#      written by the widget in headless Chromium (tests/e2e/wordpress.test.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
source scripts/postgres.sh
source scripts/wordpress.sh
# Each step says how long the one before it took, and the end prints them all (the README's
# timings come from these lines).
STEP_NAME=""
STEP_START=$SECONDS
TIMINGS=()
step() {
  if [ -n "$STEP_NAME" ]; then TIMINGS+=("$(printf '%4ds  %s' $((SECONDS - STEP_START)) "$STEP_NAME")"); fi
  STEP_NAME="$*"
  STEP_START=$SECONDS
  if [ -n "$*" ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; fi
}
report_timings() {
  step ""
  printf '\n\033[1m== time per step\033[0m\n'
  printf '%s\n' "${TIMINGS[@]}"
  printf '%4ds  in all\n' "$SECONDS"
}

SECONDS=0
step "installing what is missing (scripts/tools.sh)"
ensure_all

step "fetching crates"
cargo fetch --quiet

SERVER_LOG=$(mktemp)
# Runs at exit whatever happened; a process that is already gone is not a failure (under
# `set -e` a failed `kill` here would turn a green run into exit status 1).
cleanup() {
  if [ -n "${SERVER_PID:-}" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -f "$SERVER_LOG"
  stop_test_postgres
  stop_test_wordpress
}
trap cleanup EXIT

step "native tests: widget core and components"
cargo test --workspace --exclude comment-service --quiet

step "native tests: comment service (HTTP and storage suites)"
start_test_postgres || { echo "stopping: the storage and HTTP suites must run on PostgreSQL too (see above)" >&2; exit 1; }
# --show-output: the storage suite says which engines it ran on.
cargo test -p comment-service --quiet -- --show-output

step "browser tests (headless Chromium)"
cargo build --quiet -p fixture-server
start_fixture_server() { # [dist]
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  : > "$SERVER_LOG"
  ./target/debug/fixture-server 127.0.0.1:0 "$@" > "$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q '^http://' "$SERVER_LOG" && break; sleep 0.1; done
  FIXTURES=$(grep -m1 '^http://' "$SERVER_LOG") || { cat "$SERVER_LOG"; exit 1; }
}
start_fixture_server
export ARTICLE_WIDGET_FIXTURES=$FIXTURES
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300}
cargo test --target wasm32-unknown-unknown --test browser --test browser_comments

step "release build (trunk, wasm-opt -Oz) and its size budget"
trunk build --release --offline
scripts/size-report.sh dist

step "end-to-end: the release build embedded in pages, in headless Chromium (playwright-core)"
(cd tests/e2e && npm install --no-audit --no-fund --loglevel=error)
# Each test file starts its own comment service on a fresh database (tests/e2e/service.mjs),
# allowing the fixture server as a second origin; one that does not start fails its file
# with the service's log.
export E2E_FIXTURES=$FIXTURES
(cd tests/e2e && node --test --test-concurrency=1 --test-timeout=120000 $(ls *.test.mjs | grep -v '^wordpress'))

step "WordPress and MariaDB: install if missing, start on loopback, write the test site (scripts/wordpress.sh)"
start_test_wordpress

step "end-to-end against that WordPress: its posts, pages and comments in the widget, posting to it"
(cd tests/e2e && node --test --test-concurrency=1 --test-timeout=120000 wordpress.test.mjs)
report_timings
