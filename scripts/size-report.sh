#!/usr/bin/env bash
# Prints the size of the release widget (the .wasm, its JS bindings and the loader): raw,
# brotli at quality 11 computed here (what any CDN would send), and the FILE.br that the
# release build wrote next to each file (scripts/precompress.mjs) and that the comment service
# actually serves. Fails when the served files together exceed the budget (KiB), and when a
# .br is not the brotli of the file beside it (stale, from another build). Uses Node's zlib,
# so nothing more needs installing.
# The loader alone has a budget of its own (LOADER_BUDGET_KIB, 2.8 by default: issue #19's aim
# is at most 4, held at what it reaches): it is all a reading page fetches of ours before the
# reader nears the comments.
#   scripts/size-report.sh [DIST] [BUDGET_KIB]   (default budget 196.6; 0 for none)
set -euo pipefail
dist=${1:-dist}
budget=${2:-196.6}
loader_budget=${LOADER_BUDGET_KIB:-2.8}
if ! [[ $budget =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
  echo "size-report: the budget must be a number of KiB, like 171.8 (0 for none), not '$budget'" >&2
  exit 2
fi
if [ ! -d "$dist" ]; then
  echo "size-report: no folder '$dist': build the release first (trunk build --release)" >&2
  exit 2
fi
node - "$dist" "$budget" "$loader_budget" <<'JS'
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [dist, budgetText, loaderBudgetText] = process.argv.slice(2);
let loaderSent = 0;
const files = ['article-widget-core_bg.wasm', 'article-widget-core.js', 'article-widget.js'].map((f) => path.join(dist, f));
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KiB';
let raw = 0, computed = 0, served = 0;
const problems = [];
for (const file of files) {
  if (!fs.existsSync(file)) { problems.push(`${file} is missing`); continue; }
  const data = fs.readFileSync(file);
  const brotli = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  // What the service sends a browser that accepts brotli: FILE.br when the build wrote one
  // (it does when that is smaller), else the file itself.
  let sent = data.length, how = 'raw (no .br)';
  if (fs.existsSync(`${file}.br`)) {
    const br = fs.readFileSync(`${file}.br`);
    let same = false;
    try { same = zlib.brotliDecompressSync(br).equals(data); } catch { same = false; }
    if (!same) problems.push(`${file}.br is not the brotli of ${file} (a stale build?): rebuild the release`);
    sent = br.length; how = '.br';
  }
  raw += data.length; computed += brotli; served += sent;
  if (file.endsWith('article-widget.js')) loaderSent = sent;
  console.log(`${path.basename(file).padEnd(28)} raw ${kb(data.length)}   brotli-11 ${kb(brotli)}   served ${kb(sent)} ${how}`);
}
console.log(`${'total'.padEnd(28)} raw ${kb(raw)}   brotli-11 ${kb(computed)}   served ${kb(served)}`);
if (problems.length) {
  for (const problem of problems) console.error(`size-report: ${problem}`);
  process.exit(1);
}
const budget = Number(budgetText);
const loaderBudget = Number(loaderBudgetText);
if (budget > 0 && loaderBudget > 0) {
  const loader = loaderSent / 1024;
  if (loader > loaderBudget) {
    console.error(`loader budget exceeded: ${loader.toFixed(2)} KiB served (brotli), the budget is ${loaderBudget} KiB`);
    process.exit(1);
  }
  console.log(`within the loader's budget: ${loader.toFixed(2)} of ${loaderBudget} KiB served (brotli)`);
}
if (budget > 0) {
  const used = served / 1024;
  if (used > budget) {
    console.error(`size budget exceeded: ${used.toFixed(1)} KiB served (brotli), the budget is ${budget} KiB`);
    process.exit(1);
  }
  console.log(`within the size budget: ${used.toFixed(1)} of ${budget} KiB served (brotli)`);
}
JS
