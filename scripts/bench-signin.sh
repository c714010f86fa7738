#!/usr/bin/env bash
# The moderation sign-in's benchmark (not a test), on SQLite, then on PostgreSQL: 60
# concurrent wrong passwords for one account (failures recorded, at most 5; answers by
# status), and a reader's comment list p50/p99 on an idle server and during 60 concurrent
# sign-ins (the ratio; the aim is p99 within 2× of idle). Release build (minutes the first
# time). BENCH_READS=300 BENCH_COMMENTS=200 scripts/bench-signin.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
source scripts/postgres.sh
trap stop_test_postgres EXIT
cargo bench -p comment-service --bench signin
start_test_postgres
BENCH_DATABASE=$COMMENTS_TEST_POSTGRES cargo bench -p comment-service --bench signin
