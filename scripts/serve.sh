#!/usr/bin/env bash
# Serves the demo at http://127.0.0.1:8080 with `trunk serve` (rebuilds on change).
# Installs what is missing first (see scripts/tools.sh), skips what is there.
# Pass Trunk flags through, e.g. `scripts/serve.sh --release` or `--port 9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
ensure_wasm_target
ensure_npm_tools
ensure_cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
ensure_cargo_tool trunk "$TRUNK_VERSION" trunk --locked
cargo fetch --quiet
exec trunk serve --offline "$@"
