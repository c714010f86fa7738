// article-widget.js: the one script a publisher adds to a page.
//
//   <script type="module" src="https://widgets.example/article-widget.js"></script>
//   <article-widget src="https://news.example/articles/russia-iran-treaty.json"></article-widget>
//
// It loads the WebAssembly module once per page (next to this file, wherever that is served
// from), defines <article-widget>, and also mounts on <div data-article-widget data-src="…">
// for templates that cannot use custom elements. Attributes: src, theme (auto|light|dark),
// lang, loading (eager|lazy), comments (on|off), token, token-origin; the div form takes them as data-*.
// Events on the element: article-loaded, article-error, comment-posted (detail: see README).


// `token`: a sign-in token the publisher's server signed for the reader (README, "Signing in
// with the publisher's accounts"); the page may change it (attribute or `token` property). It
// goes only to the page's own origin or to one named in `token-origin` (space-separated).
const OPTIONS = ['src', 'theme', 'lang', 'loading', 'comments', 'comments-order', 'token', 'token-origin',
  'badge-moderator', 'badge-author'];
let ready = null; // the module's initialisation, started by the first widget that needs it:
// its glue too is imported only then, so a page whose widgets wait fetches neither

// A failed load is forgotten, so the next widget that mounts (the reader back online, a
// single-page app navigating) tries again instead of failing forever.
function loadModule() {
  ready ??= import('./article-widget-core.js').then(async (glue) => {
    await glue.default();
    return glue.Widget;
  }).catch((error) => {
    ready = null;
    throw error;
  });
  return ready;
}

