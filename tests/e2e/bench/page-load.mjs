// A benchmark, not a test: how soon a reader sees the article, three ways, from one server in
// one run, interleaved, medians (absolute times here are noisy; ratios hold):
//   prerendered  /read/{id}: the service's prerendered reading page (the widget takes over)
//   client-only  the same page with an empty <article-widget src>: the widget fetches and renders
//   static       the same article as plain static HTML (the prerendered markup in the light DOM,
//                its styles, no script): what the widget is measured against
// Each load is a first visit (a new browser context, nothing cached), at CPU ×1 and ×4
// (DevTools' Emulation.setCPUThrottlingRate). Figures:
//   text     when the headline first has a size (checked every animation frame)
//   LCP      largest-contentful-paint
//   CLS      the sum of layout shifts
//   form     when the comment field accepts input (none on the static page)
// then, for the prerendered page: the bytes fetched before the reader nears the comments, and
// the time from focusing the comment field to a live widget (issue 19).
// Usage (scripts/bench-page.sh runs it): BENCH_SERVICE=http://127.0.0.1:PORT
//   BENCH_DIST=dist [BENCH_ROUNDS=7] [BENCH_ARTICLE=russia-iran-treaty] node page-load.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from '../harness.mjs';

const SERVICE = process.env.BENCH_SERVICE ?? 'http://127.0.0.1:8787';
const DIST = process.env.BENCH_DIST ?? 'dist';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ARTICLE = process.env.BENCH_ARTICLE ?? 'russia-iran-treaty';

// The three pages, from the prerendered one, so that they differ only in how the article
// gets there.
const prerendered = await (await fetch(`${SERVICE}/read/${ARTICLE}`)).text();
const fragmentStart = prerendered.indexOf('<article-widget');
const fragmentEnd = prerendered.indexOf('</article-widget>') + '</article-widget>'.length;
const fragment = prerendered.slice(fragmentStart, fragmentEnd);
const src = /<article-widget src="([^"]*)"/.exec(fragment)[1];
const clientOnly = prerendered.slice(0, fragmentStart) + `<article-widget src="${src}"></article-widget>` + prerendered.slice(fragmentEnd);
const shadow = fragment.slice(fragment.indexOf('<template shadowrootmode="open">') + '<template shadowrootmode="open">'.length, fragment.indexOf('</template>'));
const staticPage = prerendered.slice(0, fragmentStart).replace(/<script type="module"[^>]*><\/script>/, '')
  + shadow.replace(/<script type="application\/x-yew-comp-state">[^<]*<\/script>/, '')
  + prerendered.slice(fragmentEnd);
mkdirSync(join(DIST, 'bench'), { recursive: true });
writeFileSync(join(DIST, 'bench', 'client-only.html'), clientOnly);
writeFileSync(join(DIST, 'bench', 'static.html'), staticPage);

const PAGES = {
  prerendered: `${SERVICE}/read/${ARTICLE}`,
  'client-only': `${SERVICE}/bench/client-only.html`,
  static: `${SERVICE}/bench/static.html`,
};

// Runs in the page before anything else: records the figures.
const PROBE = () => {
  const marks = { text: null, lcp: null, cls: 0, form: null };
  window.__marks = marks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) marks.lcp = entry.renderTime || entry.loadTime || entry.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) marks.cls += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
  const root = () => document.querySelector('article-widget')?.shadowRoot ?? document;
  const frame = () => {
    const now = performance.now();
    const headline = root().querySelector('h1');
    if (marks.text === null && headline && headline.getBoundingClientRect().height > 0) marks.text = now;
    if (marks.form === null && root().querySelector('textarea[name=content]')) marks.form = now;
    if (marks.text === null || (marks.form === null && now < 20000)) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
};

async function load(browser, url, cpu) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
  await page.addInitScript(PROBE);
  await page.goto(url, { waitUntil: 'load' });
  const isStatic = url.includes('/bench/static');
  await page.waitForFunction((wantForm) => window.__marks.text !== null && (!wantForm || window.__marks.form !== null),
    !isStatic, { timeout: 60000 });
  await page.waitForTimeout(500); // late layout shifts and LCP candidates
  const marks = await page.evaluate(() => window.__marks);
  await context.close();
  return marks;
}

const median = (values) => {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
};
const ms = (v) => (v === null ? '     –' : `${v.toFixed(0).padStart(6)}`);

const browser = await launch();
for (const cpu of [1, 4]) {
  const results = Object.fromEntries(Object.keys(PAGES).map((name) => [name, []]));
  await load(browser, PAGES.prerendered, cpu); // warm the server and the disk cache
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of Object.entries(PAGES)) results[name].push(await load(browser, url, cpu));
  }
  console.log(`\nCPU ×${cpu}, ${ROUNDS} first visits each, interleaved, medians (ms):`);
  console.log('page          text     LCP      CLS    form   text/static  LCP/static');
  const base = { text: median(results.static.map((r) => r.text)), lcp: median(results.static.map((r) => r.lcp)) };
  for (const [name, runs] of Object.entries(results)) {
    const text = median(runs.map((r) => r.text));
    const lcp = median(runs.map((r) => r.lcp));
    const cls = median(runs.map((r) => r.cls));
    const form = median(runs.map((r) => r.form));
    console.log(`${name.padEnd(12)} ${ms(text)}  ${ms(lcp)}  ${cls.toFixed(3).padStart(7)}  ${ms(form)}   ${(text / base.text).toFixed(2).padStart(9)}×  ${(lcp / base.lcp).toFixed(2).padStart(9)}×`);
  }
}

// Islands (issue 19): what the prerendered page fetches before the reader nears the comments
// (transfer sizes, everything asked for by the time the network is idle), and how soon after
// the reader focuses the comment field the widget is live (its module fetched, compiled and
// the section hydrated: the host marked mounted, then one frame).
for (const cpu of [1, 4]) {
  const bytes = [];
  const live = [];
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
    await page.goto(PAGES.prerendered, { waitUntil: 'load' });
    await page.locator('article-widget[data-aw-lazy]').waitFor({ state: 'attached' });
    await page.waitForLoadState('networkidle');
    bytes.push(await page.evaluate(() => performance.getEntriesByType('navigation')
      .concat(performance.getEntriesByType('resource'))
      .reduce((sum, entry) => sum + entry.transferSize, 0)));
    const wasm = await page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm')));
    if (wasm) throw new Error('the module was fetched before the reader neared the comments');
    live.push(await page.evaluate(() => new Promise((resolve) => {
      const host = document.querySelector('article-widget');
      const field = host.shadowRoot.querySelector('textarea[name=content]');
      const start = performance.now();
      new MutationObserver(() => {
        if (host.hasAttribute('data-aw-mounted')) requestAnimationFrame(() => resolve(performance.now() - start));
      }).observe(host, { attributes: true });
      field.focus();
    })));
    await context.close();
  }
  const kib = (v) => `${(v / 1024).toFixed(1)} KiB`;
  console.log(`\nCPU ×${cpu}, prerendered page, ${ROUNDS} first visits, medians: fetched before the comments ${kib(median(bytes))} (${kib(Math.min(...bytes))}–${kib(Math.max(...bytes))}); focus to live widget ${ms(median(live)).trim()} ms (${ms(Math.min(...live)).trim()}–${ms(Math.max(...live)).trim()})`);
}
await browser.close();
