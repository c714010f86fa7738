#!/usr/bin/env bash
# Serves the demo at http://127.0.0.1:8080: `trunk serve` (rebuilds on change) in front, the
# comment service on 127.0.0.1:8787 behind it (Trunk proxies /api/), comments stored in
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
mkdir -p target/demo
./target/debug/comment-service --database sqlite://target/demo/comments.db serve \
  --address 127.0.0.1:8787 --articles static/articles --allow-origin http://127.0.0.1:8080 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT INT TERM
echo "Moderate the demo's comments with:"
echo "  ./target/debug/comment-service --database sqlite://target/demo/comments.db moderate list"
trunk serve --offline "$@"