// Space for a widget not mounted yet (lazy ones): the page does not jump when it arrives. A
// prerendered one has its content already, and needs none.
// A constructed stylesheet, so a strict style-src policy does not block it.
try {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('article-widget, [data-article-widget] { display: block; } ' +
    'article-widget:not([data-aw-mounted]):not([data-aw-prerendered]), ' +
    '[data-article-widget]:not([data-aw-mounted]) { min-height: 40rem; }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
} catch { /* older browsers: no reservation, nothing else lost */ }

/// One widget's life on one host element.
class Mount {
  constructor(host, read) {
    this.host = host;
    this.read = read; // () => the host's current options
    this.widget = null;
    this.observer = null;
    this.gone = false;
    this.teardown = false; // a teardown waiting for the end of the current task
    this.plain = null; // undoes what `enliven` added to a prerendered article
    this.pressed = null; // what the reader pressed in the comments before the module ran
  }

  options() {
    const options = this.read();
    options.pageLang = document.documentElement.lang || '';
    // A prerendered element carries its article's JSON: the widget shows it at once instead
    // of fetching it again.
    const data = this.host.querySelector(':scope > script[type="application/json"][data-aw-article]');
    if (data) options.article = data.textContent;
    const thread = this.host.querySelector(':scope > script[type="application/json"][data-aw-thread]');
    if (thread) options.thread = thread.textContent;
    // On its first mount a prerendered widget adopts the server's nodes (hydration) where the
    // server says its markup is what the widget's first render will be; later mounts (after
    // an unmount emptied the root) render afresh from the same article.
    options.hydrate = Boolean(data && this.host.shadowRoot && this.host.hasAttribute('data-aw-prerendered')
      && this.host.hasAttribute('data-aw-hydrate'));
    return options;
  }

  connect() {
    this.gone = false;
    if (this.teardown) {
      // Disconnected and connected again in one go: the element was moved (a framework
      // re-parenting it). The widget, its shadow root and its state move with it.
      this.teardown = false;
      if (this.widget || this.observer || this.starting) return;
    }
    const root = this.host.hasAttribute('data-aw-prerendered') && this.host.shadowRoot;
    if (root && this.read().loading !== 'eager') {
      // A prerendered article is the server's, readable and whole: the module is fetched
      // only when the reader comes near the comments, or starts to use them.
      this.plain ??= enliven(this.host, root);
      this.waitForComments(root);
    } else if (this.read().loading === 'lazy' && 'IntersectionObserver' in window) {
      this.observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          this.observer.disconnect();
          this.observer = null;
          this.start();
        }
      }, { rootMargin: '400px 0px' });
      this.observer.observe(this.host);
    } else {
      this.start();
    }
  }

  /// Starts the widget once the comment section is within about a screen of the viewport, or
  /// the reader focuses a field of the form or presses something in the section (a press is
  /// made again on the live widget's same node, which hydration adopts).
  waitForComments(root) {
    const section = root.querySelector('.aw-comments');
    if (!section || !('IntersectionObserver' in window)) {
      this.start();
      return;
    }
    const go = () => {
      this.host.removeAttribute('data-aw-lazy');
      near.disconnect();
      section.removeEventListener('focusin', go);
      this.start();
    };
    const near = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) go();
    }, { rootMargin: '100% 0px' });
    near.observe(section);
    this.host.setAttribute('data-aw-lazy', '');
    // Until the widget runs (a press while the module loads is kept too, the last one).
    const press = (event) => {
      const target = event.target.closest?.('a[href], button:not([type=submit])');
      if (!target || this.widget) return;
      event.preventDefault();
      this.pressed = target;
      go();
    };
    section.addEventListener('focusin', go);
    section.addEventListener('click', press);
    this.stopWaiting = () => {
      this.host.removeAttribute('data-aw-lazy');
      near.disconnect();
      section.removeEventListener('focusin', go);
      section.removeEventListener('click', press);
      this.stopWaiting = null;
    };
  }

  async start() {
    if (this.starting) return;
    this.starting = true;
    const prerendered = this.host.hasAttribute('data-aw-prerendered') && this.host.shadowRoot;
    let Widget;
    try {
      // A prerendered widget is already readable, and its form already works: the module is
      // fetched, and the widget takes over, once the page has loaded and painted, so that
      // nothing competes with what the reader sees first (the image above all), and it is
      // never replaced before it is shown.
      if (prerendered) await afterFirstPaint(this.host.shadowRoot);
      Widget = await loadModule();
    } catch (error) {
      console.error('article-widget: the WebAssembly module could not be loaded; it is tried again the next time a widget mounts', error);
      // A link the reader pressed meanwhile still leads where it leads without script.
      this.stopWaiting?.();
      if (this.pressed?.href) location.assign(this.pressed.href);
      this.pressed = null;
      return;
    } finally {
      this.starting = false;
    }
    if (this.gone || this.widget) return;
    // What the reader typed into the prerendered form, and where, goes over to the widget.
    const typed = prerendered ? typedIn(this.host.shadowRoot) : null;
    const options = this.options();
    if (typed?.fields) options.typed = JSON.stringify(typed.fields);
    this.stopWaiting?.();
    this.plain?.();
    this.plain = null;
    this.widget = new Widget(this.host, options);
    this.host.removeAttribute('data-aw-prerendered');
    this.host.removeAttribute('data-aw-hydrate');
    this.host.setAttribute('data-aw-mounted', '');
    if (typed?.focus) refocus(this.host.shadowRoot, typed.focus);
    const pressed = this.pressed;
    this.pressed = null;
    if (pressed) {
      // Hydration kept the node (and gave it the widget's handler); otherwise its link.
      requestAnimationFrame(() => {
        if (pressed.isConnected) pressed.click();
        else if (pressed.href) location.assign(pressed.href);
      });
    }
  }

  update() {
    this.widget?.update(this.options());
  }

  /// Removal from the page: torn down once the current task's DOM changes are done, unless
  /// the element is back in the page by then (a move is a removal and an insertion).
  disconnect() {
    this.teardown = true;
    queueMicrotask(() => {
      if (this.teardown && !this.host.isConnected) this.destroy();
    });
  }

  destroy() {
    this.teardown = false;
    this.gone = true;
    this.observer?.disconnect();
    this.observer = null;
    this.stopWaiting?.();
    this.plain?.();
    this.plain = null;
    if (this.widget) {
      this.widget.destroy();
      this.widget.free();
      this.widget = null;
    }
    this.host.removeAttribute('data-aw-mounted');
  }
}

