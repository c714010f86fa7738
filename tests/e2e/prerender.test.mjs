// The article first, from the server: the reading page the comment service prerenders
// (/read/{id}), with JavaScript off (a reader who blocks it, a crawler, a link unfurler) and on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { THREAD_READ_PROBE, launch, open, threadsRead, live } from './harness.mjs';
import { DATABASE, SERVICE } from './service.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('without JavaScript the prerendered article is all there', async () => {
  const page = await open(browser, { javaScriptEnabled: false });
  await page.goto(`${SERVICE}/read/russia-iran-treaty`);
  const widget = page.locator('article-widget');
  assert.equal(await widget.locator('h1').textContent(), 'Russia and Iran sign a cooperation treaty in the Kremlin');
  assert.equal(await widget.locator('.aw-kicker').textContent(), 'Breaking News');
  assert.equal(await widget.locator('.aw-body > p').count(), 21, 'every paragraph');
  const image = widget.locator('figure.aw-figure--featured img');
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await image.elementHandle());
  // Styled by its own sheet inside the shadow root: the kicker's 700 weight and 0.08em
  // letter-spacing are the widget's rules, not a browser default.
  const kicker = await widget.locator('.aw-kicker').evaluate((el) => {
    const style = getComputedStyle(el);
    return { weight: style.fontWeight, spacing: style.letterSpacing, size: style.fontSize };
  });
  assert.equal(kicker.weight, '700');
  assert.equal(kicker.spacing, `${(parseFloat(kicker.size) * 0.08).toFixed(2).replace(/\.?0+$/, '')}px`);
  assert.equal(await page.title(), 'Russia and Iran sign a cooperation treaty in the Kremlin');
  const structured = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
  assert.equal(structured['@type'], 'NewsArticle');
  assert.deepEqual(page.problems, []);
});

test('with JavaScript the widget takes over with the article it was given: no second fetch', async () => {
  const page = await open(browser);
  // Once mounted, the widget asks for the thread's latest comments; an article it fetched
  // would have been asked for before that (the thread's address comes with the article).
  const listed = page.waitForEvent('requestfinished', (request) => request.url().includes('/api/articles/russia-iran-treaty/comments'));
  await page.goto(`${SERVICE}/read/russia-iran-treaty`);
  const widget = page.locator('article-widget');
  // The server's markup already has the thread: wait for the widget itself.
  await live(page);
  await listed;
  assert.equal(await widget.locator('h1').textContent(), 'Russia and Iran sign a cooperation treaty in the Kremlin');
  assert.equal(await widget.locator('.aw-comment-form').count(), 1, 'the comment section comes with the widget');
  const fetched = page.requests.filter((url) => url.endsWith('russia-iran-treaty.json'));
  assert.deepEqual(fetched, [], 'the article came with the page');
  assert.deepEqual(page.problems, []);
});

test('without JavaScript a reader comments through the plain form, and a refusal keeps the text', async () => {
  const page = await open(browser, { javaScriptEnabled: false });
  await page.goto(`${SERVICE}/read/russia-iran-explainer`);
  const widget = page.locator('article-widget');
  assert.ok(await widget.locator('nav.aw-related a').count() > 0, 'related links without JavaScript');
  // The service refuses a form sent within 3 s of being shown (a bot's speed).
  await page.waitForTimeout(3100);
  await widget.locator('textarea[name=content]').fill('A comment from a browser without JavaScript.');
  await widget.locator('input[name=author]').fill('Nora');
  await widget.locator('input[name=email]').fill('nora@');
  await widget.locator('button[type=submit]').click();
  await page.waitForLoadState();
  // Refused: the errors, and everything typed.
  assert.match(await widget.locator('.aw-error-summary').textContent(), /There is a problem/);
  assert.equal(await widget.locator('textarea[name=content]').inputValue(), 'A comment from a browser without JavaScript.');
  assert.equal(await widget.locator('input[name=email]').inputValue(), 'nora@');
  await page.waitForTimeout(3100);
  await widget.locator('input[name=email]').fill('nora@example.com');
  await widget.locator('button[type=submit]').click();
  await page.waitForLoadState();
  // Accepted: back on the article, the comment in the thread (this service approves all).
  assert.match(page.url(), /\/read\/russia-iran-explainer#comment-[0-9a-f]+$/, "back at the comment");
  await widget.locator('.aw-thread .aw-comment').filter({ hasText: 'A comment from a browser without JavaScript.' }).waitFor();
  assert.deepEqual(page.problems.filter((p) => !p.includes('HTTP 422')), []);
});

test('what a reader types before the widget takes over is kept, with the focus', async () => {
  const page = await open(browser);
  await page.addInitScript(THREAD_READ_PROBE);
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/article-widget.js', async (route) => { await gate; await route.continue(); });
  await page.goto(`${SERVICE}/read/russia-iran-treaty`, { waitUntil: 'commit' });
  const widget = page.locator('article-widget');
  await widget.locator('textarea[name=content]').waitFor();
  await widget.locator('input[name=author]').fill('Early Reader');
  await widget.locator('textarea[name=content]').fill('Typed before any script ran');
  release();
  await live(page);
  // Taken over, and its thread read and rendered: whatever the widget would redo, it has.
  await threadsRead(page);
  // The caret goes back in the next frame (embed's refocus).
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot.activeElement?.name === 'content');
  assert.equal(await widget.locator('textarea[name=content]').inputValue(), 'Typed before any script ran');
  assert.equal(await widget.locator('input[name=author]').inputValue(), 'Early Reader');
  assert.deepEqual(page.problems, []);
});

