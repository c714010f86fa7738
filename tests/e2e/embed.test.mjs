// Embedding on existing sites: the host pages in static/host/, served from the release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import pixelmatch from 'pixelmatch';
import { LISTENER_PROBE, launch, open } from './harness.mjs';
import { SERVICE, FIXTURES } from './service.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const HOST = `${SERVICE}/static/host`;

/// Waits until a widget shows its article and its (loaded) comment thread.
async function settled(page, selector) {
  const widget = page.locator(selector);
  await widget.locator('h1').waitFor();
  await widget.locator('.aw-comments-heading').filter({ hasText: /Response|No comments/ }).waitFor();
  const image = await widget.locator('figure.aw-figure--featured img').elementHandle();
  if (image) await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, image);
  return widget;
}

test('two widgets on a hostile news site: both render, the lazy one on approach, one .wasm download', async () => {
  const page = await open(browser);
  await page.goto(`${HOST}/news-site.html`);
  await settled(page, '#first');
  const explainerRequests = () => page.requests.filter((url) => url.includes('russia-iran-explainer.json')).length;
  assert.equal(explainerRequests(), 0, 'the lazy widget below the fold has not loaded its article');
  assert.equal(await page.locator('#second h1').count(), 0);
  const reserved = await page.locator('#second').evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(reserved >= 300, `space is reserved before it loads (${reserved}px)`);

  await page.locator('#second').scrollIntoViewIfNeeded();
  await page.locator('#second h1').waitFor();
  assert.equal(await page.locator('#second h1').textContent(), 'What the Russia–Iran treaty says, and what it leaves out');
  assert.equal(explainerRequests(), 1);
  const wasm = page.requests.filter((url) => url.endsWith('_bg.wasm'));
  assert.equal(wasm.length, 1, `one .wasm download for both widgets: ${wasm}`);
  assert.deepEqual(page.problems, []);
});

/// Pixel-compares two captures; fails (and writes the diff) when more than 0.1% differ.
function compare(expectedPng, actualPng, name) {
  const expected = PNG.sync.read(expectedPng);
  const actual = PNG.sync.read(actualPng);
  // The host's own layout may place the widget at a fractional offset, so the captures can
  // differ by a pixel of height; everything else must match.
  assert.equal(actual.width, expected.width, 'same width');
  assert.ok(Math.abs(actual.height - expected.height) <= 1, `same height (${actual.height} vs ${expected.height})`);
  const width = expected.width;
  const height = Math.min(actual.height, expected.height);
  const crop = (png) => png.data.subarray(0, width * height * 4);
  const diff = new PNG({ width, height });
  const different = pixelmatch(crop(expected), crop(actual), diff.data, width, height, { threshold: 0.1 });
  const share = different / (width * height);
  if (share >= 0.001) writeFileSync(`screenshot-diff-${name}.png`, PNG.sync.write(diff));
  assert.ok(share < 0.001, `${name}: ${different} pixels (${(share * 100).toFixed(3)}%) differ`);
}

test('hostile host CSS does not change the widget: screenshots against the demo page', async () => {
  const demo = await open(browser);
  await demo.goto(`${SERVICE}/`);
  const expected = await settled(demo, 'article-widget');
  const hostile = await open(browser);
  await hostile.goto(`${HOST}/news-site.html`);
  const actual = await settled(hostile, '#first');
  for (const part of ['article.aw-article', 'section.aw-comments']) {
    compare(await expected.locator(part).screenshot(), await actual.locator(part).screenshot(), part.split('.')[1]);
  }

  // Nor do the widget's styles leak out: the page's own paragraphs keep the page's look.
  const teaser = await hostile.locator('.teaser').first().evaluate((el) => getComputedStyle(el).fontFamily);
  assert.match(teaser, /Comic Sans/);
  const lightDomStyles = await hostile.evaluate(() => [...document.querySelectorAll('style')].some((s) => s.textContent.includes('.aw-headline')));
  assert.equal(lightDomStyles, false, 'no widget style in the page’s own document');
});

