// Edit and delete your own comment (issue 20) in Chromium against the real service: Edit in
// place, kept by the service and shown "edited" with its time (after a reload too, and on the
// reading page without JavaScript); Cancel changes nothing; a failed edit keeps the typed text
// with its reason; Delete asks first, then removes a comment without replies and leaves
// "This comment was deleted." where there are replies; nothing on someone else's comment;
// axe finds nothing in any of it, in every language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, live, open } from './harness.mjs';
import { SERVICE } from './service.mjs';

const ARTICLE = 'russia-iran-explainer';
const COMMENTS = `${SERVICE}/api/articles/${ARTICLE}/comments`;
const TOKEN_KEY = 'article-widget:author-token';
const ANNS_TOKEN = 'e2e-token-of-anns-browser-01';
const BOBS_TOKEN = 'e2e-token-of-bobs-browser-01';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function post(author, content, token, parent = null) {
  const answer = await fetch(COMMENTS, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(),
      'Comment-Author-Token': token },
    body: JSON.stringify({ parent, author, email: `${author.toLowerCase()}@example.com`,
      website: '', content, honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  const text = await answer.text();
  assert.equal(answer.status, 201, text);
  return JSON.parse(text).comment.id;
}

const listed = async () => (await (await fetch(COMMENTS)).json()).comments;

let browser;
before(async () => {
  browser = await launch();
  await post('Bob', 'Bob was here first.', BOBS_TOKEN);
});
after(async () => { await browser?.close(); });

/// A page as Ann's browser (her author token stored), the widget mounted and its own list
/// (with Ann's token) read, so her comments carry their window.
async function asAnn(lang = 'en') {
  const page = await open(browser);
  await page.addInitScript(([key, token]) => localStorage.setItem(key, token), [TOKEN_KEY, ANNS_TOKEN]);
  await page.goto(`${SERVICE}/read/${ARTICLE}?lang=${lang}`);
  await live(page);
  await page.locator('article-widget .aw-own-action').first().waitFor();
  return page;
}

const commentWith = (page, text) => page.locator('article-widget .aw-comment', { hasText: text });

async function violations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
    .violations.map((v) => `${v.impact} ${v.id} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`));
}

test('an edit in place is kept by the service and shown "edited" with its time', async () => {
  await post('Ann', 'Ann wrote this in haste.', ANNS_TOKEN);
  const page = await asAnn();
  assert.equal(await commentWith(page, 'Bob was here').locator('.aw-own-action').count(), 0,
    "no Edit or Delete on someone else's comment");
  const anns = commentWith(page, 'Ann wrote this');
  await anns.getByRole('button', { name: 'Edit' }).click();
  const field = page.locator('article-widget .aw-edit textarea');
  assert.equal(await field.inputValue(), 'Ann wrote this in haste.');
  assert.ok(await field.evaluate((f) => f.getRootNode().activeElement === f), 'the field has the focus');
  await field.fill('Ann wrote this with <em>care</em>.');
  const answered = page.waitForResponse((r) => r.url().endsWith('/edit'));
  await page.locator('article-widget .aw-edit').getByRole('button', { name: 'Save' }).click();
  assert.equal((await answered).status(), 200);
  const edited = commentWith(page, 'Ann wrote this with care.');
  await edited.locator('.aw-comment-edited time').waitFor();
  assert.equal(await edited.locator('.aw-comment-text em').textContent(), 'care', 'formatting as when posting');
  assert.match(await edited.locator('.aw-comment-edited').textContent(), /^edited \S.*\d/);
  assert.ok(Date.parse(await edited.locator('.aw-comment-edited time').getAttribute('datetime')));
  assert.equal((await listed()).find((c) => c.author === 'Ann').content, 'Ann wrote this with <em>care</em>.');
  assert.deepEqual(page.problems, []);

  // After a reload, and on the reading page without JavaScript.
  await page.reload();
  await commentWith(page, 'Ann wrote this with care.').locator('.aw-comment-edited time').waitFor();
  const plain = await open(browser, { javaScriptEnabled: false });
  await plain.goto(`${SERVICE}/read/${ARTICLE}`);
  assert.equal(await commentWith(plain, 'Ann wrote this with care.').locator('.aw-comment-edited time').count(), 1);
  assert.equal(await plain.locator('article-widget .aw-own-action').count(), 0, 'nobody\'s own comment here');
});

test('Cancel leaves the comment as it was and sends nothing', async () => {
  const page = await asAnn();
  const anns = commentWith(page, 'Ann wrote this with care.');
  await anns.getByRole('button', { name: 'Edit' }).click();
  await page.locator('article-widget .aw-edit textarea').fill('Something else entirely.');
  await page.locator('article-widget .aw-edit').getByRole('button', { name: 'Cancel' }).click();
  await commentWith(page, 'Ann wrote this with care.').locator('.aw-comment-text').waitFor();
  assert.equal(await page.locator('article-widget .aw-edit').count(), 0);
  assert.ok(!page.requests.some((url) => url.endsWith('/edit')), 'no edit was sent');
});

