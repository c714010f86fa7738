// Shared setup for the end-to-end suites: Debian's Chromium driven by playwright-core. (The
// servers are in service.mjs: each test file starts its own comment service.)
import { chromium } from 'playwright-core';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-dev-shm-usage',
    ],
  });
}

/// A new page that records requests, console errors and page errors.
export async function open(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, ...options });
  const page = await context.newPage();
  page.requests = [];
  page.problems = [];
  page.on('request', (request) => page.requests.push(request.url()));
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  // Failed loads are reported by URL (the browser's own console line has none); the
  // favicon that no test page has is not a problem.
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
      page.problems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      page.problems.push(`console: ${message.text()}`);
    }
  });
  return page;
}

/// Counts the listeners on window and document that are currently registered.
export const LISTENER_PROBE = () => {
  const live = [];
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const capture = (options) => (typeof options === 'boolean' ? options : Boolean(options?.capture));
  const tracked = (target) => target === window || target === document;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (tracked(this) && listener && !live.some((l) => l.target === this && l.type === type && l.listener === listener && l.capture === capture(options))) {
      live.push({ target: this, type, listener, capture: capture(options) });
    }
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    const at = live.findIndex((l) => l.target === this && l.type === type && l.listener === listener && l.capture === capture(options));
    if (at >= 0) live.splice(at, 1);
    return remove.call(this, type, listener, options);
  };
  window.__liveListeners = () => live.map((l) => `${l.target === window ? 'window' : 'document'}:${l.type}`);
};

/// Counts the comment lists the page has read (a widget's first request once it mounts), each
/// counted one task after its body was read: Yew renders in microtasks once the data is in,
/// so by then the render it caused is done. A positive signal to wait for before asserting
/// that the widget kept (or did not change) something. Add with `page.addInitScript`.
export const THREAD_READ_PROBE = () => {
  window.__threadReads = 0;
  for (const name of ['text', 'json', 'arrayBuffer']) {
    const read = Response.prototype[name];
    Response.prototype[name] = function (...args) {
      const list = /\/comments(\?|$)/.test(this.url);
      return read.apply(this, args).then((body) => {
        if (list) setTimeout(() => { window.__threadReads += 1; }, 0);
        return body;
      });
    };
  }
};

/// Waits until the page has read `count` comment lists and rendered them (THREAD_READ_PROBE).
export const threadsRead = (page, count = 1) => page.waitForFunction((n) => window.__threadReads >= n, count);

/// Waits for the widget to take over. A prerendered reading page's widget waits for the reader
/// to near its comments (issue 19), so this goes there, as a reader would, until it runs; a
/// client-only widget runs on its own.
export async function live(page) {
  await page.waitForFunction(() => {
    const host = document.querySelector('article-widget');
    if (host?.hasAttribute('data-aw-mounted')) return true;
    host?.shadowRoot?.querySelector('.aw-comments')?.scrollIntoView();
    return false;
  });
}
