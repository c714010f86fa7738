// Only what the reader uses (issue 19), in Chromium against the real service: a prerendered
// reading page is the server's article, whole and readable, and fetches no WebAssembly until
// the reader comes within about a screen of the comments, focuses the form or presses
// something in the comment section. Meanwhile the loader's own script does the article's
// live parts: dates in the reader's time zone, "Back to top", a broken picture leaving its
// caption. What the reader typed or pressed before the module ran carries over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open } from './harness.mjs';
import { SERVICE } from './service.mjs';

const ARTICLE = 'russia-iran-treaty';
// A short window: the article is several screens long, so its top is far from the comments.
const SHORT = { viewport: { width: 1000, height: 500 } };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const moduleRequests = (page) => page.requests.filter((url) => /article-widget-core/.test(url));
const mounted = () => document.querySelector('article-widget').hasAttribute('data-aw-mounted');

/// The reading page, opened at its top, once the loader has decided to wait for the comments.
async function waitingPage(options = SHORT, prepare = async () => {}) {
  const page = await open(browser, options);
  await prepare(page);
  await page.goto(`${SERVICE}/read/${ARTICLE}`);
  await page.locator('article-widget[data-aw-lazy]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  return page;
}

/// Posts a comment through the API, as a reader would.
async function post(author, content) {
  const response = await fetch(`${SERVICE}/api/articles/${ARTICLE}/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ parent: null, author, email: 'lazy@example.com', website: '',
      content, honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()).comment?.id ?? (await response.json()).id;
}

test('a prerendered page fetches no module until the reader nears the comments', async () => {
  const page = await waitingPage();
  assert.deepEqual(moduleRequests(page), [], 'nothing of the module while the reader is at the top');
  const bytes = await page.evaluate(() => performance.getEntriesByType('resource')
    .concat(performance.getEntriesByType('navigation'))
    .reduce((sum, entry) => sum + entry.transferSize, 0));
  console.log(`bytes fetched at the top of the reading page: ${bytes} (${(bytes / 1024).toFixed(1)} KiB, transfer sizes)`);
  await page.locator('article-widget .aw-comments').scrollIntoViewIfNeeded();
  await page.waitForFunction(mounted);
  assert.ok(moduleRequests(page).some((url) => url.endsWith('.wasm')), 'the module came with the comments');
  assert.equal(await page.locator('article-widget[data-aw-lazy]').count(), 0, 'no longer waiting');
  assert.deepEqual(page.problems, []);
});

test('focusing the comment field brings the widget live with what was typed and the caret', async () => {
  const page = await waitingPage();
  const widget = page.locator('article-widget');
  const field = widget.locator('textarea[name=content]');
  const focusedAt = await page.evaluate(() => performance.now());
  await field.focus();
  await page.keyboard.type('Typed while the module loads');
  await page.waitForFunction(mounted);
  const liveAt = await page.evaluate(() => performance.now());
  console.log(`focus to live widget: ${Math.round(liveAt - focusedAt)} ms (CPU ×1, loopback; includes typing)`);
  await page.keyboard.press('Home');
  await page.keyboard.type('» ');
  assert.equal(await field.inputValue(), '» Typed while the module loads');
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot.activeElement?.name === 'content');
  assert.deepEqual(page.problems, []);
});

test('Reply pressed before the module opens the reply form in place once it runs', async () => {
  await post('Early Bird', 'A comment to reply to.');
  const page = await waitingPage();
  const widget = page.locator('article-widget');
  const before = page.url();
  await widget.locator('.aw-reply-button').first().click();
  await page.waitForFunction(mounted);
  // The form moved under the comment (the widget's Reply), and the page did not navigate.
  await widget.locator('.aw-comment .aw-respond, .aw-comment + .aw-respond, .aw-respond').first().waitFor();
  await page.waitForFunction(() => /Early Bird/.test(
    document.querySelector('article-widget').shadowRoot.querySelector('.aw-reply-title')?.textContent ?? ''));
  assert.equal(page.url(), before, 'no ?replytocom= navigation');
  assert.deepEqual(page.problems, []);
});

test('before the module, dates are in the reader\'s zone, Back to top works, a broken picture leaves its caption', async () => {
  const page = await waitingPage({ ...SHORT, timezoneId: 'Asia/Tehran' }, async (page) => {
    await page.route('**/kremlin-dusk.svg', (route) => route.abort());
  });
  const widget = page.locator('article-widget');
  const expected = await page.evaluate(() => new Intl.DateTimeFormat('en', { dateStyle: 'long', timeStyle: 'short' })
    .format(new Date('2025-01-17T19:13:00Z')));
  assert.match(expected, /10:43/, 'Tehran is UTC+3:30');
  assert.equal(await widget.locator('.aw-dates time').textContent(), expected);
  // The picture failed: hidden, its caption still there.
  await page.waitForFunction(() => getComputedStyle(document.querySelector('article-widget').shadowRoot
    .querySelector('.aw-figure--featured img')).display === 'none');
  assert.ok(await widget.locator('.aw-figure--featured figcaption').isVisible(), 'the caption stays');
  // Well into the article, still far from the comments: "Back to top" shows, and works.
  const button = widget.locator('.aw-back-to-top');
  assert.equal(await button.isVisible(), false, 'hidden at the top');
  await page.evaluate(() => window.scrollTo(0, 1300));
  await button.waitFor({ state: 'visible' });
  await button.click();
  await page.waitForFunction(() => window.scrollY < 50);
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot.activeElement?.classList.contains('aw-headline'));
  assert.deepEqual(moduleRequests(page), [], 'all of it without the module');
  assert.deepEqual(page.problems, []);
});

test('loading="eager" on a prerendered element still takes over after the first paint', async () => {
  const page = await open(browser, SHORT);
  await page.route(`**/read/${ARTICLE}`, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('<article-widget ', '<article-widget loading="eager" ');
    await route.fulfill({ response, body });
  });
  await page.goto(`${SERVICE}/read/${ARTICLE}`);
  await page.waitForFunction(mounted);
  assert.ok(moduleRequests(page).some((url) => url.endsWith('.wasm')));
  assert.deepEqual(page.problems, []);
});
