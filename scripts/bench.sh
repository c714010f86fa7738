#!/usr/bin/env bash
# The comment service's load check (not a test): concurrent posters for a fixed time, on
# SQLite and, when a server can be started, PostgreSQL. Prints comments per second, p50/p99
# latency, and whether every 201 is in the database exactly once.
#   BENCH_POSTERS=16 BENCH_SECONDS=10 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
source scripts/postgres.sh
trap stop_test_postgres EXIT
cargo bench -p comment-service --bench load
start_test_postgres
if [ -n "${COMMENTS_TEST_POSTGRES:-}" ]; then
  BENCH_DATABASE=$COMMENTS_TEST_POSTGRES cargo bench -p comment-service --bench load
fi
