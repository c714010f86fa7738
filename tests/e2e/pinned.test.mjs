// Pinned comments and badges (issue 20) in Chromium against the real service: a moderator pins
// a comment from the moderation area (the queue shows "Pinned" and the badges, axe clean); the
// reading page, hydrated, shows the pinned thread first with "Pinned" in every order, and the
// badges of comments posted under the publisher's sign-in (a token whose roles name
// "moderator"; the account the article names as its author), in English and German, axe
// clean, with the publisher's word for the author badge (`--badge-author`, the service's flag
// for its pages) and for the moderator badge (`badge-moderator`, the widget's attribute); the
// same without JavaScript, in French.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { launch, open, live } from './harness.mjs';

const SECRET = 'the publisher and the comments share this, 32+ bytes';
const ISSUER = 'https://news.example';
const AUDIENCE = 'comments-e2e';
// The service this file starts reads these from the environment.
process.env.COMMENTS_SSO_HS256_SECRET = SECRET;
process.env.COMMENTS_SSO_AUDIENCE = AUDIENCE;
process.env.COMMENTS_SSO_ISSUER = ISSUER;
process.env.COMMENTS_BADGE_AUTHOR = 'Newsroom';
const { BINARY, DATABASE, SERVICE } = await import('./service.mjs');

// The article names its author's account: "authors": [{ "name": "Foreign Desk", …,
// "account": "https://news.example|foreign-desk" }, …].
const ARTICLE = 'russia-iran-explainer';
const COMMENTS = `${SERVICE}/api/articles/${ARTICLE}/comments`;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PASSWORD = 'a moderator passphrase';

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/// A token as the publisher's server signs it.
function token(sub, name, roles) {
  const head = base64url({ alg: 'HS256', typ: 'JWT' });
  const body = base64url({ iss: ISSUER, aud: AUDIENCE, sub, name, roles,
    exp: Math.floor(Date.now() / 1000) + 600 });
  const signature = createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

async function post(content, { author = '', signedIn = null } = {}) {
  const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() };
  if (signedIn) headers.Authorization = `Bearer ${signedIn}`;
  const answer = await fetch(COMMENTS, {
    method: 'POST',
    headers,
    // A forged badge in the body is ignored: only the token's word counts.
    body: JSON.stringify({ parent: null, author, email: author ? `${author.toLowerCase()}@example.com` : '',
      website: '', content, honeypot: '', rendered_at: Date.now() - 10_000,
      badges: ['moderator'], pinned: true }),
  });
  const text = await answer.text();
  assert.equal(answer.status, 201, text);
  return JSON.parse(text).comment;
}

let browser;
before(async () => {
  browser = await launch();
  const added = spawnSync(BINARY, ['--database', DATABASE, 'moderators', 'add', 'pinning-editor'],
    { input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr + added.stdout);
  await post('First, from a reader.', { author: 'Ann' });
  await post('From the desk: thank you all.', { signedIn: token('mo-1', 'Mo Derator', ['moderator']) });
  await post('The author answers here.', { signedIn: token('foreign-desk', 'Foreign Desk', 'editor') });
  const pin = await post('Pin me: the most useful answer.', { author: 'Zed' });
  assert.equal(pin.badges, undefined, 'a forged badge is not taken');
  assert.equal(pin.pinned, undefined);
});
after(async () => { await browser?.close(); });

async function violations(page, include) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate((include) => window.axe.run(
    include ? { include } : document, { resultTypes: ['violations'] }), include);
  return result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/// The thread as shown: each top-level comment's author and its marks' words, in order.
async function shown(page) {
  return page.evaluate(() => {
    const host = document.querySelector('article-widget');
    const root = host.shadowRoot ?? host;
    return [...root.querySelectorAll('.aw-comment.aw-depth-1')].map((comment) => [
      comment.querySelector('.aw-comment-author').textContent,
      [...comment.querySelectorAll('.aw-badge, .aw-pinned')].map((mark) => mark.textContent),
    ]);
  });
}

async function reading(page, query = '') {
  await page.goto(`${SERVICE}/read/${ARTICLE}${query}`);
  await live(page);
}

test('a moderator pins a comment from the queue, which says so', async () => {
  // The area's own policy allows no script; axe is injected past it.
  const page = await open(browser, { bypassCSP: true });
  await page.goto(`${SERVICE}/moderate`);
  await page.getByLabel('Name').fill('pinning-editor');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/moderate$/);
  await page.goto(`${SERVICE}/moderate?status=approved`);
  const card = page.locator('article.card', { hasText: 'Pin me' });
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/moderate/act'),
    page.waitForNavigation(),
    card.getByRole('button', { name: 'Pin', exact: true }).click(),
  ]);
  assert.equal(answer.status(), 303);
  assert.match(await card.locator('.badge').allTextContents().then((t) => t.join(' ')), /Pinned/);
  assert.ok(await card.getByRole('button', { name: 'Unpin' }).isVisible());
  const desk = page.locator('article.card', { hasText: 'From the desk' });
  assert.deepEqual(await desk.locator('.badge').allTextContents(), ['Moderator']);
  assert.deepEqual(await violations(page), [], 'the queue passes axe');
  await page.goto(`${SERVICE}/moderate/audit`);
  assert.match(await page.textContent('table'), /pinning-editor\s*pin/);
});

test('the reading page shows the pinned thread first with "Pinned", and the badges, axe clean', async () => {
  const page = await open(browser);
  await reading(page);
  const expected = [
    ['Zed', ['Pinned']],
    ['Ann', []],
    ['Mo Derator', ['Moderator']],
    ['Foreign Desk', ['Newsroom']],
  ];
  assert.deepEqual(await shown(page), expected);
  assert.deepEqual(await violations(page, [['article-widget', '.aw-thread']]), [], 'the thread passes axe');
  const order = page.locator('article-widget .aw-thread-order button');
  await order.filter({ hasText: 'Newest first' }).click();
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .querySelector('.aw-thread-order button[aria-pressed=true]').textContent === 'Newest first');
  assert.deepEqual((await shown(page)).map(([author]) => author),
    ['Zed', 'Foreign Desk', 'Mo Derator', 'Ann'], 'still first, newest first after it');
  // The publisher's word for the moderator badge, as the element's attribute.
  await page.locator('article-widget').evaluate((host) => host.setAttribute('badge-moderator', 'Staff'));
  await page.waitForFunction(() => [...document.querySelector('article-widget').shadowRoot
    .querySelectorAll('.aw-badge')].some((badge) => badge.textContent === 'Staff'));
  assert.deepEqual(page.problems, [], 'hydrated without a mismatch');
});

test('in German, and in French without JavaScript', async () => {
  const page = await open(browser);
  await reading(page, '?lang=de');
  assert.deepEqual(await shown(page), [
    ['Zed', ['Angeheftet']],
    ['Ann', []],
    ['Mo Derator', ['Moderation']],
    ['Foreign Desk', ['Newsroom']],
  ]);
  assert.deepEqual(await violations(page, [['article-widget', '.aw-thread']]), []);
  assert.deepEqual(page.problems, []);
  const still = await open(browser, { javaScriptEnabled: false });
  await still.goto(`${SERVICE}/read/${ARTICLE}?lang=fr`);
  assert.deepEqual(await shown(still), [
    ['Zed', ['Épinglé']],
    ['Ann', []],
    ['Mo Derator', ['Modération']],
    ['Foreign Desk', ['Newsroom']],
  ]);
});