/// Resolves once the page has loaded, the root's eager images are decoded (an image that is
/// still decoding at `load` would otherwise be replaced before it ever shows), and two frames
/// have painted and been shown; at the latest after 3 s, whatever is still pending.
function afterFirstPaint(root) {
  const loaded = new Promise((resolve) => {
    if (document.readyState === 'complete') resolve();
    else window.addEventListener('load', resolve, { once: true });
  });
  const decoded = loaded.then(() => Promise.all(
    [...root.querySelectorAll('img[loading="eager"]')].map((img) => img.decode().catch(() => {}))));
  // Two frames, then an idle moment: by then the frames are on screen (under load the
  // browser presents a frame well after it is drawn).
  const idle = (resolve) => ('requestIdleCallback' in window
    ? requestIdleCallback(resolve, { timeout: 1000 })
    : setTimeout(resolve, 50));
  const painted = decoded.then(() => new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => idle(resolve)))));
  return Promise.race([painted, new Promise((resolve) => setTimeout(resolve, 3000))]);
}

// The interface languages, as the widget chooses among them (`Language::choose`).
const LANGUAGES = ['en', 'de', 'fr', 'ru', 'ar', 'fa'];

/// What a prerendered article needs of script before the module runs (or without it): its
/// dates in the reader's time zone (the server wrote UTC), "Back to top", and a picture that
/// fails to load leaving its caption. Returns what undoes it, for when the widget takes over.
function enliven(host, root) {
  const language = [host.getAttribute('lang'), root.querySelector('article[lang]')?.lang,
    document.documentElement.lang]
    .map((tag) => (tag || '').toLowerCase().split('-')[0])
    .find((tag) => LANGUAGES.includes(tag)) ?? 'en';
  for (const time of root.querySelectorAll('time[datetime]')) {
    const date = new Date(time.getAttribute('datetime'));
    if (Number.isNaN(date.getTime())) continue;
    const style = time.closest('.aw-related') ? { dateStyle: 'long' }
      : { dateStyle: 'long', timeStyle: 'short' };
    try { time.textContent = new Intl.DateTimeFormat(language, style).format(date); } catch { /* UTC stays */ }
  }
  const hide = (img) => { img.style.display = 'none'; };
  const broken = (event) => { if (event.target.localName === 'img') hide(event.target); };
  root.addEventListener('error', broken, true);
  for (const img of root.querySelectorAll('img')) if (img.complete && !img.naturalWidth) hide(img);
  const story = root.querySelector('.aw-story');
  const button = root.querySelector('.aw-back-to-top');
  if (!story || !button) return () => root.removeEventListener('error', broken, true);
  const place = () => {
    const { top, bottom } = story.getBoundingClientRect();
    button.hidden = !(top < -innerHeight && bottom > innerHeight / 2);
  };
  const toTop = () => {
    const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
    story.scrollIntoView({ block: 'start', behavior: reduce ? 'instant' : 'smooth' });
    root.querySelector('.aw-headline')?.focus({ preventScroll: true });
  };
  addEventListener('scroll', place, { capture: true, passive: true });
  addEventListener('resize', place, { passive: true });
  button.addEventListener('click', toTop);
  place();
  return () => {
    root.removeEventListener('error', broken, true);
    removeEventListener('scroll', place, { capture: true });
    removeEventListener('resize', place);
    button.removeEventListener('click', toTop);
  };
}

const FIELDS = ['content', 'author', 'email', 'website'];

/// The prerendered form's fields, when the reader typed in any, and the focused field with its
/// selection.
function typedIn(root) {
  const form = root.querySelector('form.aw-comment-form');
  if (!form) return null;
  const fields = {};
  for (const name of FIELDS) fields[name] = form.elements.namedItem(name)?.value ?? '';
  // The comment it replies to (a page asked with ?replytocom=).
  fields.parent = form.elements.namedItem('parent')?.value ?? '';
  const active = root.activeElement;
  const focus = active && FIELDS.includes(active.name)
    ? { name: active.name, start: active.selectionStart, end: active.selectionEnd }
    : null;
  return { fields: FIELDS.some((name) => fields[name] !== '') || fields.parent ? fields : null, focus };
}

/// Puts the caret back where it was, in the widget's own field of the same name.
function refocus(root, focus) {
  requestAnimationFrame(() => {
    const field = root.querySelector(`form.aw-comment-form [name="${focus.name}"]`);
    // Still focused (hydration kept the node): the caret is where the reader has since put it.
    if (!field || root.activeElement === field) return;
    field.focus();
    try { field.setSelectionRange(focus.start, focus.end); } catch { /* not a text field */ }
  });
}

function readAttributes(element, prefix) {
  const options = {};
  for (const name of OPTIONS) options[name] = element.getAttribute(prefix + name) ?? '';
  return options;
}

