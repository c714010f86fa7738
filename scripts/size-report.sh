#!/usr/bin/env bash
# Prints the size of the release widget (the .wasm, its JS bindings and the loader), raw and
# brotli-compressed (quality 11, as a CDN would serve it), using Node's zlib so nothing more
# needs installing. Fails when the three together exceed the budget (KiB, brotli):
#   scripts/size-report.sh [DIST] [BUDGET_KIB]   (default budget 172.7; 0 for none)
set -euo pipefail
dist=${1:-dist}
budget=${2:-172.7}
node - "$dist" "$budget" <<'JS'
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const dist = process.argv[2];
const files = ['article-widget-core_bg.wasm', 'article-widget-core.js', 'article-widget.js'].map(f => path.join(dist, f));
let rawTotal = 0, brTotal = 0;
const kb = n => (n / 1024).toFixed(1).padStart(7) + ' KiB';
for (const file of files) {
  const data = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  rawTotal += data.length; brTotal += br;
  console.log(`${path.basename(file).padEnd(28)} raw ${kb(data.length)}   brotli ${kb(br)}`);
}
console.log(`${'total'.padEnd(28)} raw ${kb(rawTotal)}   brotli ${kb(brTotal)}`);
const budget = Number(process.argv[3]);
if (budget > 0) {
  const used = brTotal / 1024;
  if (used > budget) {
    console.error(`size budget exceeded: ${used.toFixed(1)} KiB brotli, the budget is ${budget} KiB`);
    process.exit(1);
  }
  console.log(`within the size budget: ${used.toFixed(1)} of ${budget} KiB brotli`);
}
JS
