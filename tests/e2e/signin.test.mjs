// Signing in with the publisher's accounts (issue 20), in Chromium against the real service:
// the host page (static/host/signed-in.html) gives the widget a token signed here with the
// service's shared secret (HS256); the form comments under the account's name without the
// name and email fields; a token the service refuses is said in plain words and the anonymous
// form returns with everything typed; the token travels in a header, never in a URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { launch, open, live } from './harness.mjs';

const SECRET = 'the publisher and the comments share this, 32+ bytes';
const ISSUER = 'https://news.example';
const AUDIENCE = 'comments-e2e';
// The service this file starts reads its sign-in settings from the environment.
process.env.COMMENTS_SSO_HS256_SECRET = SECRET;
process.env.COMMENTS_SSO_AUDIENCE = AUDIENCE;
process.env.COMMENTS_SSO_ISSUER = ISSUER;
const { SERVICE } = await import('./service.mjs');

const HOST_PAGE = `${SERVICE}/static/host/signed-in.html`;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/// axe's findings in the comment form (this file's concern; the page's are a11y.test.mjs's).
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(
    { include: [['article-widget', '.aw-respond']] }, { resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/// A token as the publisher's server signs it.
function token({ name = 'Ann Signed', sub = 'ann-1', secret = SECRET, expiresIn = 600 } = {}) {
  const head = base64url({ alg: 'HS256', typ: 'JWT' });
  const body = base64url({ iss: ISSUER, aud: AUDIENCE, sub, name,
    exp: Math.floor(Date.now() / 1000) + expiresIn });
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function mounted(page) {
  await page.goto(HOST_PAGE);
  await live(page);
  const widget = page.locator('article-widget');
  await widget.locator('textarea[name=content]').waitFor();
  return widget;
}

/// Headers of the comment POSTs the page sent.
function recordPosts(page) {
  const posts = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') posts.push({ url: request.url(), headers: request.headers() });
  });
  return posts;
}

test('a signed-in reader comments under their account, without name or email', async () => {
  const page = await open(browser);
  const posts = recordPosts(page);
  const widget = await mounted(page);
  const signed = token();
  await page.locator('article-widget').evaluate((host, value) => { host.token = value; }, signed);
  await widget.locator('.aw-signed-in').waitFor();
  assert.equal((await widget.locator('.aw-signed-in').textContent()).trim(),
    'Commenting as Ann Signed. Comment without your account');
  assert.equal(await widget.locator('input[name=author], input[name=email]').count(), 0);
  assert.deepEqual(await violations(page), [], 'the signed-in form passes axe');
  await page.waitForTimeout(3100); // the service refuses a form sent within 3 s of being shown
  await widget.locator('textarea[name=content]').fill('Written as my account.');
  await widget.locator('button[type=submit]').click();
  const mine = widget.locator('.aw-comment', { hasText: 'Written as my account.' });
  await mine.waitFor();
  assert.equal(await mine.locator('.aw-comment-author').first().textContent(), 'Ann Signed');
  assert.equal(posts.length, 1);
  assert.equal(posts[0].headers.authorization, `Bearer ${signed}`, 'in a header');
  assert.ok(page.requests.every((url) => !url.includes(signed.split('.')[2])), 'never in a URL');
  // The public list shows the account's name, as every reader sees it.
  const list = await (await fetch(`${SERVICE}/api/articles/corrections/comments`)).json();
  const stored = list.comments.find((c) => c.content === 'Written as my account.');
  assert.equal(stored.author, 'Ann Signed');
  assert.deepEqual(page.problems, []);
});

test('a refused token brings back the anonymous form with everything typed', async () => {
  const page = await open(browser);
  const widget = await mounted(page);
  // Before signing in, the reader had typed a name: it is still there afterwards.
  await widget.locator('input[name=author]').fill('Bea');
  const forged = token({ name: 'Bea Forged', secret: 'a guess at the publisher secret, long' });
  await page.locator('article-widget').evaluate((host, value) => host.setAttribute('token', value), forged);
  await widget.locator('.aw-signed-in').waitFor();
  await page.waitForTimeout(3100);
  await widget.locator('textarea[name=content]').fill('Kept whatever happens.');
  await widget.locator('button[type=submit]').click();
  const status = widget.locator('.aw-post-status');
  await status.getByText('Your sign-in was refused').waitFor();
  assert.equal(await widget.locator('.aw-signed-in').count(), 0, 'the anonymous form returns');
  assert.equal(await widget.locator('textarea[name=content]').inputValue(), 'Kept whatever happens.');
  assert.equal(await widget.locator('input[name=author]').inputValue(), 'Bea');
  assert.deepEqual(page.problems.map((p) => p.replace(/: .*/, '')), ['HTTP 401'], 'only the refusal');
  assert.deepEqual(await violations(page), [], 'the refusal passes axe');
  // Now anonymously, as the message says.
  await widget.locator('input[name=email]').fill('bea@example.com');
  await widget.locator('button[type=submit]').click();
  const posted = widget.locator('.aw-comment', { hasText: 'Kept whatever happens.' });
  await posted.waitFor();
  assert.equal(await posted.locator('.aw-comment-author').first().textContent(), 'Bea');
});

test('the reader may comment anonymously instead, and an expired token is not offered', async () => {
  const page = await open(browser);
  const widget = await mounted(page);
  await page.locator('article-widget').evaluate((host, value) => { host.token = value; }, token());
  await widget.locator('.aw-signed-in button').click();
  await widget.locator('input[name=author]').waitFor();
  assert.equal(await widget.locator('.aw-signed-in').count(), 0);
  // The page hands over a new token (its session renewed): the form signs in again.
  await page.locator('article-widget').evaluate((host, value) => { host.token = value; }, token({ sub: 'ann-2', name: 'Ann Renewed' }));
  await widget.locator('.aw-signed-in', { hasText: 'Ann Renewed' }).waitFor();
  // An expired one leaves the form anonymous without asking the service.
  const expired = token({ expiresIn: -60 });
  const carried = [];
  page.on('request', (request) => {
    if ((request.headers().authorization ?? '').includes(expired)) carried.push(request.url());
  });
  // Signed out, the widget reads its list again, as anyone's: answered, it has decided.
  const relisted = page.waitForResponse((r) => r.request().method() === 'GET'
    && /\/api\/articles\/[^/]+\/comments/.test(r.url()) && !r.request().headers().authorization);
  await page.locator('article-widget').evaluate((host, value) => { host.token = value; }, expired);
  await widget.locator('input[name=author]').waitFor();
  await relisted;
  assert.deepEqual(carried, [], 'the expired token is sent nowhere');
  assert.deepEqual(page.problems, []);
});

test('"Commenting as" in every interface language, the name isolated', async () => {
  const page = await open(browser);
  const widget = await mounted(page);
  await page.locator('article-widget').evaluate((host, value) => { host.token = value; }, token({ name: 'Ann' }));
  for (const [lang, words] of [
    ['en', 'Commenting as'], ['de', 'Du kommentierst als'], ['fr', 'Vous commentez en tant que'],
    ['ru', 'Вы комментируете как'], ['ar', 'تعلّق باسم'], ['fa', 'دیدگاه می‌نویسید'],
  ]) {
    await page.locator('article-widget').evaluate((host, value) => host.setAttribute('lang', value), lang);
    const line = widget.locator('.aw-signed-in');
    await line.getByText(words).waitFor();
    assert.equal(await line.locator('bdi').textContent(), 'Ann', lang);
  }
  assert.deepEqual(page.problems, []);
});

test('a prerendered reading page given a token hydrates, then signs in', async () => {
  const page = await open(browser);
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/article-widget.js', async (route) => { await gate; await route.continue(); });
  await page.goto(`${SERVICE}/read/corrections`, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.querySelector('article-widget')?.shadowRoot?.querySelector('input[name=author]'));
  // The server rendered the anonymous form (it has no token); the page's script adds one.
  await page.locator('article-widget').evaluate((host, value) => host.setAttribute('token', value), token({ name: 'Cy' }));
  const field = await page.evaluateHandle(() => document.querySelector('article-widget').shadowRoot.querySelector('textarea[name=content]'));
  release();
  await live(page);
  const widget = page.locator('article-widget');
  await widget.locator('.aw-signed-in', { hasText: 'Cy' }).waitFor();
  assert.ok(await field.evaluate((el) => el.isConnected), "hydrated: the server's field adopted, not re-created");
  assert.deepEqual(page.problems, []);
});

test('without JavaScript there is no token: the reading page keeps the anonymous form', async () => {
  const page = await open(browser, { javaScriptEnabled: false });
  await page.goto(`${SERVICE}/read/corrections`);
  const widget = page.locator('article-widget');
  assert.equal(await widget.locator('input[name=author]').count(), 1);
  assert.equal(await widget.locator('.aw-signed-in').count(), 0);
});

test('the token goes only to the page\'s origin or one it names in token-origin', async () => {
  // An article whose comments URL names another origin (the same service, reached as
  // `localhost`: to the browser, another server), as a syndicated or hostile article might.
  const elsewhere = SERVICE.replace('127.0.0.1', 'localhost');
  assert.notEqual(elsewhere, SERVICE);
  const page = await open(browser);
  await page.goto(HOST_PAGE);
  const warnings = [];
  page.on('console', (message) => { if (message.type() === 'warning') warnings.push(message.text()); });
  const sentElsewhere = [];
  page.on('request', (request) => {
    if (request.url().startsWith(elsewhere)) sentElsewhere.push(request.headers());
  });
  await page.evaluate(async ({ elsewhere, signed }) => {
    const article = await (await fetch('../articles/corrections.json')).json();
    article.comments.url = `${elsewhere}/api/articles/corrections/comments`;
    const src = URL.createObjectURL(new Blob([JSON.stringify(article)], { type: 'application/json' }));
    const widget = document.createElement('article-widget');
    widget.setAttribute('src', src);
    widget.setAttribute('token', signed);
    document.querySelector('main').replaceChildren(widget);
  }, { elsewhere, signed: token({ name: 'Ann Elsewhere' }) });
  const widget = page.locator('article-widget');
  await widget.locator('textarea[name=content]').waitFor();
  // The widget says why it held the token back; by then the form has decided.
  await assertEventually(() => warnings.some((w) => w.includes('sign-in token is not sent')),
    `the held-back token is said to the developer (warnings: ${JSON.stringify(warnings)})`);
  assert.equal(await widget.locator('.aw-signed-in').count(), 0, 'no "Commenting as" for a foreign API');
  await widget.locator('input[name=author]').waitFor();
  assert.ok(sentElsewhere.every((headers) => !('authorization' in headers)),
    'no request to the other origin carries the token');
  // The page names that origin: the form signs in.
  await widget.evaluate((host, origin) => host.setAttribute('token-origin', `https://unrelated.example ${origin}`), elsewhere);
  await widget.locator('.aw-signed-in', { hasText: 'Ann Elsewhere' }).waitFor();
});

/// Waits (up to 5 s) for `check` to hold, polling; fails with `message` if it never does.
async function assertEventually(check, message) {
  const until = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > until) assert.fail(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a signed-in reader\'s like is the account\'s, in any browser', async () => {
  const posted = await fetch(`${SERVICE}/api/articles/corrections/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ parent: null, author: 'Liked Writer', email: 'liked@example.com', website: '',
      content: 'A comment an account likes.', honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  assert.equal(posted.status, 201, await posted.clone().text());
  const account = token({ name: 'Ann Liker', sub: 'ann-liker' });
  const likeOf = (widget) => widget.locator('.aw-comment', { hasText: 'A comment an account likes.' }).locator('button.aw-like');
  // The first browser likes it, signed in.
  const first = await open(browser);
  const widget = await mounted(first);
  await first.locator('article-widget').evaluate((host, value) => { host.token = value; }, account);
  await widget.locator('.aw-signed-in').waitFor();
  const liked = first.waitForResponse((r) => r.url().endsWith('/likes') && r.status() === 200);
  await likeOf(widget).click();
  const answer = await liked;
  assert.match(answer.request().headers().authorization ?? '', /^Bearer /, 'the like carries the account');
  // A second browser (another author token), same account: the like shows as its own, and
  // a press there undoes it.
  const second = await open(browser);
  const other = await mounted(second);
  await second.locator('article-widget').evaluate((host, value) => { host.token = value; }, account);
  await other.locator('.aw-comment', { hasText: 'A comment an account likes.' })
    .locator('button.aw-like[aria-pressed=true]').waitFor();
  assert.equal((await likeOf(other).textContent()).trim(), '1');
  const undone = second.waitForResponse((r) => r.url().endsWith('/likes') && r.status() === 200);
  await likeOf(other).click();
  await undone;
  const listed = await (await fetch(`${SERVICE}/api/articles/corrections/comments`)).json();
  assert.equal(listed.comments.find((c) => c.content === 'A comment an account likes.').likes, 0,
    'one account, one like, undone from the other browser');
  assert.deepEqual([...first.problems, ...second.problems], []);
});

test('a signed-in reader edits their comment from another browser', async () => {
  const account = token({ name: 'Ann Editor', sub: 'ann-editor' });
  // Written under the account from somewhere else (another browser: another author token).
  const posted = await fetch(`${SERVICE}/api/articles/corrections/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(),
      Authorization: `Bearer ${account}` },
    body: JSON.stringify({ parent: null, author: '', email: '', website: '',
      content: 'Written under the account.', honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  assert.equal(posted.status, 201, await posted.clone().text());
  const page = await open(browser);
  const widget = await mounted(page);
  const hers = widget.locator('.aw-comment', { hasText: 'Written under the account.' });
  await hers.waitFor();
  assert.equal(await hers.locator('.aw-own-action').count(), 0, 'not this browser\'s until signed in');
  await page.locator('article-widget').evaluate((host, value) => { host.token = value; }, account);
  await hers.getByRole("button", { name: "Edit", exact: true }).click();
  await widget.locator('.aw-edit textarea').fill('Edited under the account.');
  const answered = page.waitForResponse((r) => r.url().endsWith('/edit'));
  await widget.locator('.aw-edit').getByRole('button', { name: 'Save' }).click();
  const answer = await answered;
  assert.equal(answer.status(), 200, await answer.text());
  assert.match(answer.request().headers().authorization ?? '', /^Bearer /);
  await widget.locator('.aw-comment', { hasText: 'Edited under the account.' }).waitFor();
  assert.deepEqual(page.problems, []);
});
