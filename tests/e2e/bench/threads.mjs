// A benchmark, not a test: long threads in the widget. Seeds three articles through the real
// comments API (the service must approve all, with flood control off) with 0, 1,000 and
// 10,000 comments (one in five a reply), then, interleaved, at CPU ×1 and ×4, BENCH_ROUNDS
// times each: opens the client-only page, records when the first page of the thread shows
// (from navigation start, polled every frame in the page), then types 40 characters with a
// real keyboard and records the slowest key event and the count over 50 ms (Event Timing
// API, durationThreshold 16). Prints medians and the ratios to the article with none.
//   BENCH_SERVICE=http://127.0.0.1:PORT [BENCH_ROUNDS=3] node threads.mjs
import { launch } from '../harness.mjs';

const SERVICE = process.env.BENCH_SERVICE;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ARTICLES = [['corrections', 0], ['russia-iran-explainer', 1000], ['russia-iran-treaty', 10000]];

async function seed(article, count) {
  const api = `${SERVICE}/api/articles/${article}/comments`;
  const existing = (await (await fetch(`${api}?per_page=1`)).json()).total ?? 0;
  const roots = [];
  for (let n = existing; n < count; n += 50) {
    const batch = Array.from({ length: Math.min(50, count - n) }, (_, i) => n + i);
    const ids = await Promise.all(batch.map(async (k) => {
      const parent = k % 5 === 4 && roots.length ? roots[roots.length - 1 - (k % Math.min(roots.length, 20))] : null;
      const response = await fetch(api, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `seed-${article}-${k}` },
        body: JSON.stringify({ author: `Reader ${k}`, email: `reader${k}@example.com`, website: '',
          content: `Comment number ${k}: a sentence or two about the treaty, as readers write them.`,
          honeypot: '', rendered_at: Date.now() - 60000, parent }),
      });
      const body = await response.json();
      return parent ? null : body.comment?.id;
    }));
    roots.push(...ids.filter(Boolean));
  }
  return (await (await fetch(`${api}?per_page=1`)).json()).total;
}

const counts = {};
for (const [article, count] of ARTICLES) counts[article] = await seed(article, count);

const TEXT = 'Typing into a form under a long thread...';
const browser = await launch();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const cpu of [1, 4]) {
    for (const [article] of ARTICLES) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
      await context.addInitScript(() => {
        const check = () => {
          const root = document.querySelector('article-widget')?.shadowRoot;
          const shown = root?.querySelector('.aw-thread .aw-comment')
            || (root?.querySelector('.aw-comments-heading')?.textContent.startsWith('No comments') && root.querySelector('textarea'));
          if (shown) window.__threadShown = performance.now();
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
      await page.goto(`${SERVICE}/index.html?src=static/articles/${article}.json`);
      await page.waitForFunction(() => window.__threadShown !== undefined, null, { timeout: 120000 });
      const shown = await page.evaluate(() => window.__threadShown);
      await page.evaluate(() => {
        window.__events = [];
        new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__events.push(e.duration); })
          .observe({ type: 'event', durationThreshold: 16, buffered: false });
      });
      await page.locator('article-widget textarea[name=content]').click();
      await page.keyboard.type(TEXT.slice(0, 40));
      await page.waitForTimeout(1000);
      const durations = await page.evaluate(() => window.__events);
      const key = `${cpu}:${article}`;
      results[key] ??= { shown: [], slowest: [], over50: [] };
      results[key].shown.push(shown);
      results[key].slowest.push(durations.length ? Math.max(...durations) : 0);
      results[key].over50.push(durations.filter((d) => d > 50).length);
      await context.close();
    }
  }
}
await browser.close();
console.log(`| CPU | comments | first page shown | / none | slowest key event | over 50 ms |`);
console.log(`|---|---|---|---|---|---|`);
for (const cpu of [1, 4]) {
  const none = median(results[`${cpu}:${ARTICLES[0][0]}`].shown);
  for (const [article] of ARTICLES) {
    const r = results[`${cpu}:${article}`];
    const shown = median(r.shown);
    console.log(`| ×${cpu} | ${counts[article].toLocaleString('en')} | ${shown.toFixed(0)} ms | ${(shown / none).toFixed(2)}× | ${median(r.slowest)} ms | ${median(r.over50)} |`);
  }
}
console.log(`(medians of ${ROUNDS}, interleaved)`);
