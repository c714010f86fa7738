# Sourced by the browser benchmarks (scripts/bench-page.sh, scripts/bench-threads.sh): builds
# the release widget and the service (its `server` profile), and starts the service on
# 127.0.0.1 with a fresh database and the flags given, serving dist/. Exports BENCH_SERVICE (its address) and BENCH_DIST; the
# service and its folder go when the script exits.
#   start_bench_service [FLAG…]
start_bench_service() {
  source scripts/tools.sh
  ensure_all
  cargo build --quiet --profile server -p comment-service
  trunk build --release --offline >/dev/null
  (cd tests/e2e && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  BENCH_DIR=$(mktemp -d)
  ./target/server/comment-service --database "sqlite://$BENCH_DIR/comments.db" serve \
    --address 127.0.0.1:0 --site dist --articles static/articles "$@" \
    > "$BENCH_DIR/service.log" 2>/dev/null &
  BENCH_SERVICE_PID=$!
  trap 'kill $BENCH_SERVICE_PID 2>/dev/null || true; rm -rf "$BENCH_DIR"' EXIT
  for _ in $(seq 100); do grep -q 'http://' "$BENCH_DIR/service.log" && break; sleep 0.1; done
  BENCH_SERVICE=$(grep -o 'http://[0-9.:]*' "$BENCH_DIR/service.log" | head -n 1)
  export BENCH_SERVICE BENCH_DIST=$PWD/dist
}
