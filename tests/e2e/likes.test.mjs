// Likes and "Best first" (issue 20) in Chromium against the real service: a like shown at
// once with its count, kept by the service (a reload shows it), undone by a second press; a
// failed like put back as it was; none on the reader's own comment; the count in words in the
// reader's language; the third order; the count on the reading page without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, open, live } from './harness.mjs';
import { SERVICE } from './service.mjs';

const ARTICLE = 'russia-iran-explainer';
const COMMENTS = `${SERVICE}/api/articles/${ARTICLE}/comments`;
const TOKEN_KEY = 'article-widget:author-token';
const ANNS_TOKEN = 'e2e-token-of-anns-browser-01';

async function post(author, content, token) {
  const answer = await fetch(COMMENTS, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(),
      'Comment-Author-Token': token },
    body: JSON.stringify({ parent: null, author, email: `${author.toLowerCase()}@example.com`,
      website: '', content, honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  const text = await answer.text();
  assert.equal(answer.status, 201, text);
  return JSON.parse(text).comment.id;
}

async function like(id, token) {
  const answer = await fetch(`${COMMENTS}/${id}/likes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Comment-Author-Token': token },
    body: '{"liked": true}',
  });
  assert.equal(answer.status, 200, await answer.text());
}

let browser;
before(async () => {
  browser = await launch();
  await post('Ann', 'First, and liked by nobody yet.', ANNS_TOKEN);
  await post('Bob', 'Second.', 'e2e-token-of-bobs-browser-01');
  const cy = await post('Cy', 'Third, and liked twice.', 'e2e-token-of-cys-browser-001');
  await like(cy, 'e2e-token-of-a-reader-000001');
  await like(cy, 'e2e-token-of-a-reader-000002');
});
after(async () => { await browser?.close(); });

/// Each comment's author and its like button as shown: pressed, its name, its text (none
/// where there is no button).
async function likes(page) {
  return page.locator('article-widget').evaluate((host) =>
    [...host.shadowRoot.querySelectorAll('.aw-comment')].map((comment) => {
      const button = comment.querySelector('button.aw-like');
      return {
        author: comment.querySelector('.aw-comment-author').textContent,
        like: button && {
          pressed: button.getAttribute('aria-pressed'),
          name: button.getAttribute('aria-label'),
          text: button.textContent,
        },
      };
    }));
}

async function mounted(page) {
  await page.goto(`${SERVICE}/read/${ARTICLE}`);
  await live(page);
}

const of = (shown, author) => shown.find((c) => c.author === author).like;

test('a like is shown at once, kept by the service, and undone by a second press', async () => {
  const page = await open(browser);
  await mounted(page);
  assert.deepEqual(of(await likes(page), 'Ann'), { pressed: 'false', name: 'Like, 0 likes', text: '0' });
  const widget = page.locator('article-widget');
  const anns = widget.locator('.aw-comment', { hasText: 'First, and liked' }).locator('button.aw-like');
  const answered = page.waitForResponse((r) => r.url().endsWith('/likes') && r.status() === 200);
  await anns.click();
  assert.deepEqual(of(await likes(page), 'Ann'), { pressed: 'true', name: 'Like, 1 like', text: '1' });
  await answered;
  await mounted(page);
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .querySelector('button.aw-like[aria-pressed=true]'));
  assert.deepEqual(of(await likes(page), 'Ann'), { pressed: 'true', name: 'Like, 1 like', text: '1' },
    'the service keeps it for this browser');
  const undone = page.waitForResponse((r) => r.url().endsWith('/likes') && r.status() === 200);
  await anns.click();
  await undone;
  assert.deepEqual(of(await likes(page), 'Ann'), { pressed: 'false', name: 'Like, 0 likes', text: '0' });
  const listed = await (await fetch(COMMENTS)).json();
  assert.deepEqual(listed.comments.map((c) => [c.author, c.likes]), [['Ann', 0], ['Bob', 0], ['Cy', 2]]);
  assert.deepEqual(page.problems, []);
});

test('a like that fails is put back as it was', async () => {
  const page = await open(browser);
  await mounted(page);
  await page.route('**/likes', (route) => route.abort());
  const bobs = page.locator('article-widget .aw-comment', { hasText: 'Second.' }).locator('button.aw-like');
  // The press is shown at once (pressed, one like) and sent; the failed request puts it back.
  await page.evaluate(() => {
    window.__pressedSeen = false;
    const root = document.querySelector('article-widget').shadowRoot;
    new MutationObserver(() => {
      if (root.querySelector('button.aw-like[aria-pressed=true]')) window.__pressedSeen = true;
    }).observe(root, { subtree: true, attributes: true, attributeFilter: ['aria-pressed'] });
  });
  const failed = page.waitForEvent('requestfailed', (r) => r.url().endsWith('/likes'));
  await bobs.click();
  await failed;
  await page.waitForFunction(() => [...document.querySelector('article-widget').shadowRoot
    .querySelectorAll('button.aw-like')].every((b) => b.getAttribute('aria-pressed') === 'false'));
  assert.deepEqual(of(await likes(page), 'Bob'), { pressed: 'false', name: 'Like, 0 likes', text: '0' });
  assert.ok(await page.evaluate(() => window.__pressedSeen), 'the press was shown before it was put back');
});

test("no like on the reader's own comment", async () => {
  const page = await open(browser);
  await page.addInitScript(([key, token]) => localStorage.setItem(key, token), [TOKEN_KEY, ANNS_TOKEN]);
  await mounted(page);
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .querySelectorAll('button.aw-like').length === 2);
  const shown = await likes(page);
  assert.equal(of(shown, 'Ann'), null, 'Ann wrote it');
  assert.ok(of(shown, 'Bob') && of(shown, 'Cy'));
  assert.deepEqual(page.problems, []);
});

test('"Best first" puts the most liked first', async () => {
  const page = await open(browser);
  await mounted(page);
  const order = page.locator('article-widget .aw-thread-order button');
  assert.deepEqual(await order.allTextContents(), ['Oldest first', 'Newest first', 'Best first']);
  await order.filter({ hasText: 'Best first' }).click();
  assert.equal(await order.filter({ hasText: 'Best first' }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual((await likes(page)).map((c) => c.author), ['Cy', 'Ann', 'Bob']);
  assert.deepEqual(page.problems, []);
});

test('without JavaScript the reading page shows the counts, in the reader\'s language', async () => {
  const page = await open(browser, { javaScriptEnabled: false });
  for (const [lang, name, text] of [
    ['en', 'Like, 2 likes', '2'], ['ru', 'Нравится, 2 отметки', '2'],
    ['ar', 'إعجاب، \u0662 إعجاب', '\u0662'], ['fr', 'J’aime, 2 mentions J’aime', '2'],
  ]) {
    await page.goto(`${SERVICE}/read/${ARTICLE}?lang=${lang}`);
    assert.deepEqual(of(await likes(page), 'Cy'), { pressed: 'false', name, text }, lang);
  }
  assert.deepEqual(page.problems, []);
});

// The button's visible text (a heart and the count, as the language writes its digits) is
// part of its accessible name in every language, as WCAG 2.5.3 (label in name) asks: axe
// finds no violation on a thread with like buttons, pressed and not.
test('like buttons pass axe in every language', async () => {
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  const page = await open(browser);
  for (const lang of ['en', 'de', 'fr', 'ru', 'ar', 'fa']) {
    await page.goto(`${SERVICE}/read/${ARTICLE}?lang=${lang}`);
    await page.locator('article-widget .aw-like').first().waitFor();
    await page.addScriptTag({ path: axe });
    const found = await page.evaluate(async () => (await window.axe.run(document, {
      resultTypes: ['violations'] })).violations.map((v) => `${v.impact} ${v.id} at ${
      v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`));
    assert.deepEqual(found, [], lang);
  }
  assert.deepEqual(page.problems, []);
});
