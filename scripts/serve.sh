#!/usr/bin/env bash
# Serves the demo at http://127.0.0.1:8080: the comment service in front, as in production. It
# serves the breaking-news article's prerendered reading page at / (readable before any script
# runs), every sample at /read/<id>, the client-only demo page at /index.html (?src=<article
# JSON> for any article), the comments API, and the widget that `trunk watch` rebuilds into
# dist/ whenever the code changes (reload the page to see it). Comments are stored in
# target/demo/comments.db. Installs what is missing first (scripts/tools.sh), skips the rest.
# Trunk flags pass through, e.g. `scripts/serve.sh --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
ensure_wasm_target
ensure_npm_tools
ensure_cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
ensure_cargo_tool trunk "$TRUNK_VERSION" trunk --locked
cargo fetch --quiet

cargo build --quiet -p comment-service
trunk build --offline "$@"
trunk watch --offline "$@" &
watcher=$!
mkdir -p target/demo
trap 'kill $watcher 2>/dev/null || true' EXIT INT TERM
echo "The demo: http://127.0.0.1:8080/  (every sample: /read/<id>; the client-only page: /index.html)"
echo "Moderate the demo's comments at http://127.0.0.1:8080/moderate once you are a moderator:"
echo "  ./target/debug/comment-service --database sqlite://target/demo/comments.db moderators add NAME"
./target/debug/comment-service --database sqlite://target/demo/comments.db serve \
  --address 127.0.0.1:8080 --site dist --articles static/articles --front-page russia-iran-treaty \
  --public-url http://127.0.0.1:8080
