#!/usr/bin/env bash
# Long threads (a benchmark, not a test): the widget with 0, 1,000 and 10,000 comments, CPU
# ×1 and ×4 (tests/e2e/bench/threads.mjs), against a release comment service on 127.0.0.1
# that approves all (the comments are posted through its API first).
#   BENCH_ROUNDS=3 scripts/bench-threads.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
ensure_all
cargo build --quiet --release -p comment-service
trunk build --release --offline >/dev/null
(cd tests/e2e && npm install --no-audit --no-fund --loglevel=error >/dev/null)
DIR=$(mktemp -d)
./target/release/comment-service --database "sqlite://$DIR/comments.db" serve --address 127.0.0.1:0 \
  --site dist --articles static/articles --flood-seconds 0 --moderation approve-all \
  > "$DIR/service.log" 2>/dev/null &
SERVICE_PID=$!
trap 'kill $SERVICE_PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do grep -q 'http://' "$DIR/service.log" && break; sleep 0.1; done
export BENCH_SERVICE=$(grep -o 'http://[0-9.:]*' "$DIR/service.log" | head -n 1)
node tests/e2e/bench/threads.mjs
