#!/usr/bin/env bash
# How soon a reader sees the article (a benchmark, not a test): the prerendered reading page,
# the same page rendered by the widget alone, and the same article as static HTML, from one
# comment service on 127.0.0.1, in headless Chromium, CPU ×1 and ×4, then Lighthouse 12 on
# the same three pages. Prints medians and ratios (tests/e2e/bench/page-load.mjs and
# lighthouse.mjs). Installs lighthouse@12.2.3 into the tools folder when it is missing.
#   BENCH_ROUNDS=7 BENCH_LIGHTHOUSE_ROUNDS=3 scripts/bench-page.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-service.sh
start_bench_service
node tests/e2e/bench/page-load.mjs
LIGHTHOUSE_BIN="$TOOLS_DIR/node_modules/.bin/lighthouse"
if ! "$LIGHTHOUSE_BIN" --version 2>/dev/null | grep -q '^12\.2\.3$'; then
  npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error lighthouse@12.2.3 >/dev/null
fi
LIGHTHOUSE=$LIGHTHOUSE_BIN CHROME_PATH=/usr/bin/chromium node tests/e2e/bench/lighthouse.mjs
