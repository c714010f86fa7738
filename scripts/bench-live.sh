#!/usr/bin/env bash
# Live updates' benchmark (issue 20), on SQLite and PostgreSQL: 1,000 event streams open on
# one service, 30 approvals, the time from each approval to its event on the first and the
# last stream (p50, p99), and the service's memory per stream. A benchmark, not a test: it
# prints figures and asserts no time.
#   BENCH_STREAMS=1000 BENCH_ROUNDS=30 scripts/bench-live.sh
# PostgreSQL: COMMENTS_BENCH_POSTGRES names a database to use (emptied by the service's
# migrations only; a fresh one is best); else the throwaway server of scripts/postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p comment-service --bench live --no-run
echo "== live on sqlite"
env -u BENCH_DATABASE cargo bench -q -p comment-service --bench live
if [ -n "${COMMENTS_BENCH_POSTGRES:-}" ]; then
  echo "== live on postgres"
  BENCH_DATABASE="$COMMENTS_BENCH_POSTGRES" cargo bench -q -p comment-service --bench live
else
  source scripts/tools.sh
  source scripts/postgres.sh
  trap 'stop_test_postgres' EXIT
  start_test_postgres
  echo "== live on postgres"
  BENCH_DATABASE="$COMMENTS_TEST_POSTGRES" cargo bench -q -p comment-service --bench live
fi