test('a failed edit keeps the typed text, with its reason', async () => {
  const page = await asAnn();
  await commentWith(page, 'Ann wrote this with care.').getByRole('button', { name: 'Edit' }).click();
  const field = page.locator('article-widget .aw-edit textarea');
  await field.fill('Typed while the network was down.');
  await page.route('**/edit', (route) => route.abort());
  const save = page.locator('article-widget .aw-edit').getByRole('button', { name: 'Save' });
  await save.click();
  const error = page.locator('article-widget .aw-edit-error');
  await error.waitFor();
  assert.match(await error.textContent(), /not saved/);
  assert.equal(await field.inputValue(), 'Typed while the network was down.', 'nothing typed is lost');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  // The service's window closed meanwhile: said so, the text still there.
  await page.unroute('**/edit');
  await page.route('**/edit', (route) => route.fulfill({ status: 403, contentType: 'application/json',
    body: JSON.stringify({ error: 'This comment can no longer be changed.', reason: 'window_over' }) }));
  await save.click();
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .querySelector('.aw-edit-error')?.textContent.includes('time to change'));
  assert.equal(await field.inputValue(), 'Typed while the network was down.');
  // Too short, by the form's rule, before anything is sent.
  await field.fill('ab');
  await save.click();
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .querySelector('.aw-edit-error')?.textContent.includes('at least 3'));
  assert.equal((await listed()).find((c) => c.author === 'Ann').content, 'Ann wrote this with <em>care</em>.');
});

test('Delete asks first, then removes a comment without replies', async () => {
  await post('Ann', 'Ann regrets this one.', ANNS_TOKEN);
  const page = await asAnn();
  const regretted = commentWith(page, 'Ann regrets this one.');
  await regretted.getByRole('button', { name: 'Delete' }).click();
  assert.equal(await regretted.locator('.aw-confirm-delete p').first().textContent(),
    'Delete this comment? This cannot be undone.');
  await regretted.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await regretted.locator('.aw-confirm-delete').count(), 0, 'Cancel asks nothing more');
  await regretted.getByRole('button', { name: 'Delete' }).click();
  const answered = page.waitForResponse((r) => r.url().endsWith('/delete'));
  await regretted.getByRole('button', { name: 'Yes, delete it' }).click();
  assert.equal((await answered).status(), 200);
  await page.waitForFunction(() => ![...document.querySelector('article-widget').shadowRoot
    .querySelectorAll('.aw-comment')].some((c) => c.textContent.includes('Ann regrets')));
  assert.ok(!(await listed()).some((c) => c.content.includes('Ann regrets')));
  assert.deepEqual(page.problems, []);
});

test('deleting a comment with replies leaves "This comment was deleted." in its place', async () => {
  const parent = await post('Ann', 'Ann asks a question.', ANNS_TOKEN);
  await post('Bob', 'Bob answers Ann.', BOBS_TOKEN, parent);
  const page = await asAnn();
  const asked = commentWith(page, 'Ann asks a question.');
  await asked.getByRole('button', { name: 'Delete' }).click();
  await asked.getByRole('button', { name: 'Yes, delete it' }).click();
  const tombstone = page.locator('article-widget .aw-comment--deleted');
  await tombstone.waitFor();
  assert.equal(await tombstone.textContent(), 'This comment was deleted.');
  await commentWith(page, 'Bob answers Ann.').waitFor();
  assert.deepEqual(page.problems, []);
  // The reading page shows it so too, with the reply, before and after the widget takes over.
  await page.reload();
  await live(page);
  assert.equal(await page.locator('article-widget .aw-comment--deleted').textContent(), 'This comment was deleted.');
  await commentWith(page, 'Bob answers Ann.').waitFor();
  assert.ok(!(await page.locator('article-widget').textContent()).includes('Ann asks a question.'));
  assert.deepEqual(page.problems, []);
});

test('Edit, Delete, the editor and the question pass axe in every language', async () => {
  await post('Ann', 'Ann checks the buttons.', ANNS_TOKEN);
  for (const lang of ['en', 'de', 'fr', 'ru', 'ar', 'fa']) {
    const page = await asAnn(lang);
    assert.deepEqual(await violations(page), [], `${lang}: the buttons`);
    const own = commentWith(page, 'Ann checks the buttons.');
    await own.locator('.aw-own-action').first().click();
    await page.locator('article-widget .aw-edit textarea').fill('ab');
    await page.locator('article-widget .aw-edit button[type=submit]').click();
    await page.locator('article-widget .aw-edit-error').waitFor();
    assert.deepEqual(await violations(page), [], `${lang}: the editor with its error`);
    await page.locator('article-widget .aw-edit button[type=button]').click();
    await own.locator('.aw-own-action').nth(1).click();
    await own.locator('.aw-confirm-delete').waitFor();
    assert.deepEqual(await violations(page), [], `${lang}: the question`);
    assert.deepEqual(page.problems, [], lang);
    await page.context().close();
  }
});
