// Comment counts on an article list: <comment-count> and span[data-comment-count], filled from
// one request for the whole page, without the WebAssembly module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICE, launch, open } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an article list shows every count from one request, in the page\'s language', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/static/host/article-list.html`);
  await page.waitForFunction(() => [...document.querySelectorAll('comment-count, [data-comment-count]')]
    .every((element) => element.hasAttribute('data-count')));
  const requests = page.requests.filter((url) => url.includes('/api/comment-counts'));
  assert.equal(requests.length, 1, `one request for the page: ${requests}`);
  assert.equal(page.requests.filter((url) => url.endsWith('.wasm')).length, 0, 'no WebAssembly for counts');
  const listed = (await (await fetch(`${SERVICE}/api/articles/russia-iran-treaty/comments`)).json()).comments.length;
  const texts = await page.locator('comment-count, [data-comment-count]').allTextContents();
  const expected = listed === 0 ? 'No comments yet' : listed === 1 ? '1 Response' : `${listed} Responses`;
  assert.equal(texts[0], expected);
  assert.equal(texts[3], expected, 'the same article twice, the same answer');
  assert.match(texts[1], /^(No comments yet|\d+ Responses?)$/);
  assert.equal(texts[2], 'No comments yet', 'comments closed: none');
  assert.deepEqual(page.problems, []);
});
