// The moderation area in a real browser, at a phone's width: signing in, the lists, an action
// from a comment's own button, text shown as text, nothing wider than the screen, and no
// axe violation. (Its security, request by request, is tested in server/tests/http.rs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { launch, open } from './harness.mjs';
import { BINARY, DATABASE, SERVICE } from './service.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PASSWORD = 'a phone-typed passphrase';

let browser;
before(async () => {
  browser = await launch();
  const added = spawnSync(BINARY, ['--database', DATABASE, 'moderators', 'add', 'phone-editor'],
    { input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr + added.stdout);
});
after(async () => { await browser?.close(); });

/// Presses a button of one of the area's forms and waits for what its POST causes: the
/// service's answer (a redirect back, 303) and the page it leads to. (Waiting for the URL
/// alone would return at once when the page is already on it, before the POST is handled.)
async function submit(page, button) {
  const [answer] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST'
      && new URL(response.url()).pathname === '/moderate/act'),
    page.waitForNavigation(),
    button.click(),
  ]);
  assert.equal(answer.status(), 303, 'the action is done and the area redirects back');
}

async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

test('a moderator on a phone signs in, unpublishes and approves a comment, and reads the audit log', async () => {
  const posted = await fetch(`${SERVICE}/api/articles/russia-iran-explainer/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ parent: null, author: 'Tester <img src=x onerror=alert(1)>', email: 'tester@example.com',
      website: '', content: 'A comment for the moderators <script>alert(2)</script>', honeypot: '', rendered_at: Date.now() - 10_000 }),
  });
  assert.equal(posted.status, 201);
  const { comment } = await posted.json();
  // The area's own policy allows no script; axe is injected past it.
  const page = await open(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, bypassCSP: true });
  await page.goto(`${SERVICE}/moderate`);
  assert.match(page.url(), /\/moderate\/sign-in$/);
  await page.getByLabel('Name').fill('phone-editor');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/moderate$/);
  await page.goto(`${SERVICE}/moderate?status=approved`);
  const card = page.locator('article.card', { hasText: 'A comment for the moderators' });
  assert.match(await card.textContent(), /<script>alert\(2\)<\/script>/, 'the text as text');
  assert.match(await card.textContent(), /Tester <img src=x onerror=alert\(1\)>/);
  await submit(page, card.getByRole('button', { name: 'Unpublish' }));
  assert.match(page.url(), /status=approved/, 'back on the list it was on');
  let listed = await (await fetch(`${SERVICE}/api/articles/russia-iran-explainer/comments`)).json();
  assert.ok(!listed.comments.some((c) => c.id === comment.id), 'unpublished: gone from the thread');
  await page.goto(`${SERVICE}/moderate`);
  const held = page.locator('article.card', { hasText: 'A comment for the moderators' });
  await submit(page, held.getByRole('button', { name: 'Approve' }));
  listed = await (await fetch(`${SERVICE}/api/articles/russia-iran-explainer/comments`)).json();
  assert.ok(listed.comments.some((c) => c.id === comment.id), 'approved again');
  for (const path of ['/moderate/overview', '/moderate?status=all', '/moderate/audit', '/moderate/blocks']) {
    await page.goto(`${SERVICE}${path}`);
    const wide = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 0, `${path}: ${wide} px wider than the screen`);
    assert.deepEqual(await violations(page), [], path);
  }
  assert.match(await page.goto(`${SERVICE}/moderate/audit`).then(() => page.textContent('table')), /phone-editor.*approve/s);
  assert.deepEqual(page.problems, []);
});
