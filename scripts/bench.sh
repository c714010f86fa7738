#!/usr/bin/env bash
# The comment service's benchmarks (not tests), on SQLite and, when a server can be started,
# PostgreSQL: concurrent posters for a fixed time (comments per second, p50/p99 latency, and
# whether every 201 is in the database exactly once), then concurrent readers of a thread of
# 10,000 comments (first page, middle page, counts of 50 articles, and their 304s).
#   BENCH_POSTERS=16 BENCH_SECONDS=10 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
source scripts/postgres.sh
trap stop_test_postgres EXIT
cargo bench -p comment-service --bench load
cargo bench -p comment-service --bench reads
start_test_postgres
if [ -n "${COMMENTS_TEST_POSTGRES:-}" ]; then
  BENCH_DATABASE=$COMMENTS_TEST_POSTGRES cargo bench -p comment-service --bench load
  BENCH_DATABASE=$COMMENTS_TEST_POSTGRES cargo bench -p comment-service --bench reads
fi
