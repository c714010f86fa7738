// Comment counts on an article list: <comment-count> and span[data-comment-count], filled from
// one request for the whole page, without the WebAssembly module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open } from './harness.mjs';
import { SERVICE } from './service.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Posts `count` comments to an article through the API, as readers would.
async function post(article, count) {
  for (let n = 1; n <= count; n++) {
    const response = await fetch(`${SERVICE}/api/articles/${article}/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({ parent: null, author: 'Counter', email: 'counter@example.com', website: '',
        content: `Comment ${n} on ${article}.`, honeypot: '', rendered_at: Date.now() - 10_000 }),
    });
    assert.equal(response.status, 201, await response.clone().text());
  }
}

test('an article list shows every count from one request, in the page\'s language', async () => {
  // This file's service starts with an empty database (service.mjs): these are all the
  // comments there are, so every count is known exactly.
  await post('russia-iran-treaty', 2);
  await post('russia-iran-explainer', 1);
  const page = await open(browser);
  await page.goto(`${SERVICE}/static/host/article-list.html`);
  await page.waitForFunction(() => [...document.querySelectorAll('comment-count, [data-comment-count]')]
    .every((element) => element.hasAttribute('data-count')));
  const requests = page.requests.filter((url) => url.includes('/api/comment-counts'));
  assert.equal(requests.length, 1, `one request for the page: ${requests}`);
  assert.equal(page.requests.filter((url) => url.endsWith('.wasm')).length, 0, 'no WebAssembly for counts');
  const texts = await page.locator('comment-count, [data-comment-count]').allTextContents();
  assert.deepEqual(texts, ['2 Responses', '1 Response', 'No comments yet', '2 Responses'],
    'two, one, none (comments closed), and the first article again with the same answer');
  const counts = await page.locator('comment-count, [data-comment-count]').evaluateAll((elements) => elements.map((e) => e.dataset.count));
  assert.deepEqual(counts, ['2', '1', '0', '2']);
  assert.deepEqual(page.problems, []);
});
