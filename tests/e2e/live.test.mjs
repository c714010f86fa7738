// Live updates (issue 20) in Chromium against the real service: a comment a moderator
// approves while the page is open shows as "1 new comment. Show" (in a polite live region)
// without moving the reader's focus, place or typing; pressing it inserts the comment and
// moves focus to it; two more read "2 new comments. Show" in the reader's language's plural;
// a like elsewhere changes the count in place; the stream closes when the element leaves the
// page and when the tab stays hidden, and opens again from the last event's id when shown;
// axe finds nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { launch, live, open } from './harness.mjs';
import { BINARY, DATABASE, SERVICE } from './service.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const ARTICLE = 'russia-iran-explainer';
const COMMENTS = `${SERVICE}/api/articles/${ARTICLE}/comments`;
const PASSWORD = 'a live passphrase for the editor';

async function post(author, content) {
  const answer = await fetch(COMMENTS, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(),
      'Comment-Author-Token': `e2e-token-of-${author.toLowerCase()}s-browser-0001` },
    body: JSON.stringify({ parent: null, author, email: `${author.toLowerCase()}@example.com`,
      website: '', content, honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  const text = await answer.text();
  assert.equal(answer.status, 201, text);
  return JSON.parse(text).comment.id;
}

/// Every EventSource the page makes, kept where the test can read its state.
const RECORD_SOURCES = () => {
  const Original = window.EventSource;
  window.__sources = [];
  window.EventSource = class extends Original {
    constructor(...args) {
      super(...args);
      window.__sources.push(this);
    }
  };
};

const sources = (page) => page.evaluate(() => window.__sources.map((s) => ({ url: s.url, state: s.readyState })));

let browser;
let held;
before(async () => {
  browser = await launch();
  const added = spawnSync(BINARY, ['--database', DATABASE, 'moderators', 'add', 'live-editor'],
    { input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr + added.stdout);
  await post('Ann', 'Already there when the page opened.');
  // Held by the command line before any page opens (this service approves every post).
  held = await post('Bob', 'Held, then approved while the page is open.');
  const hold = spawnSync(BINARY, ['--database', DATABASE, 'moderate', 'reject', held], { encoding: 'utf8' });
  assert.equal(hold.status, 0, hold.stderr + hold.stdout);
});
after(async () => { await browser?.close(); });

/// The reading page, its widget live (gone to the comments, as a reader does), with its stream
/// open.
async function reading(page, lang = 'en') {
  await page.addInitScript(RECORD_SOURCES);
  const streaming = page.waitForResponse((r) => r.url().includes(`/api/articles/${ARTICLE}/events`));
  await page.goto(`${SERVICE}/read/${ARTICLE}?lang=${lang}`);
  await live(page);
  assert.equal((await streaming).status(), 200);
  await page.waitForFunction(() => window.__sources.some((s) => s.readyState === 1));
}

const widget = (page) => page.locator('article-widget');
const shownComments = (page) => widget(page).locator('.aw-comment .aw-comment-author').allTextContents();

async function moderatorApproves(id) {
  const page = await open(browser, { bypassCSP: true });
  await page.goto(`${SERVICE}/moderate`);
  await page.getByLabel('Name').fill('live-editor');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/moderate$/);
  await page.goto(`${SERVICE}/moderate?status=all`);
  const card = page.locator('article.card', { hasText: 'Held, then approved' });
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/moderate/act'),
    page.waitForNavigation(),
    card.getByRole('button', { name: 'Approve' }).click(),
  ]);
  await page.context().close();
  const listed = await (await fetch(COMMENTS)).json();
  assert.ok(listed.comments.some((c) => c.id === id), 'approved');
}

test('a comment approved in moderation waits behind "1 new comment. Show"; focus and place are kept', async () => {
  const page = await open(browser);
  await reading(page);
  assert.deepEqual(await shownComments(page), ['Ann']);
  const field = widget(page).locator('form textarea[name="content"]');
  await field.fill('I am typing while it arrives');
  const scrolled = await page.evaluate(() => window.scrollY);

  await moderatorApproves(held);
  const show = widget(page).getByRole('button', { name: '1 new comment. Show' });
  await show.waitFor();
  assert.equal(await widget(page).locator('.aw-live').getAttribute('aria-live'), 'polite');
  assert.deepEqual(await shownComments(page), ['Ann'], 'not inserted before the reader asks');
  assert.equal(await field.inputValue(), 'I am typing while it arrives');
  assert.ok(await field.evaluate((el) => el.getRootNode().activeElement === el), 'focus stays in the field');
  assert.equal(await page.evaluate(() => window.scrollY), scrolled, 'the page did not move');

  await show.click();
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .querySelectorAll('.aw-comment').length === 2);
  assert.deepEqual(await shownComments(page), ['Ann', 'Bob']);
  assert.equal(await show.count(), 0, 'the button is gone');
  const focused = await page.evaluate(() => document.querySelector('article-widget').shadowRoot.activeElement?.textContent ?? '');
  assert.match(focused, /Held, then approved/, 'focus on the comment that came');
  assert.equal(await field.inputValue(), 'I am typing while it arrives', 'nothing typed is lost');

  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => (await window.axe.run(document, {
    resultTypes: ['violations'] })).violations.map((v) => `${v.impact} ${v.id}`));
  assert.deepEqual(found, []);
  assert.deepEqual(page.problems, []);
});

test('two new comments in Russian, and a like counted in place', async () => {
  const page = await open(browser);
  await reading(page, 'ru');
  await post('Cy', 'Third.');
  await post('Di', 'Fourth.');
  await widget(page).getByRole('button', { name: '2 новых комментария. Показать' }).waitFor();

  const likes = widget(page).locator('.aw-comment', { hasText: 'Already there' }).locator('button.aw-like');
  assert.equal(await likes.textContent(), '0');
  const anns = (await (await fetch(COMMENTS)).json()).comments.find((c) => c.author === 'Ann').id;
  const liked = await fetch(`${COMMENTS}/${anns}/likes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Comment-Author-Token': 'e2e-token-of-a-liker-00001' },
    body: '{"liked": true}',
  });
  assert.equal(liked.status, 200);
  await page.waitForFunction(() => [...document.querySelector('article-widget').shadowRoot
    .querySelectorAll('.aw-comment')].some((c) => c.textContent.includes('Already there')
      && c.querySelector('button.aw-like').textContent === '1'));
  assert.equal(await likes.getAttribute('aria-pressed'), 'false', 'not this reader\'s like');
  assert.deepEqual(page.problems, []);
});

test('the stream closes when the tab stays hidden and when the element leaves; it resumes from its last id', async () => {
  const page = await open(browser);
  await page.clock.install();
  await reading(page);
  const hide = (hidden) => page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

  await hide(true);
  await page.clock.runFor(5_000);
  assert.equal((await sources(page))[0].state, 1, 'a short glance away keeps it');
  await page.clock.runFor(30_000);
  assert.deepEqual((await sources(page)).map((s) => s.state), [2], 'closed after 30 s hidden');

  const comeBack = page.waitForResponse((r) => r.url().includes('/events?last_event_id='));
  await hide(false);
  assert.equal((await comeBack).status(), 200, 'opened again from the last id');
  await page.waitForFunction(() => window.__sources.length === 2 && window.__sources[1].readyState === 1);

  await page.evaluate(() => document.querySelector('article-widget').remove());
  await page.waitForFunction(() => window.__sources.every((s) => s.readyState === 2));
  assert.deepEqual(page.problems, []);
});
