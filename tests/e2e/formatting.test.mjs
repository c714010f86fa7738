// Formatting in comments (issue 20): what a reader may write (WordPress's comment tags, bare
// addresses made links) shown formatted and nothing more, on the reading page without
// JavaScript, after the widget hydrates it, and in a comment the widget posts itself; and the
// one-line hint under the field in every interface language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, THREAD_READ_PROBE, threadsRead, live } from './harness.mjs';
import { SERVICE } from './service.mjs';

const ARTICLE = 'corrections';
const WRITTEN = [
  '<blockquote>They said <i>no</i>.</blockquote>',
  'I say <b>yes</b>: <a href="https://e.example/x" target="_blank" onclick="steal()">this</a>,',
  'https://f.example/y. and <a href="javascript:alert(1)">not this</a>.',
  '',
  '<script>alert(1)</script> a < b <code>www.not-a-link.example</code>',
].join('\n');

let browser;
before(async () => {
  browser = await launch();
  const posted = await fetch(`${SERVICE}/api/articles/${ARTICLE}/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ parent: null, author: 'Fay', email: 'fay@example.com', website: '',
      content: WRITTEN, honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  assert.equal(posted.status, 201, await posted.text());
});
after(async () => { await browser?.close(); });

/// What the comment by `author` shows: its formatting, its links and its text.
async function shown(page, author) {
  return page.locator('article-widget').evaluate((host, name) => {
    const comment = [...host.shadowRoot.querySelectorAll('.aw-comment')]
      .find((c) => c.querySelector('.aw-comment-author')?.textContent === name);
    const text = comment.querySelector('.aw-comment-text');
    return {
      quoted: text.querySelector('blockquote > p > i')?.textContent,
      bold: text.querySelector('p > b')?.textContent,
      code: text.querySelector('code')?.innerHTML,
      links: [...text.querySelectorAll('a')].map((a) => ({
        text: a.textContent, href: a.getAttribute('href'), rel: a.getAttribute('rel'),
        attributes: a.getAttributeNames().sort().join(' '),
      })),
      scripts: text.querySelectorAll('script, [onclick]').length,
      text: text.textContent,
    };
  }, author);
}

const EXPECTED_LINKS = [
  { text: 'this', href: 'https://e.example/x', rel: 'nofollow ugc', attributes: 'href rel' },
  { text: 'https://f.example/y', href: 'https://f.example/y', rel: 'nofollow ugc', attributes: 'href rel' },
];

function assertFormatted(seen) {
  assert.equal(seen.quoted, 'no', 'a quote with its italics');
  assert.equal(seen.bold, 'yes');
  assert.deepEqual(seen.links, EXPECTED_LINKS, 'no target or handler; the javascript: link is only text');
  assert.equal(seen.code, 'www.not-a-link.example', 'no link inside code');
  assert.equal(seen.scripts, 0);
  assert.match(seen.text, /<script>alert\(1\)<\/script> a < b/, 'other tags shown as typed');
  assert.match(seen.text, /and not this\./);
}

test('without JavaScript the reading page shows the formatting, and the hint under the field', async () => {
  const page = await open(browser, { javaScriptEnabled: false });
  await page.goto(`${SERVICE}/read/${ARTICLE}`);
  assertFormatted(await shown(page, 'Fay'));
  const widget = page.locator('article-widget');
  const field = widget.locator('textarea[name=content]');
  const hint = widget.locator(`#${await field.getAttribute('aria-describedby')}`);
  assert.equal(await hint.textContent(),
    'You may use <b>, <i>, <a href>, <blockquote>, <code>, <del> and <q>. Web addresses become links.');
  const lines = await hint.evaluate((el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)));
  assert.equal(lines, 1, 'one line');
  assert.deepEqual(page.problems, []);
});

test('with JavaScript the widget hydrates the formatted comment: the same nodes, still formatted', async () => {
  const page = await open(browser);
  await page.addInitScript(THREAD_READ_PROBE);
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/article-widget.js', async (route) => { await gate; await route.continue(); });
  await page.goto(`${SERVICE}/read/${ARTICLE}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.querySelector('article-widget')?.shadowRoot?.querySelector('.aw-comment-text a'));
  const marked = await page.evaluate(() => {
    window.__marked = [...document.querySelector('article-widget').shadowRoot.querySelectorAll('.aw-comment-text *')];
    return window.__marked.length;
  });
  release();
  await live(page);
  await threadsRead(page);
  const kept = await page.evaluate(() => {
    const now = [...document.querySelector('article-widget').shadowRoot.querySelectorAll('.aw-comment-text *')];
    return { count: now.length, same: now.every((el, i) => el === window.__marked[i] && el.isConnected) };
  });
  assert.deepEqual(kept, { count: marked, same: true }, 'hydrated, not re-created');
  assertFormatted(await shown(page, 'Fay'));
  assert.deepEqual(page.problems, []);
});

test('a comment the widget posts is shown formatted at once', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/read/${ARTICLE}`);
  await live(page);
  const widget = page.locator('article-widget');
  await page.waitForTimeout(3100); // the service refuses a form sent within 3 s of being shown
  await widget.locator('textarea[name=content]').fill(WRITTEN);
  await widget.locator('input[name=author]').fill('Gus');
  await widget.locator('input[name=email]').fill('gus@example.com');
  await widget.locator('button[type=submit]').click();
  await widget.locator('.aw-comment', { hasText: 'Gus' }).locator('.aw-comment-text a').first().waitFor();
  assertFormatted(await shown(page, 'Gus'));
  assert.deepEqual(page.problems, []);
});

test('the hint speaks every interface language, on one line', async () => {
  const page = await open(browser, { javaScriptEnabled: false });
  for (const [lang, words] of [
    ['en', 'Web addresses become links.'], ['de', 'Webadressen werden zu Links.'],
    ['fr', 'Les adresses web deviennent des liens.'], ['ru', 'Веб-адреса становятся ссылками.'],
    ['ar', 'تصبح عناوين الويب روابط.'], ['fa', 'نشانی‌های وب پیوند می‌شوند.'],
  ]) {
    await page.goto(`${SERVICE}/read/${ARTICLE}?lang=${lang}`);
    const field = page.locator('article-widget textarea[name=content]');
    const hint = page.locator(`article-widget #${await field.getAttribute('aria-describedby')}`);
    const text = await hint.textContent();
    assert.ok(text.includes(words), `${lang}: ${text}`);
    assert.ok(text.includes('<blockquote>'), `${lang}: ${text}`);
    const lines = await hint.evaluate((el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)));
    assert.equal(lines, 1, `${lang}: one line at 1000 px`);
  }
  assert.deepEqual(page.problems, []);
});