class ArticleWidgetElement extends HTMLElement {
  static observedAttributes = OPTIONS;

  connectedCallback() {
    this.mount ??= new Mount(this, () => readAttributes(this, ''));
    this.mount.connect();
  }

  disconnectedCallback() {
    this.mount?.disconnect();
  }

  attributeChangedCallback(name, before, after) {
    if (before !== after && this.mount?.widget) this.mount.update();
  }

  // The sign-in token as a property too (reflected to the attribute, so both stay one).
  get token() {
    return this.getAttribute('token');
  }

  set token(value) {
    if (value) this.setAttribute('token', String(value));
    else this.removeAttribute('token');
  }
}

// Comment counts for index pages and article lists, without WebAssembly:
//   <comment-count article="russia-iran-treaty">comments</comment-count>
//   <span data-comment-count="russia-iran-treaty"></span>
// All the counts a page asks for in one task go out as one request per comments service (the
// service this script comes from, or the element's `api` / `data-comment-api`), answered in
// the page's language ("12 Responses"). What the element holds stays if the request fails.
let countBatch = null; // api -> [[element, article]]

function requestCount(element, article) {
  if (!article) return;
  const api = element.getAttribute('api') || element.dataset.commentApi
    || new URL('/api/comment-counts', import.meta.url).href;
  if (!countBatch) {
    countBatch = new Map();
    queueMicrotask(sendCounts);
  }
  if (!countBatch.has(api)) countBatch.set(api, []);
  countBatch.get(api).push([element, article]);
}

async function sendCounts() {
  const batch = countBatch;
  countBatch = null;
  const lang = document.documentElement.lang || 'en';
  for (const [api, wanted] of batch) {
    const articles = [...new Set(wanted.map(([, article]) => article))];
    for (let at = 0; at < articles.length; at += 100) {
      const url = new URL(api);
      url.searchParams.set('articles', articles.slice(at, at + 100).join(','));
      url.searchParams.set('lang', lang);
      try {
        const answer = await fetch(url, { headers: { Accept: 'application/json' } });
        if (!answer.ok) continue;
        const { counts } = await answer.json();
        for (const [element, article] of wanted) {
          const count = counts?.[article];
          if (!count) continue;
          element.textContent = count.text;
          element.setAttribute('data-count', String(count.count));
        }
      } catch { /* offline or refused: what the element holds stays */ }
    }
  }
}

class CommentCountElement extends HTMLElement {
  connectedCallback() {
    requestCount(this, this.getAttribute('article'));
  }
}

if (!customElements.get('comment-count')) {
  customElements.define('comment-count', CommentCountElement);
  const countSpans = (node) => {
    if (!(node instanceof Element)) return;
    const spans = node.matches('[data-comment-count]') ? [node] : [];
    spans.push(...node.querySelectorAll('[data-comment-count]'));
    for (const span of spans) {
      if (span.hasAttribute('data-count')) continue;
      requestCount(span, span.getAttribute('data-comment-count'));
    }
  };
  new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(countSpans);
  }).observe(document.documentElement, { childList: true, subtree: true });
  countSpans(document.documentElement);
}

if (!customElements.get('article-widget')) {
  customElements.define('article-widget', ArticleWidgetElement);

  // The div form, for hosts that cannot use custom elements in their templates.
  const mounts = new Map();
  const mountDiv = (div) => {
    if (mounts.has(div)) return;
    const mount = new Mount(div, () => readAttributes(div, 'data-'));
    mounts.set(div, mount);
    mount.connect();
  };
  const scan = (node) => {
    if (!(node instanceof Element)) return;
    if (node.matches('div[data-article-widget]')) mountDiv(node);
    node.querySelectorAll('div[data-article-widget]').forEach(mountDiv);
  };
  const unmountGone = () => {
    for (const [div, mount] of mounts) {
      if (!div.isConnected) {
        mount.destroy();
        mounts.delete(div);
      }
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') {
        const mount = mounts.get(record.target);
        if (mount?.widget) mount.update();
        else if (record.attributeName === 'data-article-widget') scan(record.target);
      } else {
        record.addedNodes.forEach(scan);
      }
    }
    unmountGone();
  }).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['data-article-widget', ...OPTIONS.map((name) => 'data-' + name)],
  });
  scan(document.documentElement);
}
