// A benchmark, not a test: does typing in the comment form lag when the thread is long?
// Seeds an article with BENCH_COMMENTS comments through the real comments API (the service
// must approve all and have flood control off), opens the client-only page, types 40
// characters with a real keyboard, and reports the slowest key event and the count over 50 ms
// (Event Timing API, durationThreshold 16), at CPU ×1 and ×4, medians of BENCH_ROUNDS.
//   BENCH_SERVICE=http://127.0.0.1:PORT [BENCH_COMMENTS=1000] [BENCH_ROUNDS=3] node typing.mjs
import { launch } from '../harness.mjs';

const SERVICE = process.env.BENCH_SERVICE;
const COUNT = Number(process.env.BENCH_COMMENTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ARTICLE = 'russia-iran-treaty';
const API = `${SERVICE}/api/articles/${ARTICLE}/comments`;

const existing = (await (await fetch(API)).json()).comments.length;
for (let n = existing; n < COUNT; n += 50) {
  await Promise.all(Array.from({ length: Math.min(50, COUNT - n) }, (_, i) => fetch(API, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `seed-${n + i}` },
    body: JSON.stringify({ author: `Reader ${n + i}`, email: `reader${n + i}@example.com`, website: '',
      content: `Comment number ${n + i}: a sentence or two about the treaty, as readers write them.`,
      honeypot: '', rendered_at: Date.now() - 60000, parent: null }),
  })));
}
const listed = (await (await fetch(API)).json()).comments.length;

const TEXT = 'Typing into a form under a long thread...';
const browser = await launch();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const cpu of [1, 4]) {
  const slowest = [];
  const over50 = [];
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${SERVICE}/index.html?src=static/articles/${ARTICLE}.json`);
    const widget = page.locator('article-widget');
    if (listed > 0) await widget.locator('.aw-thread .aw-comment').nth(listed - 1).waitFor({ timeout: 120000 });
    else await widget.locator('.aw-comments-heading').filter({ hasText: 'No comments' }).waitFor();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
    await page.evaluate(() => {
      window.__events = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__events.push(e.duration); })
        .observe({ type: 'event', durationThreshold: 16, buffered: false });
    });
    await widget.locator('textarea[name=content]').click();
    await page.keyboard.type(TEXT.slice(0, 40));
    await page.waitForTimeout(1000);
    const durations = await page.evaluate(() => window.__events);
    slowest.push(durations.length ? Math.max(...durations) : 0);
    over50.push(durations.filter((d) => d > 50).length);
    await context.close();
  }
  console.log(`${listed} comments, CPU ×${cpu}, 40 keys, medians of ${ROUNDS}: slowest key event ${median(slowest)} ms, events over 50 ms: ${median(over50)}`);
}
await browser.close();