// Hydration: the nodes the server sent are the nodes the reader keeps. The loader is held back
// until the prerendered nodes are marked; then the very same elements must still be there,
// with their dates now in the reader's time zone, and no error (a mismatch would panic).
const KEPT = 'h1, .aw-kicker, .aw-body > *, figure img, .aw-dates time, .aw-related a, .aw-comments h2, .aw-comment, textarea, .aw-comments--closed p';
for (const id of ['russia-iran-treaty', 'iran-russia-treaty-fa', 'russia-iran-explainer', 'corrections']) {
  test(`hydration keeps the server's nodes: ${id}`, async () => {
    const page = await open(browser);
    await page.addInitScript(THREAD_READ_PROBE);
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    await page.route('**/article-widget.js', async (route) => { await gate; await route.continue(); });
    await page.goto(`${SERVICE}/read/${id}`, { waitUntil: 'commit' });
    await page.waitForFunction(() => document.querySelector('article-widget')?.shadowRoot?.querySelector('.aw-body'));
    const marked = await page.evaluate((selector) => {
      window.__marked = [...document.querySelector('article-widget').shadowRoot.querySelectorAll(selector)];
      return window.__marked.length;
    }, KEPT);
    assert.ok(marked > 5, `${marked} nodes marked`);
    release();
    await live(page);
    // Past hydration's second render (the dates move to the reader's zone in it) and, where
    // comments are open, past the render of the thread it reads: a node it re-creates is
    // re-created by then.
    await page.waitForFunction(() => !/UTC/.test(document.querySelector('article-widget').shadowRoot.querySelector('.aw-dates time').textContent));
    if (await page.locator('article-widget .aw-comments--closed').count() === 0) await threadsRead(page);
    const kept = await page.evaluate((selector) => {
      const now = [...document.querySelector('article-widget').shadowRoot.querySelectorAll(selector)];
      return { count: now.length, same: now.every((el, i) => el === window.__marked[i] && el.isConnected) };
    }, KEPT);
    assert.deepEqual(kept, { count: marked, same: true }, 'the very same elements, none re-created');
    const widget = page.locator('article-widget');
    assert.doesNotMatch(await widget.locator('.aw-dates time').first().textContent(), /UTC/, 'the date in the reader\'s zone');
    if (id === 'corrections') assert.equal(await widget.locator('figure').count(), 0, 'no image, no figure');
    // It is live: a click on "Back to top" or typing reaches the widget's own handlers.
    if (await widget.locator('textarea[name=content]').count()) {
      await widget.locator('button[type=submit]').click();
      await widget.locator('.aw-error-summary').waitFor();
    }
    assert.deepEqual(page.problems, []);
  });
}

test('hydration restores the reader\'s stored draft and details instead of erasing them', async () => {
  const page = await open(browser);
  await page.addInitScript(THREAD_READ_PROBE);
  await page.goto(`${SERVICE}/read/corrections`);
  await live(page);
  const widget = page.locator('article-widget');
  await widget.locator('input[name=author]').fill('Returning Reader');
  await widget.locator('input[id$="-consent"]').check();
  await widget.locator('textarea[name=content]').fill('A draft kept between visits');
  // Stored (the widget writes both as they change), so the reload has something to restore.
  await page.waitForFunction(() => Object.values(localStorage).join(' ').includes('A draft kept between visits')
    && (localStorage.getItem('article-widget:identity') ?? '').includes('Returning Reader'));
  await page.reload();
  await live(page);
  await threadsRead(page);
  assert.equal(await widget.locator('textarea[name=content]').inputValue(), 'A draft kept between visits');
  assert.equal(await widget.locator('input[name=author]').inputValue(), 'Returning Reader');
  assert.ok(await widget.locator('input[id$="-consent"]').isChecked(), 'consent as the reader left it');
  assert.deepEqual(page.problems, []);
});

