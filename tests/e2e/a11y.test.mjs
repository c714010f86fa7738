// Accessibility, checked by axe-core (which reads into open shadow roots) on what readers
// see: each sample article in light and dark, and the comment form showing its errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, open } from './harness.mjs';
import { SERVICE } from './service.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

async function shows(page, path) {
  await page.goto(`${SERVICE}${path}`);
  await page.locator('article-widget h1').waitFor();
  await page.locator('article-widget .aw-comments').waitFor();
  // The thread, loaded (the status shows while loading and on a failure): axe must scan what
  // readers read, not the loading state, so a status still there after the timeout fails.
  await page.locator('article-widget .aw-comments-status').waitFor({ state: 'detached' });
}

for (const scheme of ['light', 'dark']) {
  for (const path of ['/', '/?src=static/articles/russia-iran-explainer.json', '/?src=static/articles/iran-russia-treaty-fa.json']) {
    test(`no axe violations: ${path} (${scheme})`, async () => {
      const page = await open(browser);
      await page.emulateMedia({ colorScheme: scheme });
      await shows(page, path);
      assert.deepEqual(await violations(page), []);
    });
  }
}

test('no axe violations: the comment form showing its errors, in both themes', async () => {
  const page = await open(browser);
  await shows(page, '/');
  await page.locator('article-widget button[type=submit]').click();
  await page.locator('article-widget .aw-error-summary').waitFor();
  assert.deepEqual(await violations(page), []);
  await page.locator('article-widget').evaluate((el) => el.setAttribute('theme', 'dark'));
  assert.deepEqual(await violations(page), []);
});

test('Back to top respects reduced motion: the jump is immediate', async () => {
  const page = await open(browser, { reducedMotion: 'reduce', viewport: { width: 1000, height: 700 } });
  await shows(page, '/');
  await page.mouse.wheel(0, 4000);
  const button = page.locator('article-widget .aw-back-to-top');
  await button.waitFor({ state: 'visible' });
  await button.click();
  const top = await page.locator('article-widget article.aw-article').evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(Math.abs(top) < 2, `at the top at once, no smooth scroll (${top}px)`);
  const focused = await page.evaluate(() => document.activeElement.shadowRoot?.activeElement?.tagName);
  assert.equal(focused, 'H1', 'focus on the headline');
});
