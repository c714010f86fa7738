// The demo as a reader meets it: the release build served by the comment service alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open } from './harness.mjs';
import { SERVICE } from './service.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the default article, in full, from the sample page', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/`);
  const widget = page.locator('article-widget');
  await widget.locator('h1').waitFor();
  assert.equal(await widget.locator('.aw-kicker').textContent(), 'Breaking News');
  assert.equal(await widget.locator('h1').textContent(), 'Russia and Iran sign a cooperation treaty in the Kremlin');
  assert.equal(await widget.locator('.aw-body > p').count(), 21);
  assert.match(await widget.locator('.aw-dates time').first().textContent(), /2025/);
  const image = widget.locator('figure.aw-figure--featured img');
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await image.elementHandle());
  assert.equal(await widget.locator('nav.aw-related').count(), 0, 'no related links, no block');
  assert.equal(await widget.locator('.aw-reply-title').textContent(), 'Leave a Reply');
  await widget.locator('.aw-comments-heading').filter({ hasText: /Response|No comments/ }).waitFor();
  assert.deepEqual(page.problems, []);
});

test('the widget arrives precompressed and is revalidated, not downloaded again', async () => {
  const page = await open(browser);
  const wasm = page.waitForResponse((response) => response.url().endsWith('_bg.wasm'));
  await page.goto(`${SERVICE}/`);
  const response = await wasm;
  const headers = await response.allHeaders();
  assert.equal(headers['content-encoding'], 'br', 'the build\'s brotli variant');
  assert.match(headers['cache-control'], /max-age=300/);
  assert.ok(headers.etag, 'a validator');
  const sizes = await response.request().sizes();
  assert.ok(sizes.responseBodySize < 200 * 1024, `${sizes.responseBodySize} bytes on the wire`);
  await page.locator('article-widget h1').waitFor();
  // A revalidation with the tag: 304, no body.
  const again = await page.evaluate(async ({ url, etag }) => {
    const answer = await fetch(url, { headers: { 'If-None-Match': etag }, cache: 'no-store' });
    return { status: answer.status, length: (await answer.arrayBuffer()).byteLength };
  }, { url: response.url(), etag: headers.etag });
  assert.deepEqual(again, { status: 304, length: 0 });
  assert.deepEqual(page.problems, []);
});

test('?src= shows any article: the Persian edition right to left, the explainer with related links', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/?src=static/articles/iran-russia-treaty-fa.json`);
  const article = page.locator('article-widget article');
  await article.waitFor();
  assert.equal(await article.getAttribute('dir'), 'rtl');
  assert.equal(await page.locator('article-widget .aw-comments--closed').textContent(), 'امکان ارسال دیدگاه بسته شده است.');
  await page.goto(`${SERVICE}/?src=static/articles/russia-iran-explainer.json`);
  await page.locator('article-widget nav.aw-related').waitFor();
  assert.equal(await page.locator('article-widget nav.aw-related li').count(), 2);
  await page.goto(`${SERVICE}/?src=static/articles/missing.json`);
  await page.locator('article-widget .aw-error').waitFor();
  assert.equal(await page.locator('article-widget .aw-error h2').textContent(), 'Article not found');
});

test('clicking Post Comment straight from a half-typed field submits (no jump from the blur)', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/`);
  const widget = page.locator('article-widget');
  await widget.locator('.aw-comments-heading').filter({ hasText: /Response|No comments/ }).waitFor();
  await widget.locator('input[name=email]').fill('ann@');
  await widget.locator('button[type=submit]').click(); // a real mouse: down, up, click
  const summary = widget.locator('.aw-error-summary');
  await summary.waitFor();
  assert.deepEqual(await summary.locator('a').allTextContents(), [
    'Enter your comment',
    'Enter your name',
    'Enter an email address in the correct format, like name@example.com',
  ]);
  assert.equal(await page.evaluate(() => document.activeElement.shadowRoot?.activeElement?.className), 'aw-error-summary');
});

test('a comment posted through the API appears in the thread', async () => {
  const text = `Posted through the API at ${Date.now()}.`;
  const response = await fetch(`${SERVICE}/api/articles/russia-iran-treaty/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `e2e-${Date.now()}` },
    body: JSON.stringify({ parent: null, author: 'API Reader', email: 'api@example.com', website: null,
      content: text, honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  assert.equal(response.status, 201);
  const page = await open(browser);
  await page.goto(`${SERVICE}/`);
  await page.locator('article-widget .aw-comment-text').filter({ hasText: text }).waitFor();
});

// axe's page-has-heading-one, and what a screen reader lists: the demo page has one level-one
// heading, the article's headline once it is shown, the page's own (visually hidden) while
// there is none, as when the article fails to load.
test('one level-one heading: the article\'s, or the page\'s own when the article fails', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/`);
  await page.locator('article-widget h1').waitFor();
  await page.waitForFunction(() => document.getElementById('demo-heading').hidden);
  assert.deepEqual(await page.getByRole('heading', { level: 1 }).allTextContents(),
    ['Russia and Iran sign a cooperation treaty in the Kremlin']);

  const failing = await open(browser);
  await failing.route('**/static/articles/russia-iran-treaty.json',
    (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'gone' }));
  await failing.goto(`${SERVICE}/`);
  await failing.locator('article-widget .aw-error').waitFor();
  assert.deepEqual(await failing.getByRole('heading', { level: 1 }).allTextContents(),
    ['Demo Newsroom: article']);
  const heading = failing.locator('#demo-heading');
  assert.equal(await heading.isHidden(), false, 'in the accessibility tree');
  const box = await heading.boundingBox();
  assert.ok(box && box.width <= 1 && box.height <= 1, `not shown: ${JSON.stringify(box)}`);
});
