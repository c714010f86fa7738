// Long threads: pages of 50 threads with "Show more comments", the reader's order switch, a
// link to a comment on a page not loaded yet, and a server that sends the whole thread (paged
// in the widget). The comments are posted through the API first, as readers would, to this
// file's own service and database (service.mjs), so the counts are exact whatever ran before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, live } from './harness.mjs';
import { SERVICE, FIXTURES } from './service.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Posts `count` top-level comments ("Comment 1"…), each a second apart in time order, and a
/// reply to the first; returns their ids in order.
async function seed(comments, count) {
  const ids = [];
  const post = async (content, parent) => {
    const response = await fetch(comments, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({
        parent, author: 'Reader', email: 'reader@example.com', website: '', content,
        honeypot: '', rendered_at: Date.now() - 10_000,
      }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()).comment.id;
  };
  for (let n = 1; n <= count; n++) ids.push(await post(`Comment ${n}`, null));
  ids.push(await post('A reply to the first', ids[0]));
  return ids;
}

const shown = (page) => page.locator('article-widget .aw-thread > .aw-comment.aw-depth-1');

let ids;
test('a long thread shows its first 50 threads, and "Show more" the rest, keeping what the reader typed', async () => {
  ids = await seed(`${SERVICE}/api/articles/corrections/comments`, 62);
  const page = await open(browser);
  await page.goto(`${SERVICE}/read/corrections`);
  await live(page);
  const widget = page.locator('article-widget');
  assert.equal(await shown(page).count(), 50, 'the first page: 50 threads');
  assert.match(await widget.locator('.aw-comments-heading').textContent(), /^63 Responses$/);
  assert.equal(await widget.locator('.aw-comment', { hasText: 'A reply to the first' }).count(), 1, 'a reply comes with its thread');
  const field = widget.locator('textarea[name=content]');
  await field.fill('Half a thought');
  await field.focus();
  // The button pressed without moving focus (as a screen reader's activation may): the
  // field keeps the focus and the text while the next page loads.
  await widget.locator('.aw-more button').evaluate((button) => button.click());
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .querySelectorAll('.aw-thread > .aw-comment.aw-depth-1').length === 62);
  assert.equal(await widget.locator('.aw-more').count(), 0, 'nothing more to show');
  assert.equal(await field.inputValue(), 'Half a thought');
  assert.equal(await page.evaluate(() => document.querySelector('article-widget').shadowRoot.activeElement?.name), 'content');
  const texts = await shown(page).locator('.aw-comment-text').allTextContents();
  assert.equal(new Set(texts).size, 62, 'each thread once');
  assert.deepEqual(page.problems, []);
});

test('the reader switches to newest first: the newest page comes first', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/read/corrections`);
  await live(page);
  const widget = page.locator('article-widget');
  await widget.getByRole('button', { name: 'Newest first' }).click();
  const first = () => shown(page).first().locator('.aw-comment-text').textContent();
  for (let i = 0; i < 50 && !/Comment 62(?!\d)/.test(await first()); i++) await page.waitForTimeout(100);
  assert.match(await first(), /Comment 62(?!\d)/, (await shown(page).locator('.aw-comment-text').allTextContents()).slice(0, 5).join(' | '));
  assert.equal(await shown(page).count(), 50);
  assert.match(await shown(page).last().locator('.aw-comment-text').textContent(), /Comment 13(?!\d)/);
  assert.deepEqual(page.problems, []);
});

test('a link to a comment on a page not loaded yet loads it and goes to it', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/read/corrections#comment-${ids[57]}`);
  await page.waitForFunction(() => {
    const root = document.querySelector('article-widget').shadowRoot;
    return root.activeElement?.id?.endsWith(location.hash.slice('#comment-'.length));
  });
  const target = page.locator(`article-widget li[id$="-comment-${ids[57]}"]`);
  assert.match(await target.textContent(), /Comment 58(?!\d)/);
  await page.waitForFunction((id) => {
    const el = document.querySelector('article-widget').shadowRoot.querySelector(`li[id$="-comment-${id}"]`);
    const box = el.getBoundingClientRect();
    return box.top >= -1 && box.top < innerHeight;
  }, ids[57]);
  assert.deepEqual(page.problems, []);
});

test('a server that sends the whole thread at once is paged in the widget', async () => {
  // The fixture server is shared by every file and run: a thread of this run's own.
  const thread = `long-${crypto.randomUUID().slice(0, 8)}`;
  await seed(`${FIXTURES}/api/whole/articles/${thread}/comments`, 55);
  const page = await open(browser);
  await page.goto(`${FIXTURES}/host-page?widget=${encodeURIComponent(`${SERVICE}/article-widget.js`)}&article=${encodeURIComponent(`${FIXTURES}/article/whole/${thread}`)}`);
  await page.locator('article-widget .aw-thread').waitFor();
  assert.equal(await shown(page).count(), 50);
  await page.locator('article-widget .aw-more button').click();
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .querySelectorAll('.aw-thread > .aw-comment.aw-depth-1').length === 55);
  // The button is gone with the last threads: focus goes to the first of them, not lost.
  await page.waitForFunction(() => document.querySelector('article-widget').shadowRoot
    .activeElement?.matches('.aw-comment.aw-depth-1'));
  assert.match(await page.evaluate(() => document.querySelector('article-widget').shadowRoot
    .activeElement.querySelector('.aw-comment-text').textContent), /Comment 51(?!\d)/);
  const listRequests = page.requests.filter((url) => url.includes(`/api/whole/articles/${thread}/comments`));
  assert.equal(listRequests.length, 1, 'one request: the rest was there already');
  assert.deepEqual(page.problems, []);
});