test('a refused form\'s page (a state only the server had) is taken over by rendering, not hydration', async () => {
  const page = await open(browser);
  await page.addInitScript(THREAD_READ_PROBE);
  // The plain form, posted before the widget took over: the loader is held back.
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/article-widget.js', async (route) => { await gate; await route.continue(); });
  await page.goto(`${SERVICE}/read/russia-iran-explainer`, { waitUntil: 'commit' });
  const widget = page.locator('article-widget');
  await widget.locator('textarea[name=content]').waitFor();
  await widget.locator('textarea[name=content]').fill('Sent before the script ran');
  await widget.locator('button[type=submit]').click();
  // (Not the load event: the held-back module script holds it back too.)
  await page.waitForURL('**/comments', { waitUntil: 'commit' });
  await widget.locator('.aw-error-summary').waitFor();
  assert.equal(await page.evaluate(() => document.querySelector('article-widget').hasAttribute('data-aw-hydrate')), false);
  release();
  await live(page);
  await threadsRead(page);
  assert.equal(await widget.locator('textarea[name=content]').inputValue(), 'Sent before the script ran');
  assert.deepEqual(page.problems.filter((p) => !p.includes('HTTP 422')), []);
});

test('without JavaScript a reader replies to a comment, as on WordPress (?replytocom=)', async () => {
  const api = `${SERVICE}/api/articles/russia-iran-treaty/comments`;
  const posted = await fetch(api, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ parent: null, author: 'Olga', email: 'olga@example.com', website: '',
      content: 'A comment to answer.', honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  assert.equal(posted.status, 201);
  const page = await open(browser, { javaScriptEnabled: false });
  await page.goto(`${SERVICE}/read/russia-iran-treaty`);
  const widget = page.locator('article-widget');
  const olga = widget.locator('.aw-comment', { hasText: 'A comment to answer.' });
  await olga.getByRole('button', { name: /Olga/ }).click();
  await page.waitForURL(/\?replytocom=/);
  // The form is under that comment now, saying whom it answers.
  const form = widget.locator('.aw-thread-form form');
  assert.match(await widget.locator('.aw-thread-form').textContent(), /Leave a Reply to Olga/);
  await page.waitForTimeout(3100);
  await form.locator('textarea[name=content]').fill('An answer without a script.');
  await form.locator('input[name=author]').fill('Pavel');
  await form.locator('input[name=email]').fill('pavel@example.com');
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/#comment-/);
  const reply = widget.locator('.aw-comment.aw-depth-2', { hasText: 'An answer without a script.' });
  await reply.waitFor();
  assert.match(await reply.textContent(), /In reply to Olga/);
  assert.deepEqual(page.problems, []);
});

test('a reader asks to hear of replies: the box goes with the comment, with and without JavaScript', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/read/corrections`);
  await live(page);
  const widget = page.locator('article-widget');
  await page.waitForTimeout(3100);
  await widget.locator('textarea[name=content]').fill('Tell me when someone answers.');
  await widget.locator('input[name=author]').fill('Quinn');
  await widget.locator('input[name=email]').fill('quinn@example.com');
  await widget.getByLabel('Notify me of follow-up comments by email.').check();
  const posted = page.waitForRequest((request) => request.method() === 'POST' && request.url().includes('/comments'));
  await widget.locator('button[type=submit]').click();
  assert.equal(JSON.parse((await posted).postData()).notify, true);
  await widget.locator('.aw-comment', { hasText: 'Tell me when someone answers.' }).waitFor();
  assert.deepEqual(page.problems, []);

  // Without JavaScript: the plain form, ticked and posted; the service must have stored the
  // wish with the comment (what the mail worker reads), and not for a comment without it.
  const plain = await open(browser, { javaScriptEnabled: false });
  const stored = [];
  for (const notify of [true, false]) {
    await plain.goto(`${SERVICE}/read/corrections`);
    const form = plain.locator('article-widget form.aw-comment-form');
    await plain.waitForTimeout(3100); // the service refuses a form sent within 3 s of being shown
    await form.locator('textarea[name=content]').fill(`Without a script, notify ${notify}.`);
    await form.locator('input[name=author]').fill('Quinn');
    await form.locator('input[name=email]').fill('quinn@example.com');
    if (notify) await form.getByLabel('Notify me of follow-up comments by email.').check();
    const [posted] = await Promise.all([
      plain.waitForRequest((request) => request.method() === 'POST'),
      plain.waitForURL(/#comment-[0-9a-f]+$/),
      form.locator('button[type=submit]').click(),
    ]);
    assert.equal(new URLSearchParams(posted.postData()).get('notify'), notify ? '1' : null, 'what the form sent');
    const id = plain.url().split('#comment-')[1];
    stored.push(storedNotify(id));
  }
  assert.deepEqual(stored, ['1', '0'], 'notify stored with the ticked comment only');
  assert.deepEqual(plain.problems, []);
});

/// The `notify` column of a stored comment, read from the service's SQLite database.
function storedNotify(id) {
  assert.match(id, /^[0-9a-f]+$/);
  const file = DATABASE.replace(/^sqlite:\/\//, '');
  return execFileSync('sqlite3', ['-readonly', file, `SELECT notify FROM comments WHERE id = '${id}'`], { encoding: 'utf8' }).trim();
}
