#!/usr/bin/env bash
# Long threads (a benchmark, not a test): the widget with 0, 1,000 and 10,000 comments, CPU
# ×1 and ×4 (tests/e2e/bench/threads.mjs), against a release comment service on 127.0.0.1
# that approves all (the comments are posted through its API first).
#   BENCH_ROUNDS=3 scripts/bench-threads.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-service.sh
start_bench_service --flood-seconds 0 --moderation approve-all
node tests/e2e/bench/threads.mjs
