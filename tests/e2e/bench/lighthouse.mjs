// Lighthouse 12 (mobile defaults: simulated slow 4G and CPU ×4) on the three pages of
// page-load.mjs, through the same comment service: performance score, LCP, CLS and bytes
// transferred, medians of 3 runs each, interleaved. Usage (scripts/bench-page.sh runs it):
//   BENCH_SERVICE=… LIGHTHOUSE=path/to/lighthouse CHROME_PATH=/usr/bin/chromium node lighthouse.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const SERVICE = process.env.BENCH_SERVICE;
const LIGHTHOUSE = process.env.LIGHTHOUSE ?? 'lighthouse';
const ARTICLE = process.env.BENCH_ARTICLE ?? 'russia-iran-treaty';
const ROUNDS = Number(process.env.BENCH_LIGHTHOUSE_ROUNDS ?? 3);
const PAGES = {
  prerendered: `${SERVICE}/read/${ARTICLE}`,
  'client-only': `${SERVICE}/bench/client-only.html`,
  static: `${SERVICE}/bench/static.html`,
};
const FLAGS = '--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking '
  + '--disable-component-update --disable-sync --disable-quic --disable-dev-shm-usage';
const dir = mkdtempSync(join(tmpdir(), 'lighthouse-'));

function run(url, n) {
  const out = join(dir, `${n}.json`);
  execFileSync(LIGHTHOUSE, [url, '--quiet', '--only-categories=performance', '--output=json',
    `--output-path=${out}`, `--chrome-flags=${FLAGS}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const report = JSON.parse(readFileSync(out, 'utf8'));
  return {
    score: report.categories.performance.score * 100,
    lcp: report.audits['largest-contentful-paint'].numericValue,
    cls: report.audits['cumulative-layout-shift'].numericValue,
    bytes: report.audits['total-byte-weight'].numericValue,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = Object.fromEntries(Object.keys(PAGES).map((name) => [name, []]));
let n = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, url] of Object.entries(PAGES)) results[name].push(run(url, n++));
}
const staticLcp = median(results.static.map((r) => r.lcp));
console.log(`\nLighthouse 12, mobile defaults, medians of ${ROUNDS}:`);
console.log('page          score    LCP (ms)   CLS     KiB   LCP/static');
for (const [name, runs] of Object.entries(results)) {
  const lcp = median(runs.map((r) => r.lcp));
  console.log(`${name.padEnd(12)} ${String(median(runs.map((r) => r.score))).padStart(6)}  ${lcp.toFixed(0).padStart(9)}  ${median(runs.map((r) => r.cls)).toFixed(3)}  ${(median(runs.map((r) => r.bytes)) / 1024).toFixed(0).padStart(6)}   ${(lcp / staticLcp).toFixed(2)}×`);
}

// The other categories, once per page (they do not vary between runs): what the issue
// measured as SEO 91 (no description) and accessibility 96 (the credit's contrast) on the
// reading page. Each failing audit is named, so a score below 100 says why.
console.log('\nLighthouse 12, accessibility, SEO and best practices (one run per page):');
console.log('page          access.   SEO   best pr.   failing audits');
for (const [name, url] of Object.entries(PAGES)) {
  const out = join(dir, `categories-${name}.json`);
  execFileSync(LIGHTHOUSE, [url, '--quiet', '--only-categories=accessibility,seo,best-practices',
    '--output=json', `--output-path=${out}`, `--chrome-flags=${FLAGS}`],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const score = (category) => String(Math.round(report.categories[category].score * 100));
  const failing = Object.values(report.categories)
    .flatMap((category) => category.auditRefs.filter((ref) => ref.weight > 0))
    .map((ref) => report.audits[ref.id])
    .filter((audit) => audit.score !== null && audit.score < 1)
    .map((audit) => audit.id);
  console.log(`${name.padEnd(12)} ${score('accessibility').padStart(8)} ${score('seo').padStart(5)} ${score('best-practices').padStart(9)}   ${failing.join(', ') || '-'}`);
}