test('theme switches live: attribute and system setting', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/`);
  const widget = await settled(page, '#demo');
  const frame = widget.locator('.article-widget');
  const background = () => frame.evaluate((el) => getComputedStyle(el).backgroundColor);
  const kicker = () => widget.locator('.aw-kicker').evaluate((el) => getComputedStyle(el).color);
  assert.equal(await background(), 'rgba(0, 0, 0, 0)', 'auto: the page shows through');
  assert.equal(await kicker(), 'rgb(179, 38, 30)');
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.equal(await kicker(), 'rgb(255, 138, 128)', 'auto follows the system setting, live');
  await page.locator('#demo').evaluate((el) => el.setAttribute('theme', 'light'));
  await page.waitForFunction(() => document.querySelector('#demo').shadowRoot.querySelector('.article-widget').dataset.theme === 'light');
  assert.equal(await background(), 'rgb(255, 255, 255)');
  assert.equal(await kicker(), 'rgb(179, 38, 30)', 'light stays light in a dark system');
  await page.locator('#demo').evaluate((el) => el.setAttribute('theme', 'dark'));
  await page.waitForFunction(() => document.querySelector('#demo').shadowRoot.querySelector('.article-widget').dataset.theme === 'dark');
  assert.equal(await background(), 'rgb(22, 22, 22)');
});

test('changing lang and comments on a live element updates it', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/`);
  const widget = await settled(page, '#demo');
  await page.locator('#demo').evaluate((el) => el.setAttribute('lang', 'de'));
  await widget.locator('.aw-reply-title').filter({ hasText: 'Schreibe einen Kommentar' }).waitFor();
  assert.equal(await widget.locator('button[type=submit]').textContent(), 'Kommentar abschicken');
  await page.locator('#demo').evaluate((el) => el.setAttribute('comments', 'off'));
  await widget.locator('.aw-comments').waitFor({ state: 'detached' });
  assert.equal(await widget.locator('h1').count(), 1, 'the article stays');
});

test('changing src shows the new article and tells the page', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/`);
  await settled(page, '#demo');
  await page.evaluate(() => {
    window.__events = [];
    for (const name of ['article-loaded', 'article-error', 'comment-posted']) {
      document.addEventListener(name, (event) => window.__events.push({ name, detail: event.detail }));
    }
    document.querySelector('#demo').setAttribute('src', 'static/articles/russia-iran-explainer.json');
  });
  await page.locator('#demo h1').filter({ hasText: 'What the Russia–Iran treaty says' }).waitFor();
  await page.locator('#demo').evaluate((el) => el.setAttribute('src', 'static/articles/no-such.json'));
  await page.locator('#demo .aw-error').waitFor();
  const events = await page.evaluate(() => window.__events);
  assert.deepEqual(events[0], { name: 'article-loaded', detail: { id: 'russia-iran-explainer', headline: 'What the Russia–Iran treaty says, and what it leaves out' } });
  assert.equal(events[1].name, 'article-error');
  assert.match(events[1].detail.message, /404/);
});

test('removing widgets releases their listeners; re-adding one mounts it once (single-page apps)', async () => {
  const page = await open(browser);
  await page.addInitScript(LISTENER_PROBE);
  await page.goto(`${HOST}/news-site.html`);
  await settled(page, '#first');
  await page.locator('#second').scrollIntoViewIfNeeded();
  await page.locator('#second h1').waitFor();
  const baseline = await page.evaluate(() => {
    const keep = window.__liveListeners();
    return keep;
  });
  const withWidgets = baseline.length;
  await page.evaluate(() => {
    window.__saved = document.querySelector('#first');
    document.querySelectorAll('article-widget').forEach((el) => el.remove());
  });
  const after = await page.evaluate(() => window.__liveListeners());
  const released = withWidgets - after.length;
  assert.ok(released >= 2, `the widgets' scroll and resize listeners are gone (${baseline} → ${after})`);
  assert.ok(!after.some((l) => /scroll|resize/.test(l)), `nothing of the widgets is left listening: ${after}`);

  await page.evaluate(() => document.querySelector('main').append(window.__saved));
  await page.locator('#first h1').waitFor();
  assert.equal(await page.locator('#first form').count(), 1, 'one form, not two');
  assert.equal(await page.locator('#first article.aw-article').count(), 1);
});

test('moving the element in the page keeps the widget, its state and its article (no refetch)', async () => {
  const page = await open(browser);
  await page.goto(`${SERVICE}/`);
  const widget = await settled(page, '#demo');
  await widget.locator('textarea[name=content]').fill('Half a thought, kept across the move');
  await widget.locator('h1').evaluate((h1) => { h1.dataset.marked = 'before the move'; });
  const articleRequests = () => page.requests.filter((url) => url.endsWith('.json')).length;
  const before = articleRequests();
  const moved = await page.evaluate(async () => {
    const element = document.querySelector('#demo');
    const unmounts = [];
    new MutationObserver((records) => unmounts.push(...records.map((r) => r.attributeName)))
      .observe(element, { attributes: true, attributeFilter: ['data-aw-mounted'] });
    const elsewhere = document.createElement('section');
    document.body.prepend(elsewhere);
    elsewhere.append(element); // what a framework does when it re-parents a node
    // The element decides to tear down in a microtask after its removal (embed's
    // disconnect()), and the observer reports in one: by the next task both have run.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return { unmounts, mounted: element.hasAttribute('data-aw-mounted') };
  });
  assert.deepEqual(moved, { unmounts: [], mounted: true }, 'never unmounted, so never mounted again');
  assert.equal(await widget.locator('h1').getAttribute('data-marked'), 'before the move', 'the very same nodes');
  assert.equal(await widget.locator('textarea[name=content]').inputValue(), 'Half a thought, kept across the move');
  assert.equal(articleRequests(), before, 'the article is not fetched again');
  assert.equal(await page.locator('#demo form').count(), 1);
  assert.deepEqual(page.problems, []);
});

test('a module that failed to load is tried again when a widget mounts next', async () => {
  const page = await open(browser);
  await page.route('**/article-widget-core_bg.wasm', (route) => route.abort(), { times: 1 });
  const failed = page.waitForEvent('console', (message) => message.text().includes('could not be loaded'));
  await page.goto(`${SERVICE}/`);
  await failed;
  assert.equal(await page.locator('#demo h1').count(), 0, 'nothing mounted while the module is missing');
  await page.evaluate(() => {
    window.__saved = document.querySelector('#demo');
    window.__saved.remove();
  });
  await page.evaluate(() => document.querySelector('main, body').append(window.__saved));
  await settled(page, '#demo');
  const wasm = page.requests.filter((url) => url.endsWith('_bg.wasm'));
  assert.equal(wasm.length, 2, `tried again: ${wasm}`);
  assert.deepEqual(page.problems.filter((p) => !p.includes('could not be loaded')), []);
});

test('works under a strict Content-Security-Policy', async () => {
  const page = await open(browser);
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  await page.goto(`${HOST}/strict-csp.html`);
  await settled(page, 'article-widget');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.problems, []);
});

test('the div form mounts, takes its data-* settings, and unmounts when removed', async () => {
  const page = await open(browser);
  await page.addInitScript(LISTENER_PROBE);
  await page.goto(`${HOST}/div-form.html`);
  await page.locator('[data-article-widget] h1').waitFor();
  assert.equal(await page.locator('[data-article-widget] .article-widget').getAttribute('data-theme'), 'dark');
  // Mounted, it listens (Back to top follows scroll and resize): else "none left" proves nothing.
  await page.waitForFunction(() => window.__liveListeners().some((l) => /scroll|resize/.test(l)));
  const mounted = await page.evaluate(() => window.__liveListeners().filter((l) => /scroll|resize/.test(l)));
  await page.evaluate(() => document.querySelector('[data-article-widget]').remove());
  await page.waitForFunction(() => !window.__liveListeners().some((l) => /scroll|resize/.test(l)));
  assert.ok(mounted.length >= 2, `its scroll and resize listeners were there before the removal: ${mounted}`);
});

test('embedded from another origin: script, module, article and comments across origins', async () => {
  const page = await open(browser);
  const url = `${FIXTURES}/host-page?widget=${encodeURIComponent(`${SERVICE}/article-widget.js`)}&article=${encodeURIComponent(`${SERVICE}/static/articles/russia-iran-explainer.json`)}`;
  await page.goto(url);
  const widget = page.locator('article-widget');
  await widget.locator('h1').waitFor();
  await widget.locator('.aw-comments-heading').filter({ hasText: /Response|No comments/ }).waitFor();
  await page.evaluate(() => {
    window.__posted = [];
    document.addEventListener('comment-posted', (event) => window.__posted.push(event.detail));
  });
  const text = `Commenting from a publisher on another origin, ${Date.now()}.`;
  await widget.locator('textarea[name=content]').fill(text);
  await widget.locator('input[name=author]').fill('Cross Origin');
  await widget.locator('input[name=email]').fill('cross@example.com');
  await page.waitForTimeout(3_200); // a form sent within 3 s of showing is taken for a bot's
  await widget.locator('button[type=submit]').click();
  await widget.locator('.aw-comment-text').filter({ hasText: text }).waitFor();
  const posted = await page.evaluate(() => window.__posted);
  assert.equal(posted.length, 1);
  assert.match(posted[0].id, /^[0-9a-f]{24}$/);
  assert.deepEqual(page.problems, []);
});
